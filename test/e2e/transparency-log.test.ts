import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { makeBackend, type Backend } from '../support/backends.js';
import { cli, startNode, type RunningNode } from '../support/node-process.js';
import { AccountService } from '../../src/core/accounts.js';
import { cstCompactDate } from '../../src/domain/dates.js';

/**
 * Four node processes append to one log under load while some are SIGKILLed: afterwards the log
 * verifies, every answered request's record has its leaf, and no index is missing or doubled.
 */
describe('transparency log: four processes appending, killed under load', () => {
  let b: Backend;
  let nodes: RunningNode[] = [];
  let db: pg.Client;
  const stateDir = mkdtempSync(join(tmpdir(), 'zz-tlog-state-'));
  const env = { ZHENGZHAO_CHECKPOINT_INTERVAL_MS: '200' };
  before(async () => {
    b = await makeBackend('postgres');
    nodes = [await startNode(b, ['--demo'], env)];
    nodes.push(...await Promise.all([1, 2, 3].map(() => startNode(b, [], env))));
    db = new pg.Client(b.databaseUrl);
    await db.connect();
  });
  after(async () => {
    await db?.end();
    for (const n of nodes) await n.stop();
    await b.cleanup();
    rmSync(stateDir, { recursive: true, force: true });
  });

  test('every answered use is a leaf; the log verifies, over HTTP too; a rewritten history is named', async () => {
    const creds = JSON.parse(readFileSync(join(b.dataDir, 'demo-credentials.json'), 'utf8'));
    const token = AccountService.expectedToken({ id: creds.national.accountId, scheme: 'hmac-sm3', secret: creds.national.secret }, cstCompactDate(new Date()));
    const answered: string[] = [];
    let failed = 0;
    let seq = 0;
    const until = Date.now() + 6000;
    const worker = async (w: number) => {
      while (Date.now() < until) {
        const reason = `load ${w} ${seq++}`;
        const node = nodes[seq % nodes.length]!;
        try {
          const res = await fetch(`${node.baseUrl}/elssp/v1/Retrieval`, {
            method: 'POST', signal: AbortSignal.timeout(10_000),
            body: new URLSearchParams({ AccountId: creds.national.accountId, AccessToken: token, CertificateHolderCode: creds.holders[seq % 5].code, UseFor: reason }),
          });
          const body = await res.json() as { head: { status: string } };
          if (body.head.status === '0') answered.push(reason);
        } catch {
          failed++;
        }
      }
    };
    const killer = async () => {
      for (const victim of [1, 2, 3, 1]) {
        await new Promise((r) => setTimeout(r, 1200));
        const n = nodes[victim]!;
        n.process.kill('SIGKILL');
        await new Promise((r) => n.process.once('exit', r));
        nodes[victim] = await startNode(b, [], env);
      }
    };
    await Promise.all([...Array.from({ length: 12 }, (_, w) => worker(w)), killer()]);
    assert.ok(answered.length > 50 && failed > 0, `answered ${answered.length}, failed ${failed}`);

    // Every answered request's record is in the database, and each record has one leaf.
    const rows = (await db.query<{ reason: string; idx: string | null }>(
      `select u.reason, l.idx from usage_records u left join log_leaves l on l.kind = 'usage' and l.ref = u.id::text where u.reason = any($1)`, [answered])).rows;
    assert.deepEqual(new Set(rows.map((r) => r.reason)), new Set(answered));
    assert.ok(rows.every((r) => r.idx !== null), 'every answered use has its leaf');
    // Indexes: 0 … size-1, each once.
    const { rows: [shape] } = await db.query<{ n: string; lo: string; hi: string; distinct_n: string; size: string }>(
      'select count(*) n, min(idx) lo, max(idx) hi, count(distinct idx) distinct_n, (select size from log_state) size from log_leaves');
    assert.deepEqual([shape!.lo, shape!.n, shape!.distinct_n], ['0', shape!.size, shape!.size]);
    assert.equal(Number(shape!.hi), Number(shape!.size) - 1);
    const { rows: [refs] } = await db.query<{ n: string; d: string }>(`select count(*) n, count(distinct ref) d from log_leaves where kind = 'usage'`);
    assert.equal(refs!.n, refs!.d, 'no record has two leaves');

    // The whole log from the database, then over HTTP from one node, twice (consistency since the last run).
    await new Promise((r) => setTimeout(r, 600));
    const state = join(stateDir, 'seen.json');
    const local = cli(b, ['log', 'verify', '--json', '--state', state]);
    assert.equal(local.status, 0, local.stdout + local.stderr);
    const localResult = JSON.parse(local.stdout);
    assert.ok(localResult.checked >= Number(shape!.size));
    assert.ok(localResult.checkpoint.size > 0);
    const remoteState = join(stateDir, 'remote.json');
    const remote = () => cli(undefined, ['log', 'verify', '--json', '--url', nodes[0]!.baseUrl, '--state', remoteState]);
    const first = remote();
    assert.equal(first.status, 0, first.stdout + first.stderr);
    const origin = JSON.parse(first.stdout).origin as string;
    await fetch(`${nodes[2]!.baseUrl}/elssp/v1/Retrieval`, { method: 'POST', body: new URLSearchParams({ AccountId: creds.national.accountId, AccessToken: token, CertificateHolderCode: creds.holders[0].code, UseFor: 'one more' }) });
    await new Promise((r) => setTimeout(r, 600));
    const second = remote();
    assert.equal(second.status, 0, second.stdout + second.stderr);
    assert.ok(JSON.parse(second.stdout).checkpoint.size > JSON.parse(first.stdout).checkpoint.size);
    assert.equal(cli(b, ['usage', 'verify', '--state', state]).status, 0, 'usage verify is the same check');

    // A history other than the one seen last time is named, over HTTP and locally.
    const seen = JSON.parse(readFileSync(remoteState, 'utf8'));
    seen[origin].root = '00'.repeat(32);
    writeFileSync(remoteState, JSON.stringify(seen));
    const rewritten = remote();
    assert.equal(rewritten.status, 2);
    assert.match(JSON.parse(rewritten.stdout).problem.message, /not consistent with the one of size \d+ seen last time/);
    const { rows: [victim] } = await db.query<{ id: string }>(`select id from usage_records where reason = $1`, [answered[7]]);
    await db.query(`update usage_records set reason = 'rewritten' where id = $1`, [victim!.id]);
    const altered = cli(b, ['log', 'verify', '--state', state]);
    assert.equal(altered.status, 2);
    assert.match(altered.stdout, new RegExp(`BROKEN: leaf \\d+: usage record ${victim!.id} was altered`));
  });
});
