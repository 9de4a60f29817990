import { basename, isAbsolute, relative } from 'node:path';
import { checkFederation, type Config } from '../config.js';
import { witnessEvery } from '../federation/witness.js';
import { openServices, type Services } from '../node/services.js';
import { buildApp } from '../server/app.js';
import { seedDemo } from '../node/demo.js';
import { AccountService } from '../core/accounts.js';
import { cstCompactDate } from '../domain/dates.js';
import { aggregateEvery } from '../core/aggregation/aggregator.js';
import { printAggregate } from './aggregation.js';
import { refreshKeysEvery } from '../federation/key-refresh.js';
import { adminToken as adminTokenOf, auditorToken as auditorTokenOf, removeNodeHandle, writeNodeHandle } from './node-handle.js';
import { releaseFreedMemory, releaseFreedMemoryEvery } from '../server/release-memory.js';
import { readiness, StartupTasks } from '../server/health.js';
import { startDemoIdentity, type DemoIdentity } from './demo-identity.js';

const DEMO_DATA = 'demo data';

/** Runs a node until SIGINT/SIGTERM; with demo, seeds an empty data directory and prints how to call it. */
export async function serve(cfg: Config, opts: { demo: boolean; json: boolean }): Promise<void> {
  // Tokens and service codes name the area that issued them: a demo node without one is Beijing, as its demo data is.
  if (opts.demo && !cfg.areaCode) cfg = { ...cfg, areaCode: '110000' };
  checkFederation(cfg);
  // Several nodes may serve one data directory: they share its embedded server (and a database server's data likewise).
  const s = await openServices(cfg, { warn: (m) => console.error(`warning: ${m}`), notice: (m) => console.error(m) });
  const adminToken = adminTokenOf(cfg);
  const startup = new StartupTasks();
  if (opts.demo) startup.expect(DEMO_DATA);
  const app = await buildApp(s, { logger: { level: cfg.logLevel }, adminToken, auditorToken: auditorTokenOf(cfg), startup });
  const address = await app.listen({ port: cfg.port, host: cfg.host });
  const local = address.replace('://[::]', '://localhost').replace('://0.0.0.0', '://127.0.0.1');
  const baseUrl = cfg.publicUrl ?? local;
  writeNodeHandle(cfg, local, adminToken);
  s.holderIdentity.baseUrl = baseUrl;

  // A hub aggregates the lic_data rows exchanges bring, every ZHENGZHAO_AGGREGATE_INTERVAL seconds.
  const aggregation = cfg.role === 'hub' && cfg.aggregation.intervalSeconds > 0
    ? aggregateEvery(s.aggregator, cfg.aggregation.intervalSeconds * 1000, {
      summary: (r) => { if (r.read > 0) console.error(printAggregate(r)); },
      progress: (p) => { if (p.horizon - p.from > 50_000) console.error(`aggregate: ${p.position - p.from}/${p.horizon - p.from} (${p.applied} applied, ${p.rejected} rejected)`); },
      error: (err) => console.error(`aggregation failed (retried in ${cfg.aggregation.intervalSeconds} s): ${err.message}`),
    })
    : undefined;

  const keyRefresh = cfg.federation.keySyncIntervalMs > 0
    ? refreshKeysEvery(s, cfg.federation.keySyncIntervalMs, (line) => console.error(line))
    : undefined;

  // Worker threads (signing, layout files) leave freed memory in glibc's arenas; hand it back now and then.
  const trimming = releaseFreedMemoryEvery(60_000);

  // Signs a checkpoint of the transparency log every few seconds when it grew.
  await s.checkpoints.make();
  const checkpointing = cfg.checkpointIntervalMs > 0
    ? s.checkpoints.every(cfg.checkpointIntervalMs, (err) => console.error(`checkpoint failed: ${err.message}`))
    : undefined;

  // Witnessing, both ways: cosign the logs of ZHENGZHAO_WITNESS_OF, collect the cosignatures of ZHENGZHAO_WITNESSES.
  const witnessing = cfg.checkpointIntervalMs > 0 && (cfg.witnessOf.length > 0 || cfg.witnesses.length > 0)
    ? witnessEvery(s, cfg.checkpointIntervalMs, (line) => console.error(line))
    : undefined;

  let identity: DemoIdentity | undefined;
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    removeNodeHandle(cfg);
    trimming.stop();
    await aggregation?.stop();
    await keyRefresh?.stop();
    await checkpointing?.stop();
    await witnessing?.stop();
    await app.close();
    await identity?.provider.close();
    await s.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());

  // Batches print their progress (every 2 s at most, and when done); a crash leaves them running, so they resume here.
  let lastPrint = 0;
  s.batches.onProgress = (p) => {
    if (Date.now() - lastPrint < 2000 && p.done < p.total) return;
    lastPrint = Date.now();
    console.error(`batch ${p.id} (${p.kind} ${p.typeCode}): ${p.done}/${p.total} ${'#'.repeat(Math.round((20 * p.done) / Math.max(1, p.total))).padEnd(20, '.')}`);
  };
  void s.batches.resumeAll().then((done) => {
    for (const r of done) console.error(`batch ${r.progress.id} resumed and finished: ${r.progress.done}/${r.progress.total}`);
  }, (err) => console.error(`resuming batches failed: ${(err as Error).message}`));

  if (opts.demo) {
    const creds = await seedDemo(s, baseUrl, (m) => console.error(m));
    identity = await startDemoIdentity(s, baseUrl, creds.holders, Number(new URL(local).port));
    const citizen = identity.citizens[0]!;
    startup.done(DEMO_DATA);
    releaseFreedMemory();
    await untilReady(s.db, startup);
    const holder = creds.holders[0]!;
    const token = AccountService.expectedToken({ id: creds.national.accountId, scheme: 'hmac-sm3', secret: creds.national.secret }, cstCompactDate(new Date()));
    if (opts.json) {
      console.log(JSON.stringify({
        baseUrl, credentials: `${cfg.dataDir}/demo-credentials.json`, ...creds,
        portal: { url: identity.portalUrl, issuer: identity.provider.issuer, citizens: identity.citizens, uiaClient: identity.uiaClient },
      }));
    } else {
      console.log(`
zhengzhao node listening on ${baseUrl}
  national interface (ZWFW C 0124): ${creds.national.baseUrl}/{Retrieval, GetCertificateDataByHolder, ...}
  Beijing issuing side (seed 002):  ${creds.beijing?.apiRoot}/{security/login, license_item/list, license/{item}/create, ...}
  Beijing H5 views:                 ${creds.beijing?.webRoot}/license/{view_license, view_mobile}
  Sichuan interface (DB51/T 2942):  ${creds.sichuan?.apiRoot}/{Register, Retrieval, GetEncryptedCertificateID, ...}
  Zaozhuang (DB3704/T 0042):        ${creds.zaozhuang?.apiRoot}/{oauth/token, m/v/license/external/api/ShareQueryCertInfo, ...} (${creds.zaozhuang?.level} node)
  Yangtze River Delta (seed 004):   ${creds.yrd?.apiRoot}/{apps/register, trusted-tokens, certificates/retrieval, service-codes, ...} (area ${cfg.areaCode})
  holder portal (mobile first):     ${identity.portalUrl}
    sign in as ${citizen.username} / ${citizen.password} (${citizen.name}) at the demo identity provider ${identity.provider.issuer}
  signing keys:                     ${creds.keysUrl}
  demo credentials:                 ${cfg.dataDir}/demo-credentials.json
  account ${creds.national.accountId}, secret ${creds.national.secret} (AccessToken = HMAC-SM3(secret, AccountId + yyyyMMdd))
${creds.console ? `  operator console (管理控制台):     ${creds.console.url}
    sign in as ${creds.console.operators.map((o) => `${o.account} / ${o.password} (${o.role})`).join(', ')}
` : ''}
Try (today's token; '${selfCommand()} token --id ${creds.national.accountId} --from-credentials ${cfg.dataDir}/demo-credentials.json' prints it):
  curl -s ${creds.national.baseUrl}/Retrieval \\
    --data-urlencode AccountId=${creds.national.accountId} \\
    --data-urlencode AccessToken=${token} \\
    --data-urlencode CertificateHolderCode=${holder.code} \\
    --data-urlencode CertificateHolderType=${holder.codeType} \\
    --data-urlencode UseFor=办理演示业务
${creds.sichuan ? `
Sichuan: system ${creds.sichuan.accountId} (${creds.sichuan.systemName}, calls from ${creds.sichuan.systemIp}) is registered and approved; try:
  curl -s ${creds.sichuan.apiRoot}/Retrieval -H 'content-type: application/json' \\
    -d '{"head":{"accountId":"${creds.sichuan.accountId}","accessToken":"${creds.sichuan.accessToken}"},"data":{"certificateHolderCode":"${holder.code}","useFor":"01"}}'
` : ''}${creds.beijing ? `
Beijing: log in as ${creds.beijing.account} / ${creds.beijing.password} with app_key ${creds.beijing.appKey} and app_secret ${creds.beijing.appSecret};
  service item ${creds.beijing.serviceItem?.code} ${creds.beijing.serviceItem?.name} issues 结婚证 (license item ${creds.beijing.serviceItem?.licenseItemCode}); see docs/beijing.md.
` : ''}${creds.zaozhuang ? `
Zaozhuang: client ${creds.zaozhuang.clientId} / ${creds.zaozhuang.clientSecret}, account ${creds.zaozhuang.username} / ${creds.zaozhuang.password}
  curl -s ${creds.zaozhuang.tokenUrl} -d client_id=${creds.zaozhuang.clientId} -d client_secret=${creds.zaozhuang.clientSecret} \\
    -d grant_type=password -d scope='read write' -d username=${creds.zaozhuang.username} -d password=${creds.zaozhuang.password}
` : ''}${creds.yrd ? `
Yangtze River Delta: trusted app ${creds.yrd.appId} is registered (its key is in demo-credentials.json); requests are
SM2-signed, so call through the command line (item ${creds.yrd.scene.itemCode} is added as the scene):
  TOKEN=$(${selfCommand()} yrd token ${holder.code} --permission retrieve,info,download,usage,code@*)
  ${selfCommand()} yrd call /certificates/retrieval '{"trustedToken":"'$TOKEN'"}'
` : ''}`);
    }
  } else {
    await untilReady(s.db, startup);
    const role = { role: cfg.role, areaCode: cfg.areaCode, dataSource: cfg.dataSource, hub: cfg.hub?.url };
    console.log(opts.json ? JSON.stringify({ baseUrl, ...role })
      : `zhengzhao ${cfg.role} node listening on ${baseUrl}${cfg.areaCode ? ` (area ${cfg.areaCode}` + (cfg.dataSource ? `, data source ${cfg.dataSource})` : ')') : ''}${cfg.hub ? `; hub ${cfg.hub.url}` : ''}`);
  }
}

/** The URLs are printed only once GET /readyz would answer 200: a caller who reads them can use them. */
async function untilReady(db: Services['db'], startup: StartupTasks): Promise<void> {
  for (let wait = 50; ; wait = Math.min(wait * 2, 2000)) {
    const r = await readiness(db, startup);
    if (r.ready) return;
    console.error(`not ready yet: ${[r.database === 'reachable' ? '' : `database ${r.database}`, r.migrationsPending.length ? `migrations ${r.migrationsPending.join(', ')} pending` : '', ...r.startupPending].filter(Boolean).join('; ')}`);
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

/**
 * How the hints name the command line: the checkout's `./bin/zhengzhao.js` when the node was started
 * from it (`npm start`), which runs at once where `npx zhengzhao` would first rebuild the project
 * into npm's cache; `zhengzhao` otherwise (installed, or run from the sources).
 */
function selfCommand(): string {
  const script = process.argv[1];
  if (!script || basename(script) !== 'zhengzhao.js') return 'zhengzhao';
  const rel = relative(process.cwd(), script);
  return rel.startsWith('..') || isAbsolute(rel) ? script : `./${rel}`;
}
