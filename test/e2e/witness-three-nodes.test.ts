import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { makeBackend, postgresSkip, type Backend } from '../support/backends.js';
import { cli, startNode, type RunningNode } from '../support/node-process.js';
import { splitNote } from '../../src/crypto/signed-note.js';

const pgSkip = await postgresSkip();

/** A port free now, for a node whose peers must know its address before it starts. */
const freePort = () => new Promise<number>((resolve, reject) => {
  const srv = createServer();
  srv.once('error', reject);
  srv.listen(0, '127.0.0.1', () => { const { port } = srv.address() as { port: number }; srv.close(() => resolve(port)); });
});

/**
 * Issue 19: a hub and two provinces, three real node processes, each witnessing the other two
 * (ZHENGZHAO_WITNESS_OF) and collecting their cosignatures (ZHENGZHAO_WITNESSES). While the logs
 * only grow every checkpoint ends up cosigned by both others; a row altered in one province's
 * database makes its next checkpoint inconsistent, and both others refuse it, say so on their
 * error output, count it on /metrics and keep it as evidence.
 */
describe('three nodes witness each other', { skip: pgSkip }, () => {
  const names = ['hub', 'sc', 'zj'] as const;
  const backends: Backend[] = [];
  const nodes: RunningNode[] = [];
  const stderr: string[] = ['', '', ''];
  const urls: string[] = [];
  const adminToken = randomBytes(12).toString('hex');

  before(async () => {
    for (let i = 0; i < 3; i++) backends.push(await makeBackend('postgres'));
    for (let i = 0; i < 3; i++) urls.push(`http://127.0.0.1:${await freePort()}`);
    for (let i = 0; i < 3; i++) {
      const others = urls.filter((_, k) => k !== i).join(',');
      const node = await startNode(backends[i]!, ['--port', urls[i]!.split(':').at(-1)!, '--public-url', `https://${names[i]}.example/`, ...(i === 0 ? ['--role', 'hub'] : [])], {
        ZHENGZHAO_WITNESS_OF: others, ZHENGZHAO_WITNESSES: others, ZHENGZHAO_CHECKPOINT_INTERVAL_MS: '700', ZHENGZHAO_ADMIN_TOKEN: adminToken,
      });
      node.process.stderr!.on('data', (d) => { stderr[i] += d; });
      nodes.push(node);
    }
  });
  after(async () => {
    for (const n of nodes) await n.stop();
    for (const b of backends) await b.cleanup();
  });

  const checkpoint = async (i: number) => (await fetch(`${urls[i]}/log/checkpoint`)).text();
  const grow = (i: number, tag: string) => assert.equal(cli(backends[i], ['accounts', 'add', '--id', tag, '--name', tag]).status, 0);
  const until = async (what: string, ok: () => Promise<boolean>, ms = 90_000) => {
    const end = Date.now() + ms;
    while (!(await ok())) {
      if (Date.now() > end) assert.fail(`${what}: not within ${ms / 1000} s`);
      await new Promise((r) => setTimeout(r, 300));
    }
  };
  const metric = async (i: number, name: string, origin: string) => {
    const text = await (await fetch(`${urls[i]}/metrics`, { headers: { authorization: `Bearer ${adminToken}` } })).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name}{origin="${origin}"}`));
    return line ? Number(line.split(' ').at(-1)) : undefined;
  };

  test('each checkpoint is cosigned by the two others; an altered row is refused by both, alarmed and counted', async () => {
    for (let i = 0; i < 3; i++) grow(i, `acct_${names[i]}_1`);
    // Each log's published checkpoint carries its own signature and both witnesses' cosignatures.
    for (let i = 0; i < 3; i++) {
      await until(`${names[i]} cosigned by both others`, async () => {
        const note = await checkpoint(i);
        return splitNote(note).signatures.length === 3 && !note.includes('\n0\n');
      });
    }
    const before = splitNote(await checkpoint(1)).text.split('\n')[1];

    // Someone with access to the Sichuan database alters a row: the frontier the next leaves hang from.
    const db = new pg.Client({ connectionString: backends[1]!.databaseUrl });
    await db.connect();
    try {
      await db.query(`update log_state set frontier[1] = $1`, [randomBytes(32)]);
    } finally {
      await db.end();
    }
    grow(1, 'acct_sc_2');
    await until('both witnesses refuse sc.example/log', async () => {
      const [a, b] = await Promise.all([metric(0, 'zhengzhao_witness_refused_checkpoints', 'sc.example/log'), metric(2, 'zhengzhao_witness_refused_checkpoints', 'sc.example/log')]);
      return (a ?? 0) > 0 && (b ?? 0) > 0;
    });
    for (const i of [0, 2]) {
      assert.match(stderr[i]!, /witness: REFUSED the checkpoint of sc\.example\/log .*kept as evidence/);
      assert.equal(await metric(i, 'zhengzhao_witness_cosigned_size', 'sc.example/log'), Number(before), 'the last size cosigned stays the one before the rewrite');
      const evidence = cli(backends[i], ['log', 'witness', '--url', urls[1]!]);
      assert.equal(evidence.status, 2, evidence.stderr);
    }
    // The untouched logs go on being cosigned.
    grow(2, 'acct_zj_2');
    await until('zj.example/log still cosigned after growing', async () => {
      const note = await checkpoint(2);
      return splitNote(note).signatures.length === 3 && Number(splitNote(note).text.split('\n')[1]) > 1;
    });
  });
});
