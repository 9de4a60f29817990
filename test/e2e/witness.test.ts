import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { makeBackend, type Backend } from '../support/backends.js';
import { loadConfig } from '../../src/config.js';
import { openServices, type Services } from '../../src/node/services.js';
import { buildApp } from '../../src/server/app.js';
import { witnessLog } from '../../src/federation/witness.js';
import { collectCosignatures } from '../../src/federation/cosignatures.js';
import { verifyCosignature } from '../../src/crypto/cosignature.js';
import { splitNote } from '../../src/crypto/signed-note.js';

/** A province's log witnessed by the hub: cosigned while it only grows, refused and kept as evidence once rewritten. */
describe('witnesses (tlog-cosignature)', () => {
  let pb: Backend;
  let hb: Backend;
  let province: Services;
  let hub: Services;
  let app: FastifyInstance;
  let url: string;
  const alarms: string[] = [];
  const use = (n: number, tag: string) => Promise.all(Array.from({ length: n }, (_, i) => province.usage.record({ dialect: 'test', interface: tag, certificateIds: [`${tag}${i}`], resultCode: '0' })));

  before(async () => {
    [pb, hb] = await Promise.all([makeBackend('postgres'), makeBackend('postgres')]);
    province = await openServices({ ...loadConfig({ data: pb.dataDir, databaseUrl: pb.databaseUrl }, {}), publicUrl: 'https://sc.example/' }, { warn: () => {} });
    hub = await openServices({ ...loadConfig({ data: hb.dataDir, databaseUrl: hb.databaseUrl }, {}), publicUrl: 'https://hub.example/' }, { warn: () => {} });
    app = await buildApp(province);
    url = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  after(async () => {
    await app.close();
    await province.close();
    await hub.close();
    await pb.cleanup();
    await hb.cleanup();
  });

  test('cosigned while consistent; a rewritten history is refused, alarmed and kept', async () => {
    await use(20, 'a');
    await province.checkpoints.make();
    const first = await witnessLog(hub, url, (l) => alarms.push(l));
    assert.equal(first.problem, undefined);
    assert.deepEqual([first.origin, first.size], ['sc.example/log', 20]);
    const hubKey = hub.nodeKeys.fileSigner().publicKeyHex;
    const hubApp = await buildApp(hub);
    const hubUrl = await hubApp.listen({ port: 0, host: '127.0.0.1' });
    const note = (await hubApp.inject({ method: 'GET', url: '/log/witness/checkpoint?origin=sc.example/log' })).body;
    assert.equal((await hubApp.inject({ method: 'GET', url: '/log/witness/checkpoint?origin=nobody' })).statusCode, 404);
    // The province publishes its checkpoint with the hub's cosignature.
    assert.deepEqual(await collectCosignatures(province, [hubUrl], 5000), [{ url: hubUrl, size: 20 }]);
    const published = (await app.inject({ method: 'GET', url: '/log/checkpoint' })).body;
    const pubLines = published.trim().split('\n');
    assert.equal(pubLines.filter((l) => l.startsWith('\u2014 ')).length, 2, 'its own signature and one cosignature');
    assert.ok(verifyCosignature(pubLines.at(-1)!, splitNote(published).text, 'hub.example/log', hub.nodeKeys.fileSigner().publicKeyHex));
    await hubApp.close();
    const { text } = splitNote(note);
    const lines = note.trim().split('\n');
    assert.ok(verifyCosignature(lines.at(-1)!, text, 'hub.example/log', hubKey), 'the served note carries a cosignature that verifies');
    assert.equal(verifyCosignature(lines.at(-1)!, text.replace('\n20\n', '\n21\n'), 'hub.example/log', hubKey), undefined);

    await use(15, 'b');
    await province.checkpoints.make();
    const second = await witnessLog(hub, url, (l) => alarms.push(l));
    assert.deepEqual([second.problem, second.size], [undefined, 35]);

    // The province rewrites its history: another log of more leaves, signed with the same key.
    await province.db.query(`delete from log_leaves; delete from log_nodes; delete from log_checkpoints; update log_state set size = 0, frontier = '{}'`);
    await use(40, 'c');
    await province.checkpoints.make();
    const third = await witnessLog(hub, url, (l) => alarms.push(l));
    assert.match(third.problem ?? '', /not consistent with the one of size 35 seen last time/);
    assert.equal(alarms.length, 1);
    assert.match(alarms[0]!, /REFUSED the checkpoint of sc\.example\/log/);
    const evidence = await hub.db.query<{ note: string; seen_size: number }>('select note, seen_size from witness_evidence');
    assert.equal(evidence.length, 1);
    assert.equal(Number(evidence[0]!.seen_size), 35);
    assert.match(evidence[0]!.note, /^sc\.example\/log\n40\n/);
    const [kept] = await hub.db.query<{ size: number }>('select size from witness_logs');
    assert.equal(Number(kept!.size), 35, 'the refused checkpoint does not replace the last one cosigned');
  });
});
