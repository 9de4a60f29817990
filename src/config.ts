import type { OidcSettings } from './core/holder-identity.js';
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { Keyring } from './crypto/keyring.js';
import { dataSourceProblem, isAreaCode, isDataSource } from './domain/regions.js';

import { NODE_ROLES, type NodeRole } from './domain/node-role.js';

export { NODE_ROLES, type NodeRole };

/** Everything a node or a command needs to know, from flags, then environment, then defaults. */
export interface Config {
  /** Catalog aggregation (ZWFW C 0124 5.3, appendix H). */
  aggregation: AggregationConfig;
  dataDir: string;
  databaseUrl?: string;
  host: string;
  port: number;
  /** Base URL others reach this node at; download URLs are built on it. */
  publicUrl?: string;
  /** Lifetime of download URLs (national 7.4.3 recommends 10 minutes). */
  fileUrlTtlSeconds: number;
  /** Clock skew tolerated around midnight for day-bound tokens. */
  tokenSkewSeconds: number;
  /** Largest request body accepted. */
  bodyLimitBytes: number;
  /** Largest body of a batch call (10,000 certificates' data). */
  batchBodyLimitBytes: number;
  /** Largest body of a file verification call (a base64 PDF or OFD). */
  fileBodyLimitBytes: number;
  /** Idle time after which an issuing-side session ends (Beijing 5.4.4 c). */
  sessionIdleSeconds: number;
  /** Wrong passwords in a row that lock an operator, and for how long. */
  lockAfterFailures: number;
  lockSeconds: number;
  /** Lifetime of a usage code (Beijing auth_code) and of a certificate access token. */
  usageCodeTtlSeconds: number;
  accessTokenTtlSeconds: number;
  /** How long an annotated copy handed out by a download stays valid. */
  copyValidDays: number;
  /** Lifetime of an encrypted certificate ID (DB51/T 2942 6.4.3) and so of its QR code. */
  encryptedIdTtlSeconds: number;
  /** Lifetime of the access token a registered system gets (DB51/T 2942 6.6); it registers again for a new one. */
  registrationTokenTtlSeconds: number;
  /** OAuth2 access and refresh token lifetimes (Zaozhuang 4.3.1: 12 hours for access tokens). */
  oauthTokenTtlSeconds: number;
  oauthRefreshTtlSeconds: number;
  /** Trusted access of the Yangtze River Delta interface (seed 004 5.2, tables 7-9). */
  yrd: YrdConfig;
  /** Where this node stands in the Zaozhuang interface's two levels (DB3704/T 0042 4.3). */
  zaozhuang: ZaozhuangConfig;
  /**
   * Province (the default; also a city or a central department: it reports its catalog through the
   * front DB and sends what it does not hold to its hub) or hub (aggregates and routes).
   */
  role: NodeRole;
  /** The division this node answers for (GB/T 2260); a province's own certificates are those issued inside it. */
  areaCode?: string;
  /** This node's DataSource code (appendix H: 0xx a central department, 1xx a region). */
  dataSource?: string;
  /** A province's hub: its base URL and this node's national account there. Absent: a standalone node. */
  hub?: HubConfig;
  /** Node-to-node calls: per-hop timeout, retries of reads, and the circuit breaker per remote node. */
  federation: FederationConfig;
  logLevel: string;
  /** HTTPS: PEM files of the node's certificate and key (absent: plain HTTP, e.g. behind a TLS-terminating proxy). */
  tls?: { certFile: string; keyFile: string };
  /** Addresses (CIDR) of reverse proxies whose X-Forwarded-For is believed; empty: the header is ignored. */
  trustProxy: string[];
  /** Requests per window per account and per address, shared by the processes on one database. */
  rateLimit: RateLimitConfig;
  /** How often a serving node signs a checkpoint of its transparency log when it grew (0: never on its own). */
  checkpointIntervalMs: number;
  /** false only to measure what the log costs (ZHENGZHAO_LOG_LEAVES=off, bench/tlog.ts): usage records then get no leaves. */
  logLeaves: boolean;
  /** Logs this node witnesses: other nodes' base URLs (ZHENGZHAO_WITNESS_OF, comma-separated). */
  witnessOf: string[];
  /** Witnesses whose cosignatures this node's checkpoints carry: their base URLs (ZHENGZHAO_WITNESSES). */
  witnesses: string[];
  /**
   * The OpenID Connect provider that authenticates holders (Beijing psn_holder, seed 002 5.4.2.1 b;
   * the holder portal). Absent: neither is served. `npm start` runs a local provider and sets it.
   */
  oidc?: OidcSettings;
}

export type { OidcSettings } from './core/holder-identity.js';

export interface RateLimitConfig {
  /** Requests per window one address may make (0: unlimited). */
  perAddress: number;
  /** Requests per window one account (the credential a caller presents) may make (0: unlimited). */
  perAccount: number;
  windowSeconds: number;
  /** How often a process adds its counts to the shared ones in PostgreSQL and reads the others'. */
  syncMs: number;
}

export interface YrdConfig {
  /** Lifetime of a natural-person trusted token (table 9). */
  tokenTtlSeconds: number;
  /** Lifetime of a holder's government service code (table 7): shown on a screen, scanned at once. */
  serviceCodeTtlSeconds: number;
  /** How far a signed app request's timestamp may be from this node's clock (replays inside it are refused by nonce). */
  requestSkewSeconds: number;
  /**
   * Seed 004 flow f: how long a province waits for the national hub before it asks the owning
   * province over the direct channel ("超过10秒无响应").
   */
  hubTimeoutMs: number;
}

export interface HubConfig {
  url: string;
  accountId?: string;
  secret?: string;
  /**
   * The hub's SM2 signing public key (04 ‖ x ‖ y, hex), pinned by the operator: the network keys
   * are taken only when this key signed them. Unset: the key the hub signed its first document with
   * is trusted on first use and pinned from then on.
   */
  publicKeyHex?: string;
}

export interface FederationConfig {
  /** How long one hop (all its attempts) may take before the call answers 1 (第三方接口连接超时). */
  hopTimeoutMs: number;
  /** Further attempts of a read after a connection failure or a 502/503/504, within the hop's time. */
  hopRetries: number;
  /** Consecutive failed hops to a node that open its circuit… */
  breakerFailures: number;
  /** …and how long it stays open before one trial call may pass (half-open). */
  breakerCooldownMs: number;
  /** How often a serving node reads the keys of its members, its hub's network keys and its YRD peers (0: only on command). */
  keySyncIntervalMs: number;
}

/**
 * A province node answers province-level calls (interfaceType 0) from its own data. A city node
 * answers city-level calls (interfaceType 1) and passes province-level ones to its province node,
 * as a client of it with its own credentials there. Checked when the interface is mounted, so
 * commands that do not serve still run with an incomplete setting.
 */
export interface ZaozhuangConfig {
  level: string;
  province?: { url?: string; clientId?: string; clientSecret?: string; username?: string; password?: string; timeoutMs: number };
}

export interface AggregationConfig {
  /**
   * The appendix H DataSource this node reports under (three digits: 0 + a central department's
   * code, 1 + the province's two GB/T 2260 digits). Unset: each certificate's own, or 1 + the
   * province of its area code.
   */
  dataSource?: string;
  /** How often a hub aggregates new lic_data rows (0: never on its own, only `zhengzhao aggregate`). */
  intervalSeconds: number;
  /** Rows per aggregator transaction. */
  chunkSize: number;
  /**
   * Days a lic_data row is kept once the next step has taken it (the hub has aggregated it, or an
   * exchange has moved it to the hub): the rows carry holder names and ID numbers in plaintext,
   * under the standard's column names, so they are deleted afterwards (issue 15).
   */
  retentionDays: number;
}

export interface ConfigFlags {
  data?: string;
  databaseUrl?: string;
  host?: string;
  port?: number | string;
  publicUrl?: string;
  role?: string;
  areaCode?: string;
  dataSource?: string;
  tlsCert?: string;
  tlsKey?: string;
  trustProxy?: string;
}

export function loadConfig(flags: ConfigFlags = {}, env: NodeJS.ProcessEnv = process.env): Config {
  const num = (v: string | number | undefined, dflt: number) => {
    if (v === undefined || v === '') return dflt;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`not a number: ${v}`);
    return n;
  };
  if (env.ZHENGZHAO_DATA_SOURCE && !/^[01]\d{2}$/.test(env.ZHENGZHAO_DATA_SOURCE)) throw new Error('ZHENGZHAO_DATA_SOURCE: three digits, the first 0 or 1 (appendix H)');
  return {
    aggregation: {
      dataSource: env.ZHENGZHAO_DATA_SOURCE || undefined,
      intervalSeconds: num(env.ZHENGZHAO_AGGREGATE_INTERVAL, 60),
      chunkSize: Math.max(1, num(env.ZHENGZHAO_AGGREGATE_CHUNK, 5000)),
      retentionDays: num(env.ZHENGZHAO_FRONT_RETENTION_DAYS, 30),
    },
    dataDir: resolve(flags.data ?? env.ZHENGZHAO_DATA ?? './data'),
    databaseUrl: flags.databaseUrl ?? (env.DATABASE_URL || undefined),
    host: flags.host ?? env.HOST ?? '127.0.0.1',
    port: num(flags.port ?? env.PORT, 8080),
    publicUrl: flags.publicUrl ?? (env.ZHENGZHAO_PUBLIC_URL || undefined),
    fileUrlTtlSeconds: num(env.ZHENGZHAO_FILE_URL_TTL, 600),
    tokenSkewSeconds: num(env.ZHENGZHAO_TOKEN_SKEW, 300),
    bodyLimitBytes: num(env.ZHENGZHAO_BODY_LIMIT, 1024 * 1024),
    batchBodyLimitBytes: num(env.ZHENGZHAO_BATCH_BODY_LIMIT, 64 * 1024 * 1024),
    fileBodyLimitBytes: num(env.ZHENGZHAO_FILE_BODY_LIMIT, 32 * 1024 * 1024),
    sessionIdleSeconds: num(env.ZHENGZHAO_SESSION_IDLE, 1800),
    lockAfterFailures: num(env.ZHENGZHAO_LOCK_AFTER, 5),
    lockSeconds: num(env.ZHENGZHAO_LOCK_SECONDS, 900),
    usageCodeTtlSeconds: num(env.ZHENGZHAO_USAGE_CODE_TTL, 1800),
    accessTokenTtlSeconds: num(env.ZHENGZHAO_ACCESS_TOKEN_TTL, 600),
    copyValidDays: num(env.ZHENGZHAO_COPY_VALID_DAYS, 30),
    encryptedIdTtlSeconds: num(env.ZHENGZHAO_ENCRYPTED_ID_TTL, 600),
    registrationTokenTtlSeconds: num(env.ZHENGZHAO_REGISTRATION_TOKEN_TTL, 86_400),
    oauthTokenTtlSeconds: num(env.ZHENGZHAO_OAUTH_TOKEN_TTL, 12 * 3600),
    oauthRefreshTtlSeconds: num(env.ZHENGZHAO_OAUTH_REFRESH_TTL, 30 * 86_400),
    yrd: {
      tokenTtlSeconds: Math.max(1, num(env.ZHENGZHAO_YRD_TOKEN_TTL, 1800)),
      serviceCodeTtlSeconds: Math.max(1, num(env.ZHENGZHAO_YRD_CODE_TTL, 300)),
      requestSkewSeconds: Math.max(1, num(env.ZHENGZHAO_YRD_REQUEST_SKEW, 300)),
      hubTimeoutMs: Math.max(1, num(env.ZHENGZHAO_YRD_HUB_TIMEOUT_MS, 10_000)),
    },
    zaozhuang: {
      level: env.ZHENGZHAO_ZAOZHUANG_LEVEL || 'province',
      province: {
        url: env.ZHENGZHAO_ZAOZHUANG_PROVINCE_URL || undefined,
        clientId: env.ZHENGZHAO_ZAOZHUANG_PROVINCE_CLIENT_ID || undefined,
        clientSecret: env.ZHENGZHAO_ZAOZHUANG_PROVINCE_CLIENT_SECRET || undefined,
        username: env.ZHENGZHAO_ZAOZHUANG_PROVINCE_USERNAME || undefined,
        password: env.ZHENGZHAO_ZAOZHUANG_PROVINCE_PASSWORD || undefined,
        timeoutMs: num(env.ZHENGZHAO_ZAOZHUANG_PROVINCE_TIMEOUT, 10) * 1000,
      },
    },
    role: roleOf(flags.role ?? env.ZHENGZHAO_ROLE),
    areaCode: flags.areaCode ?? (env.ZHENGZHAO_AREA_CODE || undefined),
    dataSource: flags.dataSource ?? (env.ZHENGZHAO_DATA_SOURCE || undefined),
    hub: env.ZHENGZHAO_HUB_URL || env.ZHENGZHAO_HUB_ACCOUNT || env.ZHENGZHAO_HUB_SECRET
      ? {
        url: (env.ZHENGZHAO_HUB_URL ?? '').replace(/\/+$/, ''), accountId: env.ZHENGZHAO_HUB_ACCOUNT || undefined, secret: env.ZHENGZHAO_HUB_SECRET || undefined,
        ...(env.ZHENGZHAO_HUB_KEY ? { publicKeyHex: env.ZHENGZHAO_HUB_KEY.trim().toLowerCase() } : {}),
      }
      : undefined,
    federation: {
      hopTimeoutMs: num(env.ZHENGZHAO_HOP_TIMEOUT_MS, 5000),
      hopRetries: num(env.ZHENGZHAO_HOP_RETRIES, 2),
      breakerFailures: Math.max(1, num(env.ZHENGZHAO_BREAKER_FAILURES, 5)),
      breakerCooldownMs: num(env.ZHENGZHAO_BREAKER_COOLDOWN_MS, 30_000),
      keySyncIntervalMs: num(env.ZHENGZHAO_KEY_SYNC_INTERVAL, 3600) * 1000,
    },
    logLevel: env.LOG_LEVEL ?? 'warn',
    tls: tlsOf(flags.tlsCert ?? (env.ZHENGZHAO_TLS_CERT || undefined), flags.tlsKey ?? (env.ZHENGZHAO_TLS_KEY || undefined)),
    trustProxy: cidrList(flags.trustProxy ?? env.ZHENGZHAO_TRUST_PROXY),
    rateLimit: {
      perAddress: num(env.ZHENGZHAO_RATE_LIMIT_PER_ADDRESS, 0),
      perAccount: num(env.ZHENGZHAO_RATE_LIMIT_PER_ACCOUNT, 0),
      windowSeconds: Math.max(1, num(env.ZHENGZHAO_RATE_LIMIT_WINDOW, 60)),
      syncMs: Math.max(50, num(env.ZHENGZHAO_RATE_LIMIT_SYNC_MS, 1000)),
    },
    checkpointIntervalMs: num(env.ZHENGZHAO_CHECKPOINT_INTERVAL_MS, 5000),
    logLeaves: env.ZHENGZHAO_LOG_LEAVES !== 'off',
    witnessOf: (env.ZHENGZHAO_WITNESS_OF ?? '').split(',').map((u) => u.trim()).filter(Boolean),
    witnesses: (env.ZHENGZHAO_WITNESSES ?? '').split(',').map((u) => u.trim()).filter(Boolean),
    oidc: oidcOf(env),
  };
}

/** ZHENGZHAO_OIDC_ISSUER, _CLIENT_ID, _CLIENT_SECRET go together; _REDIRECT_URI and _ID_CLAIM are optional. */
function oidcOf(env: NodeJS.ProcessEnv): OidcSettings | undefined {
  const issuer = env.ZHENGZHAO_OIDC_ISSUER || undefined;
  const clientId = env.ZHENGZHAO_OIDC_CLIENT_ID || undefined;
  const clientSecret = env.ZHENGZHAO_OIDC_CLIENT_SECRET || undefined;
  if (!issuer && !clientId && !clientSecret) return undefined;
  if (!issuer || !clientId || !clientSecret) throw new Error('ZHENGZHAO_OIDC_ISSUER, ZHENGZHAO_OIDC_CLIENT_ID and ZHENGZHAO_OIDC_CLIENT_SECRET go together');
  if (!/^https?:\/\/\S+$/.test(issuer)) throw new Error(`ZHENGZHAO_OIDC_ISSUER ${issuer}: an http:// or https:// URL`);
  return { issuer, clientId, clientSecret, redirectUri: env.ZHENGZHAO_OIDC_REDIRECT_URI || undefined, idClaim: env.ZHENGZHAO_OIDC_ID_CLAIM || 'id_number' };
}

function tlsOf(certFile: string | undefined, keyFile: string | undefined): Config['tls'] {
  if (!certFile && !keyFile) return undefined;
  if (!certFile || !keyFile) throw new Error('--tls-cert and --tls-key (ZHENGZHAO_TLS_CERT, ZHENGZHAO_TLS_KEY) go together');
  return { certFile: resolve(certFile), keyFile: resolve(keyFile) };
}

/** "10.0.0.0/8, 127.0.0.1" → the entries; each an address or address/prefix (checked by isIP). */
function cidrList(v: string | undefined): string[] {
  const list = (v ?? '').split(',').map((x) => x.trim()).filter(Boolean);
  for (const entry of list) {
    const [addr, bits, extra] = entry.split('/');
    const family = isIP(addr ?? '');
    const max = family === 6 ? 128 : 32;
    if (!family || extra !== undefined || (bits !== undefined && !(/^\d{1,3}$/.test(bits) && Number(bits) <= max))) {
      throw new Error(`--trust-proxy / ZHENGZHAO_TRUST_PROXY: "${entry}" is not an address or CIDR block`);
    }
  }
  return list;
}

function roleOf(v: string | undefined): NodeRole {
  const role = (v || 'province').trim();
  if (!(NODE_ROLES as readonly string[]).includes(role)) throw new Error(`--role / ZHENGZHAO_ROLE: province or hub, not "${role}"`);
  return role as NodeRole;
}

/**
 * What is wrong with a node's federation settings, each said with the setting to fix; empty when
 * they hold together. Checked when a node starts (and by the commands that call the hub), so a
 * misconfigured node never serves.
 */
export function federationProblems(cfg: Config): string[] {
  const problems: string[] = [];
  if (cfg.areaCode !== undefined && !isAreaCode(cfg.areaCode)) {
    problems.push(`ZHENGZHAO_AREA_CODE (--area-code) ${cfg.areaCode}: six digits of GB/T 2260, e.g. 510000`);
  }
  if (cfg.dataSource !== undefined) {
    if (!isDataSource(cfg.dataSource)) {
      problems.push(`ZHENGZHAO_DATA_SOURCE (--data-source) ${cfg.dataSource}: three digits, 0xx for a central department or 1 + the region's first two division digits (appendix H), e.g. 151`);
    } else if (cfg.areaCode && isAreaCode(cfg.areaCode)) {
      const p = dataSourceProblem(cfg.dataSource, [cfg.areaCode]);
      if (p) problems.push(`ZHENGZHAO_DATA_SOURCE and ZHENGZHAO_AREA_CODE disagree: ${p}`);
    }
  }
  if (cfg.federation.hopTimeoutMs < 1) problems.push('ZHENGZHAO_HOP_TIMEOUT_MS: at least 1');
  if (cfg.role === 'hub') {
    if (cfg.hub) problems.push('ZHENGZHAO_HUB_URL, ZHENGZHAO_HUB_ACCOUNT, ZHENGZHAO_HUB_SECRET: a hub does not call a hub; unset them or run as --role province');
    return problems;
  }
  if (cfg.hub) {
    if (!cfg.hub.url) problems.push('ZHENGZHAO_HUB_URL: the hub\'s base URL is required with ZHENGZHAO_HUB_ACCOUNT and ZHENGZHAO_HUB_SECRET');
    else if (!/^https?:\/\/[^/\s]+(\/\S*)?$/.test(cfg.hub.url)) problems.push(`ZHENGZHAO_HUB_URL ${cfg.hub.url}: an http:// or https:// URL`);
    if (!cfg.hub.accountId) problems.push('ZHENGZHAO_HUB_ACCOUNT: this node\'s AccountId at the hub is required with ZHENGZHAO_HUB_URL');
    if (cfg.hub.publicKeyHex !== undefined && !/^04[0-9a-f]{128}$/.test(cfg.hub.publicKeyHex)) {
      problems.push('ZHENGZHAO_HUB_KEY: the hub\'s SM2 signing public key, 130 hex digits starting 04 (its /.well-known/zhengzhao/keys, use sign)');
    }
    if (!cfg.hub.secret) problems.push('ZHENGZHAO_HUB_SECRET: this node\'s secret at the hub (hmac-sm3) is required with ZHENGZHAO_HUB_URL');
    // Without its area a province cannot tell its own certificate IDs from others', nor the hub its calls from its data.
    if (!cfg.areaCode) problems.push('ZHENGZHAO_AREA_CODE (--area-code): a province with a hub needs its own division code to tell its certificates from others\'');
    if (!cfg.dataSource) problems.push('ZHENGZHAO_DATA_SOURCE (--data-source): a province with a hub needs its data-source code (appendix H), e.g. 151');
  }
  return problems;
}

/** Throws one error naming every problem of the federation settings. */
export function checkFederation(cfg: Config): void {
  const problems = federationProblems(cfg);
  if (problems.length > 0) throw new Error(`the ${cfg.role} node's settings do not hold together:\n  - ${problems.join('\n  - ')}`);
}

interface KeyFile {
  current: string;
  keys: Record<string, string>;
  index: string;
}

/**
 * Data keys come from ZHENGZHAO_DATA_KEYS ("id:hex,id:hex", first is current) and
 * ZHENGZHAO_INDEX_KEY (hex). Without them, a data directory gets keys generated on first use and
 * kept in <data>/secrets/data-keys.json, with a warning: production should configure its own.
 */
export function loadKeyring(cfg: Config, env: NodeJS.ProcessEnv = process.env, warn: (msg: string) => void = console.warn): Keyring {
  const configured = env.ZHENGZHAO_DATA_KEYS;
  if (configured) {
    const keys = new Map<string, Buffer>();
    let current: string | undefined;
    for (const part of configured.split(',')) {
      const [id, hex] = part.split(':');
      if (!id || !hex || !/^[0-9a-fA-F]{32,}$/.test(hex)) throw new Error('ZHENGZHAO_DATA_KEYS must be "id:hex[,id:hex...]" with keys of at least 16 bytes');
      keys.set(id, Buffer.from(hex, 'hex'));
      current ??= id;
    }
    const index = env.ZHENGZHAO_INDEX_KEY;
    if (!index || !/^[0-9a-fA-F]{32,}$/.test(index)) throw new Error('ZHENGZHAO_INDEX_KEY (hex, at least 16 bytes) is required with ZHENGZHAO_DATA_KEYS');
    return new Keyring(keys, current!, Buffer.from(index, 'hex'));
  }
  const file = join(cfg.dataDir, 'secrets', 'data-keys.json');
  if (!existsSync(file)) {
    mkdirSync(join(cfg.dataDir, 'secrets'), { recursive: true, mode: 0o700 });
    const made: KeyFile = { current: 'k1', keys: { k1: randomBytes(16).toString('hex') }, index: randomBytes(32).toString('hex') };
    // Written whole under another name, then linked into place: of processes starting together on one
    // data directory exactly one makes the file, and no one reads it half written; the others read the winner's.
    const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    writeFileSync(draft, JSON.stringify(made, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
    try {
      linkSync(draft, file);
      warn(`generated data keys in ${file}; production should configure ZHENGZHAO_DATA_KEYS and ZHENGZHAO_INDEX_KEY`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      unlinkSync(draft);
    }
  }
  const kf = JSON.parse(readFileSync(file, 'utf8')) as KeyFile;
  return new Keyring(new Map(Object.entries(kf.keys).map(([k, v]) => [k, Buffer.from(v, 'hex')])), kf.current, Buffer.from(kf.index, 'hex'));
}
