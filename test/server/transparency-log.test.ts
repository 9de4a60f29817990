import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { makeBackend, postgresSkip, type Backend } from '../support/backends.js';
import { loadConfig } from '../../src/config.js';
import { openServices, type Services } from '../../src/node/services.js';
import { buildApp } from '../../src/server/app.js';
import { parseCheckpoint } from '../../src/domain/checkpoint.js';
import { openNote, splitNote } from '../../src/crypto/signed-note.js';
import { asBuffer } from '../../src/store/db.js';
import { verifyLogLocally } from '../../src/core/log-verify.js';
import { parseTilePath, tilePath } from '../../src/domain/tile-path.js';

const pgSkip = await postgresSkip();
const VERIFIER = fileURLToPath(new URL('../support/python/tlog_verify.py', import.meta.url));

/** Runs the Python verifier (RFC 9162, hashlib's SM3) over queries; one "ok"/"bad" per query. */
function python(queries: object[]): string[] {
  const out = execFileSync('python3', [VERIFIER], { input: queries.map((q) => JSON.stringify(q)).join('\n') + '\n' }).toString();
  return out.trim().split('\n');
}
const flip = (hex: string, bit: number) => {
  const b = Buffer.from(hex, 'hex');
  b[bit >> 3]! ^= 1 << (bit & 7);
  return b.toString('hex');
};

describe('transparency log over HTTP', { skip: pgSkip }, () => {
  let b: Backend;
  let s: Services;
  let app: FastifyInstance;
  const get = (url: string) => app.inject({ method: 'GET', url });
  const checkpoint = async () => {
    const res = await get('/log/checkpoint');
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/plain/);
    return res.body;
  };

  before(async () => {
    b = await makeBackend('postgres');
    s = await openServices({ ...loadConfig({ data: b.dataDir, databaseUrl: b.databaseUrl }, {}), publicUrl: 'https://zz.example.org/' }, { warn: () => {} });
    app = await buildApp(s, { auditorToken: 'auditor-credential-for-tests' });
  });
  after(async () => {
    await app.close();
    await s.close();
    await b.cleanup();
  });

  test('an empty log has a signed checkpoint of size 0 whose key the keys document names', async () => {
    const note = await checkpoint();
    const keys = (await get('/.well-known/zhengzhao/keys')).json() as { log: { origin: string; noteKeys: { keyId: string; publicKeyHex: string; verifierKey: string }[] } };
    assert.equal(keys.log.origin, 'zz.example.org/log');
    const key = keys.log.noteKeys[0]!;
    const text = openNote(note, keys.log.origin, key.publicKeyHex);
    assert.deepEqual(parseCheckpoint(text), { origin: 'zz.example.org/log', size: 0, root: Buffer.from('1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b', 'hex') });
    assert.equal(splitNote(note).signatures[0]!.keyId.toString('hex'), key.keyId);
    assert.match(key.verifierKey, /^zz\.example\.org\/log\+[0-9a-f]{8}\+/);
    // A changed text no longer opens.
    assert.throws(() => openNote(note.replace('\n0\n', '\n1\n'), keys.log.origin, key.publicKeyHex), /does not verify/);
  });

  test('proofs served for every leaf and size check out in a second-language verifier, and one changed bit fails it', async () => {
    for (let i = 0; i < 37; i++) await s.usage.record({ dialect: 'test', interface: 'x', certificateIds: [`c${i}`], resultCode: '0', holderCode: `H${i}` });
    const first = await s.checkpoints.make();
    assert.equal(first.size, 37);
    const note = await checkpoint();
    assert.equal(note, first.note);
    const root = (n: number) => s.log.root(n).then((r) => r.toString('hex'));
    const queries: object[] = [];
    const bad: object[] = [];
    for (const size of [1, 2, 5, 8, 13, 37]) {
      const r = await root(size);
      for (let index = 0; index < size; index += 3) {
        const res = await get(`/log/proof/inclusion?index=${index}&size=${size}`);
        assert.equal(res.statusCode, 200);
        const p = res.json() as { index: number; size: number; leafHash: string; proof: string[] };
        assert.deepEqual([p.index, p.size], [index, size]);
        queries.push({ kind: 'inclusion', ...p, root: r });
        if (p.proof.length > 0) bad.push({ kind: 'inclusion', ...p, proof: [...p.proof.slice(0, -1), flip(p.proof.at(-1)!, 77)], root: r });
        bad.push({ kind: 'inclusion', ...p, leafHash: flip(p.leafHash, 0), root: r });
      }
      for (const from of [1, 3, 4, size]) {
        if (from > size) continue;
        const res = await get(`/log/proof/consistency?from=${from}&to=${size}`);
        assert.equal(res.statusCode, 200);
        const p = res.json() as { from: number; to: number; proof: string[] };
        queries.push({ kind: 'consistency', ...p, root1: await root(from), root2: r });
        if (p.proof.length > 0) bad.push({ kind: 'consistency', ...p, proof: [flip(p.proof[0]!, 200), ...p.proof.slice(1)], root1: await root(from), root2: r });
      }
    }
    // Leaf hashes too: SM3(0x00 ‖ data) of the stored data.
    for (const l of await s.db.query<{ body: Uint8Array; hash: Uint8Array }>('select l.body, n.hash from log_leaves l join log_nodes n on n.level = 0 and n.idx = l.idx')) {
      queries.push({ kind: 'leaf', data: asBuffer(l.body).toString('hex'), leafHash: asBuffer(l.hash).toString('hex') });
    }
    assert.ok(bad.length > 40);
    assert.deepEqual(python(queries), queries.map(() => 'ok'));
    assert.deepEqual(python(bad), bad.map(() => 'bad'));
    // The checkpoint's root is the tree's.
    assert.equal(parseCheckpoint(splitNote(note).text).root.toString('hex'), await root(37));
  });

  test('a leaf found by its hash; a checkpoint is made only when the log grew', async () => {
    const leaf = (await get('/log/proof/inclusion?index=5&size=37')).json() as { leafHash: string; proof: string[] };
    const byHash = await get(`/log/proof/inclusion?hash=${leaf.leafHash.toUpperCase()}&size=37`);
    assert.deepEqual(byHash.json(), { index: 5, size: 37, ...leaf });
    const before = await s.checkpoints.make();
    assert.equal((await s.checkpoints.make()).note, before.note, 'same size, same checkpoint');
    await s.usage.record({ dialect: 'test', interface: 'x', certificateIds: [], resultCode: '0' });
    assert.equal((await s.checkpoints.make()).size, 38);
  });

  test('catalog changes are leaves too; an altered change is found', async () => {
    const before = await s.log.size();
    const code = '11100000000013338W001';
    await s.catalog.add({ code, name: '测试证照', fields: [{ columnName: 'a', name: 'A', valueType: 'string', required: false, sensitive: false }], draft: true });
    await s.catalog.setStatus(code, 'published');
    await s.catalog.setStatus(code, 'withdrawn');
    await assert.rejects(s.catalog.setStatus(code, 'draft'));
    const leaves = await s.db.query<{ idx: number; kind: string; body: Uint8Array }>('select idx, kind, body from log_leaves where idx >= $1 order by idx', [before]);
    assert.deepEqual(leaves.map((l) => l.kind), ['catalog', 'catalog', 'catalog']);
    const changes = await s.db.query<{ id: number; action: string; content: { status: string } }>('select id, action, content from catalog_changes order by id');
    assert.deepEqual(changes.map((c) => [c.action, c.content.status]), [['create', 'draft'], ['publish', 'published'], ['withdraw', 'withdrawn']]);
    assert.equal((await verifyLogLocally(s.db)).problem, undefined);
    await s.db.query(`update catalog_changes set content = jsonb_set(content, '{name}', '"改过"') where id = $1`, [changes[1]!.id]);
    assert.deepEqual((await verifyLogLocally(s.db)).problem, { index: before + 1, message: `leaf ${before + 1}: catalog record ${changes[1]!.id} was altered (its digest differs)` });
    await s.db.query(`update catalog_changes set content = jsonb_set(content, '{name}', '"测试证照"') where id = $1`, [changes[1]!.id]);
    assert.equal((await verifyLogLocally(s.db)).problem, undefined);
  });

  test('operator actions are leaves: an account made is one, without its secret', async () => {
    const before = await s.log.size();
    const made = await s.accounts.create({ id: 'audited', name: '审计系统', scheme: 'hmac-sm3', allowedIps: [] });
    const [leaf] = await s.db.query<{ kind: string; ref: string }>('select kind, ref from log_leaves where idx = $1', [before]);
    assert.equal(leaf!.kind, 'operator');
    const [action] = await s.db.query<{ id: number; action: string; subject: string; detail: Record<string, unknown> }>('select * from operator_actions where id = $1', [Number(leaf!.ref)]);
    assert.deepEqual([action!.action, action!.subject, action!.detail], ['account.create', 'audited', { name: '审计系统', scheme: 'hmac-sm3', allowedIps: [] }]);
    assert.ok(!JSON.stringify(action).includes(made.secret!), 'no secret in the record');
    assert.equal((await verifyLogLocally(s.db)).problem, undefined);
    await s.db.query(`update operator_actions set subject = 'someone else' where id = $1`, [action!.id]);
    assert.equal((await verifyLogLocally(s.db)).problem?.index, before);
    await s.db.query(`update operator_actions set subject = 'audited' where id = $1`, [action!.id]);
  });

  test('hash tiles (tlog-tiles): leaf hashes at level 0, subtree hashes above, a full tile only when complete', async () => {
    assert.equal(tilePath({ level: 0, index: 1234067, width: 256 }), '0/x001/x234/067');
    assert.deepEqual(parseTilePath('2/x001/x234/067.p/9'), { level: 2, index: 1234067, width: 9 });
    for (const bad of ['6/000', '0/1', '0/x000/001', '0/000.p/256', '0/000.p/0', '0/000/', 'entries/000']) assert.equal(parseTilePath(bad), undefined, bad);
    const partial = await get('/log/tile/0/000.p/5');
    assert.equal(partial.statusCode, 200);
    assert.equal(partial.headers['content-type'], 'application/octet-stream');
    const leafHashes = await Promise.all([0, 1, 2, 3, 4].map(async (i) => ((await get(`/log/proof/inclusion?index=${i}&size=5`)).json() as { leafHash: string }).leafHash));
    assert.equal(partial.rawPayload.toString('hex'), leafHashes.join(''));
    assert.equal((await get('/log/tile/0/000')).statusCode, 404, 'not yet 256 leaves');
    await Promise.all(Array.from({ length: 256 }, (_, i) => s.usage.record({ dialect: 'test', interface: 'tiles', certificateIds: [`t${i}`], resultCode: '0' })));
    const full = await get('/log/tile/0/000');
    assert.equal(full.statusCode, 200);
    assert.equal(full.rawPayload.length, 256 * 32);
    assert.match(String(full.headers['cache-control']), /immutable/);
    const top = await get('/log/tile/1/000.p/1');
    assert.equal(top.rawPayload.toString('hex'), (await s.log.root(256)).toString('hex'), 'a level-1 tile holds the roots of 256-leaf subtrees');
    assert.equal((await get('/log/tile/1/000.p/2')).statusCode, 404);
  });

  test('a holder\'s proof link opens the leaf of that use with its proof in a signed checkpoint; a wrong tag opens nothing', async () => {
    await s.usage.record({ dialect: 'test', interface: 'proof-link', certificateIds: ['cX'], resultCode: '0', holderCode: '110105198512030772' });
    const [use] = await s.db.query<{ id: string }>(`select id::text from usage_records where interface = 'proof-link'`);
    const path = s.leafProofs.usageProofPath(use!.id);
    assert.match(path, new RegExp(`^/log/leaf/usage/${use!.id}\\?t=[A-Za-z0-9_-]{22}$`));
    const res = await get(path);
    assert.equal(res.statusCode, 200, res.body);
    const p = res.json() as { index: number; size: number; leafHash: string; proof: string[]; leaf: string; facts: { kind: string; ref: string; holder?: string }; checkpoint: string };
    assert.deepEqual([p.facts.kind, p.facts.ref], ['usage', use!.id]);
    assert.equal(p.facts.holder, s.keys.blindIndex('holder', '110105198512030772').toString('hex'), 'the holder as their blind index, never in clear');
    assert.ok(!Buffer.from(p.leaf, 'base64').toString().includes('110105198512030772'));
    // The proof is in the checkpoint it came with, checked by the second-language verifier from the leaf data itself.
    const c = parseCheckpoint(splitNote(p.checkpoint).text);
    assert.equal(c.size, p.size);
    assert.ok(p.index < p.size);
    assert.deepEqual(python([
      { kind: 'leaf', data: Buffer.from(p.leaf, 'base64').toString('hex'), leafHash: p.leafHash },
      { kind: 'inclusion', index: p.index, size: p.size, leafHash: p.leafHash, proof: p.proof, root: c.root.toString('hex') },
    ]), ['ok', 'ok']);
    // Another use's id under this tag, a changed tag, no tag: nothing.
    const other = path.replace(`/usage/${use!.id}?`, `/usage/${Number(use!.id) - 1}?`);
    for (const bad of [other, path.slice(0, -2) + (path.endsWith('AA') ? 'BB' : 'AA'), path.split('?')[0]!]) {
      const r = await get(bad);
      assert.equal(r.statusCode, 404, bad);
      assert.ok(!r.body.includes('"leaf"'));
    }
  });

  test('leaf contents by index for auditors only', async () => {
    const size = await s.log.size();
    assert.equal((await get('/log/leaf/0')).statusCode, 401);
    assert.equal((await app.inject({ method: 'GET', url: '/log/leaf/0', headers: { authorization: 'Bearer not-it' } })).statusCode, 401);
    const read = (i: number | string) => app.inject({ method: 'GET', url: `/log/leaf/${i}`, headers: { authorization: 'Bearer auditor-credential-for-tests' } });
    const r = await read(size - 1);
    assert.equal(r.statusCode, 200, r.body);
    const leaf = r.json() as { index: number; kind: string; facts: { ref: string; digest: string }; leafHash: string; checkpoint: string };
    assert.equal(leaf.index, size - 1);
    assert.match(leaf.facts.digest, /^[0-9a-f]{64}$/);
    const [stored] = await s.db.query<{ kind: string; ref: string }>('select kind, ref from log_leaves where idx = $1', [size - 1]);
    assert.deepEqual([leaf.kind, leaf.facts.ref], [stored!.kind, stored!.ref]);
    assert.equal((await read(size + 5)).statusCode, 404);
    assert.equal((await read('x')).statusCode, 400);
  });

  test('bad requests are answered 400 or 404 in JSON, never 500', async () => {
    const cases: [string, number][] = [
      ['/log/proof/inclusion?index=0', 400], ['/log/proof/inclusion?size=5', 400], ['/log/proof/inclusion?index=-1&size=5', 400],
      ['/log/proof/inclusion?index=1.5&size=5', 400], ['/log/proof/inclusion?index=5&size=5', 400], ['/log/proof/inclusion?index=0&size=0', 400],
      ['/log/proof/inclusion?index=0&size=99999', 404], ['/log/proof/inclusion?index=0&index=1&size=5', 400],
      ['/log/proof/inclusion?index=0&size=999999999999999999999', 400], ['/log/proof/inclusion?hash=zz&size=5', 400],
      [`/log/proof/inclusion?hash=${'0'.repeat(64)}&size=5`, 404], [`/log/proof/inclusion?hash=${'0'.repeat(64)}&index=1&size=5`, 400],
      ['/log/proof/consistency?from=5', 400], ['/log/proof/consistency?from=6&to=5', 400], ['/log/proof/consistency?from=1&to=1000', 404],
      ['/log/proof/consistency?from=a&to=5', 400],
    ];
    for (const [url, code] of cases) {
      const res = await get(url);
      assert.equal(res.statusCode, code, url);
      // The log's own refusals say why in {error: {code, message}}; the edge's (a repeated parameter) in {error: text}.
      assert.ok((res.json() as { error?: unknown }).error, url);
    }
    assert.deepEqual((await get('/log/proof/consistency?from=0&to=5')).json(), { from: 0, to: 5, proof: [] });
  });
});
