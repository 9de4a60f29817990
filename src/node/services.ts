import { join } from 'node:path';
import type { Config } from '../config.js';
import { loadKeyring } from '../config.js';
import { auditOperatorActions } from '../core/operator-audit.js';
import { LeafProofs } from '../core/leaf-proofs.js';
import type { Keyring } from '../crypto/keyring.js';
import { openDb, type Db } from '../store/db.js';
import { checkDataDir } from '../store/embedded/server.js';
import { migrate } from '../store/migrate.js';
import { underStartupLock } from '../store/startup-lock.js';
import { CertificateRepo } from '../store/certificates.js';
import { CertificateTypeRepo } from '../store/certificate-types.js';
import { AccountRepo } from '../store/accounts.js';
import { AccountService } from '../core/accounts.js';
import { NodeKeys } from '../core/node-keys.js';
import { UsageRecorder } from '../core/usage.js';
import { TransparencyLog } from '../core/transparency-log.js';
import { Checkpoints, logOrigin } from '../core/checkpoints.js';
import { FileTickets } from '../core/file-tickets.js';
import { SharingService } from '../core/sharing.js';
import { CertificateFiles } from '../core/certificate-files.js';
import { FilePool } from '../core/file-pool.js';
import type { FileSigner } from '../core/layout-input.js';
import { FileVerification } from '../core/file-verification.js';
import { TrustedKeys } from '../core/trusted-keys.js';
import { loadRenderers } from '../files/renderers.js';
import { loadInspectors } from '../files/inspectors.js';
import { fileWorkerEntry } from '../files/file-worker-entry.js';
import { Importer } from '../core/importer.js';
import { inlineSigner, workerSigner } from '../core/signer.js';
import { CatalogService } from '../core/catalog.js';
import { SessionService } from '../core/sessions.js';
import { OperatorRepo } from '../store/operators.js';
import { ServiceItemRepo } from '../store/service-items.js';
import { ServiceItemService } from '../core/service-items.js';
import { IssuingService } from '../core/issuing.js';
import { BatchService } from '../core/batches.js';
import { UsingService } from '../core/using.js';
import { UsageCodes } from '../core/usage-codes.js';
import { SealService } from '../core/seals.js';
import { SealRepo } from '../store/seals.js';
import { EncryptedIds } from '../core/encrypted-ids.js';
import { RegistrationService } from '../core/registrations.js';
import { RegistrationRepo } from '../store/registrations.js';
import { OAuthService } from '../core/oauth.js';
import { OAuthRepo } from '../store/oauth.js';
import { QrValues, withEncryptedIds } from '../core/qr-values.js';
import { FrontDbRepo } from '../store/front-db.js';
import { CatalogFeed, FrontErrors } from '../core/aggregation/feed.js';
import { Aggregator } from '../core/aggregation/aggregator.js';
import { RoutingService } from '../core/routing.js';
import type { RemoteNode } from '../core/reach/transport.js';
import { NodeRepo } from '../store/nodes.js';
import { NodeRegistry } from '../federation/registry.js';
import { NationalClient, type HopSettings } from '../federation/client.js';
import { NationalNode } from '../federation/national-node.js';
import { TrustedApps } from '../core/trusted-access/apps.js';
import { TrustedAccess } from '../core/trusted-access/access.js';
import { TrustedSharing } from '../core/trusted-access/holder-sharing.js';
import { TrustedAppRepo } from '../store/trusted-apps.js';
import { TrustedTokenRepo } from '../store/trusted-tokens.js';
import { SceneChecks } from '../core/scenes.js';
import { ExchangeKeys } from '../core/exchange-keys.js';
import { PeerKeys } from '../core/peer-keys.js';
import { PeerKeyRepo } from '../store/peer-keys.js';
import { YrdPeerRepo } from '../store/yrd-peers.js';
import { YrdPeerRegistry } from '../federation/yrd-peers.js';
import { NetworkKeys } from '../federation/network-keys.js';
import { YrdPeerClient } from '../federation/yrd-peer-client.js';
import { ProvinceRelay } from '../federation/province-relay.js';
import { revocationPull } from '../federation/revocation-pull.js';
import { LifecycleAdministration } from '../core/lifecycle-admin.js';
import { HopWatch } from '../federation/hop-watch.js';
import { HolderIdentity } from '../core/holder-identity.js';
import { PortalSessions } from '../core/portal-sessions.js';
import { HolderPortal } from '../core/holder-portal.js';
import { HolderConsents } from '../core/trusted-access/consents.js';

/** The composition root of the core: one instance per process, shared by every dialect. */
export interface Services {
  cfg: Config;
  db: Db;
  keys: Keyring;
  nodeKeys: NodeKeys;
  /** The node's SM2 key pair for YRD envelopes (seed 004 5.5), separate from its signing key. */
  exchangeKeys: ExchangeKeys;
  /** Other nodes' public keys this node learned; `signingKeyOf(kid)` finds a signer's key (own ones too). */
  peerKeys: PeerKeys;
  /** The YRD direct channel's directory: other provinces by area code, with their keys. */
  peers: YrdPeerRegistry;
  /** Key distribution in the federation: a hub reads its members' keys and publishes them; a province takes them from its hub. */
  networkKeys: NetworkKeys;
  /** The YRD direct channel, client side: call(area, interface, body, {correlationId, timeoutMs}) → the peer's reply data. */
  peerClient: YrdPeerClient;
  types: CertificateTypeRepo;
  catalog: CatalogService;
  sessions: SessionService;
  items: ServiceItemService;
  issuing: IssuingService;
  /** The operator's own lifecycle actions: suspend, resume, abolish (command line, admin API). */
  lifecycle: LifecycleAdministration;
  batches: BatchService;
  using: UsingService;
  certs: CertificateRepo;
  accounts: AccountService;
  registrations: RegistrationService;
  usage: UsageRecorder;
  /** The node's transparency log (RFC 9162 with SM3): tree heads, proofs, checkpoints. */
  log: TransparencyLog;
  /** A leaf with its proof for a holder's link (usageProofPath) or an auditor. */
  leafProofs: LeafProofs;
  /** Its signed checkpoints. */
  checkpoints: Checkpoints;
  tickets: FileTickets;
  encryptedIds: EncryptedIds;
  sharing: SharingService;
  files: CertificateFiles;
  trustedKeys: TrustedKeys;
  /** The node key as a signer of layout files. */
  fileSigner(): FileSigner;
  fileVerification: FileVerification;
  /** Electronic seals of issuing organisations (GB/T 38540). */
  seals: SealService;
  /** OAuth2 clients, users with interface roles, and tokens (Zaozhuang 4.3.1). */
  oauth: OAuthService;
  /** What scanned QR values name. */
  qr: QrValues;
  /** The front DB (appendix H): lic_data and lic_data_error. */
  front: FrontDbRepo;
  /** Province side: reports lifecycle writes to lic_data (off on a hub). */
  feed: CatalogFeed;
  /** Province side: what the hub rejected, and re-reports. */
  frontErrors: FrontErrors;
  /** Hub side: applies lic_data rows to the catalog. */
  aggregator: Aggregator;
  /** The sharing calls as the node's role routes them: a province sends the rest to its hub, a hub to the owners. */
  routing: RoutingService;
  /** Every hop channel to another node, and each hop as it ends (what the metrics show). */
  hops: HopWatch;
  /** The OpenID Connect provider holders are authenticated by (Beijing psn_holder, the holder portal). */
  holderIdentity: HolderIdentity;
  /** The holder portal: holders' sessions, their certificates, codes and uses, and the requests they approve. */
  portalSessions: PortalSessions;
  holderPortal: HolderPortal;
  consents: HolderConsents;
  /** A hub's registry of member nodes (empty elsewhere). */
  nodes: NodeRegistry;
  /** A province's hub, when it has one. */
  hub?: RemoteNode;
  /** YRD trusted apps (seed 004 5.2, table 8): allocation, registration, signed-request authentication. */
  trustedApps: TrustedApps;
  /** YRD trusted tokens and service codes (tables 7, 9): issuing, checking (any issuer whose key is known), revocation. */
  trustedAccess: TrustedAccess;
  /** Sharing on a holder's trusted token with the scene checks of seed 004 5.4 (tables 1-7, the holder's view). */
  trustedSharing: TrustedSharing;
  /** Scene-to-catalog checks (seed 004 5.4). */
  scenes: SceneChecks;
  /** An importer with a worker pool for signing; close it after use. */
  importer(): { importer: Importer; close(): Promise<void> };
  close(): Promise<void>;
}

/**
 * @param opts.warn a setting production should change (generated keys); opts.notice what the
 * embedded database's first start did (a cluster made, a system user created).
 */
export async function openServices(cfg: Config, opts: { warn?: (m: string) => void; notice?: (m: string) => void } = {}): Promise<Services> {
  checkDataDir(cfg.dataDir);
  const keys = loadKeyring(cfg, process.env, opts.warn);
  const db = await openDb({ databaseUrl: cfg.databaseUrl, dataDir: cfg.dataDir, notice: opts.notice });
  const nodeKeys = new NodeKeys(db, keys);
  const exchangeKeys = new ExchangeKeys(db, keys);
  // Processes starting together on one database take turns: the first migrates and makes the keys, the rest find them.
  try {
    await underStartupLock(db, async () => {
      await migrate(db);
      await nodeKeys.init();
      await exchangeKeys.init();
      // ID numbers an older version kept in plaintext are sealed now, once.
      await new OperatorRepo(db, keys).sealPlainIdentities();
    });
  } catch (err) {
    await db.close();
    throw err;
  }
  const peerKeyRepo = new PeerKeyRepo(db);
  const types = new CertificateTypeRepo(db);
  const certs = new CertificateRepo(db, keys);
  const usage = new UsageRecorder(db, keys, { leaves: cfg.logLeaves });
  const log = new TransparencyLog(db);
  const checkpoints = new Checkpoints(db, log, nodeKeys, logOrigin(cfg));
  const tickets = new FileTickets(keys, cfg.fileUrlTtlSeconds);
  const encryptedIds = new EncryptedIds(keys, cfg.encryptedIdTtlSeconds);
  const registrations = new RegistrationService(new RegistrationRepo(db), keys, cfg.registrationTokenTtlSeconds, db);
  const itemRepo = new ServiceItemRepo(db);
  const fileSigner = () => nodeKeys.fileSigner();
  // Loaded on first use: the picture brings a font and a rasteriser that data-only nodes never need.
  const seals = new SealService(new SealRepo(db), nodeKeys, () => import('../files/seal-picture.js'));
  const filePool = new FilePool(fileWorkerEntry);
  const files = new CertificateFiles({
    dir: join(cfg.dataDir, 'files'),
    sealer: keys,
    pool: filePool,
    fileKey: () => {
      const { privateKey } = nodeKeys.signingMaterial();
      const { certificateDer, publicKeyHex } = nodeKeys.fileSigner();
      return { privateKey, certificateDer, publicKeyHex };
    },
    log: (message, err) => opts.notice?.(err ? `${message}: ${(err as Error).message}` : message),
    renderers: loadRenderers,
    seals: { sealFor: (code, name, sealCode) => seals.sealForCertificate(code, name, sealCode) },
    templateOf: async (code) => (await types.get(code))?.layout,
    signer: () => fileSigner(),
    verifyUrl: (id) => `${publicBase(cfg)}/verify/${encodeURIComponent(id)}`,
  });
  const trustedKeys = new TrustedKeys(nodeKeys, Date.now, async () => (await peerKeyRepo.list()).filter((k) => k.use === 'sign'));
  const peerKeys = new PeerKeys(peerKeyRepo, nodeKeys, trustedKeys);
  const front = new FrontDbRepo(db);
  const feed = new CatalogFeed(front, cfg.role === 'province', cfg.dataSource ?? cfg.aggregation.dataSource);
  const issuing = new IssuingService(db, keys, certs, types, itemRepo, nodeKeys, files, feed, usage, seals);
  const sharing = new SharingService(certs, types, usage, tickets, encryptedIds, cfg.copyValidDays);
  const accountRepo = new AccountRepo(db, keys);
  const operatorRepo = new OperatorRepo(db, keys);
  const hops = new HopWatch();
  const hop: HopSettings = {
    watch: hops,
    timeoutMs: cfg.federation.hopTimeoutMs, retries: cfg.federation.hopRetries,
    breakerFailures: cfg.federation.breakerFailures, breakerCooldownMs: cfg.federation.breakerCooldownMs,
  };
  const nodes = new NodeRegistry(new NodeRepo(db, keys), accountRepo, hop);
  const peers = new YrdPeerRegistry(new YrdPeerRepo(db), peerKeys, cfg.federation.hopTimeoutMs);
  const networkKeys = new NetworkKeys(cfg, nodeKeys, exchangeKeys, peerKeys, nodes);
  const peerClient = new YrdPeerClient(cfg.areaCode, peers, exchangeKeys, nodeKeys, hop);
  const hub = cfg.role === 'province' && cfg.hub?.url && cfg.hub.accountId
    ? new NationalNode('hub', new NationalClient({ label: `the hub (${cfg.hub.url})`, baseUrl: cfg.hub.url, credentials: { accountId: cfg.hub.accountId, scheme: 'hmac-sm3', secret: cfg.hub.secret } }, hop))
    : undefined;
  const upper = cfg.role === 'hub' ? undefined : provinceRelayOf(cfg, hop);
  const routing = new RoutingService(sharing, certs, types, cfg.role === 'hub'
    ? { role: 'hub', areaCode: cfg.areaCode, members: nodes }
    : { role: 'province', areaCode: cfg.areaCode, hub, upper });
  const trustedAccess = new TrustedAccess(new TrustedTokenRepo(db), nodeKeys, keys, {
    areaCode: cfg.areaCode, tokenTtlSeconds: cfg.yrd.tokenTtlSeconds, serviceCodeTtlSeconds: cfg.yrd.serviceCodeTtlSeconds,
  });
  // Tokens of other provinces are checked with the keys the network distributed, against the revocations their issuers publish.
  trustedAccess.setPeerKeys((kid) => peerKeys.signingKeyOf(kid));
  trustedAccess.peerRevocations.setPull(revocationPull(peers, (kid) => peerKeys.signingKeyOf(kid), cfg.federation.hopTimeoutMs));
  const holderIdentity = new HolderIdentity(cfg.oidc, publicBase(cfg));
  const scenes = new SceneChecks(itemRepo);
  const fileVerification = new FileVerification(certs, trustedKeys, usage, loadInspectors, Date.now, types);
  const qr = withEncryptedIds(new QrValues(), encryptedIds);
  const trustedSharing = new TrustedSharing(sharing, trustedAccess, scenes, types, fileVerification, qr, usage);
  // A province reaches the rest of the network for its apps' holders: the hub first, the region's provinces directly when the hub fails.
  if (cfg.role === 'province') trustedSharing.setReach({ hub, hubTimeoutMs: cfg.yrd.hubTimeoutMs, anyPeer: async () => (await peers.list()).length > 0 });
  const services: Services = {
    cfg, db, keys, nodeKeys, exchangeKeys, peerKeys, peers, networkKeys, types,
    peerClient, certs, usage, log, checkpoints, leafProofs: new LeafProofs(db, keys, log, checkpoints), tickets, encryptedIds, registrations,
    trustedApps: new TrustedApps(new TrustedAppRepo(db), nodeKeys, cfg.yrd.requestSkewSeconds),
    trustedAccess,
    holderIdentity,
    portalSessions: new PortalSessions(db, keys, holderIdentity, cfg.sessionIdleSeconds),
    holderPortal: new HolderPortal(db, keys, certs, types, files, usage, log, trustedAccess, cfg.copyValidDays),
    consents: new HolderConsents(db, keys, trustedAccess, itemRepo),
    scenes,
    trustedSharing,
    catalog: new CatalogService(types, db),
    sessions: new SessionService(operatorRepo, {
      ttlSeconds: 86_400, idleSeconds: cfg.sessionIdleSeconds, lockAfter: cfg.lockAfterFailures, lockSeconds: cfg.lockSeconds,
    }),
    accounts: new AccountService(accountRepo, cfg.tokenSkewSeconds, registrations, db),
    sharing,
    routing,
    nodes,
    hops,
    hub,
    files,
    trustedKeys,
    fileSigner,
    fileVerification,
    seals,
    oauth: new OAuthService(new OAuthRepo(db), {
      accessTtlSeconds: cfg.oauthTokenTtlSeconds, refreshTtlSeconds: cfg.oauthRefreshTtlSeconds,
      lockAfter: cfg.lockAfterFailures, lockSeconds: cfg.lockSeconds,
    }),
    qr,
    items: new ServiceItemService(itemRepo, types),
    issuing,
    lifecycle: new LifecycleAdministration(db, certs, feed),
    batches: new BatchService(db, issuing, certs, (threads) => (threads ? workerSigner(nodeKeys) : inlineSigner(nodeKeys)), undefined, keys),
    using: new UsingService(certs, types, itemRepo, usage, new UsageCodes(keys, cfg.usageCodeTtlSeconds, cfg.accessTokenTtlSeconds), files),
    front,
    feed,
    frontErrors: new FrontErrors(db, front, certs, feed),
    aggregator: new Aggregator(db, front, certs, types, cfg.aggregation.chunkSize, keys, cfg.aggregation.retentionDays),
    importer() {
      const signer = workerSigner(nodeKeys);
      return { importer: new Importer(db, keys, certs, types, signer, feed, files), close: () => signer.close() };
    },
    close: async () => {
      peerClient.close();
      upper?.close();
      await filePool.close();
      return db.close();
    },
  };
  // Operator actions on accounts, apps, seals, keys and logins go to the transparency log.
  auditOperatorActions(services as unknown as Record<string, unknown>, db);
  return services;
}

/** The base URL printed on files (QR codes) and in download links when no request tells a better one. */
export function publicBase(cfg: Config): string {
  return (cfg.publicUrl ?? `http://${cfg.host === '0.0.0.0' ? '127.0.0.1' : cfg.host}:${cfg.port}`).replace(/\/+$/, '');
}


/**
 * A Zaozhuang city node's province, as a transport of the engine: made when the settings are
 * complete (the Zaozhuang dialect refuses to start a city node whose settings are not, saying which).
 */
function provinceRelayOf(cfg: Config, hop: HopSettings): ProvinceRelay | undefined {
  const z = cfg.zaozhuang;
  const p = z.province;
  if (z.level !== 'city' || !p?.url || !p.clientId || !p.clientSecret || !p.username || !p.password) return undefined;
  return new ProvinceRelay({ url: p.url.replace(/\/+$/, ''), clientId: p.clientId, clientSecret: p.clientSecret, username: p.username, password: p.password, timeoutMs: p.timeoutMs }, hop);
}
