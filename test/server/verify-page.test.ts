import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { makeBackend, type Backend } from '../support/backends.js';
import { loadConfig } from '../../src/config.js';
import { openServices, type Services } from '../../src/node/services.js';
import { buildApp } from '../../src/server/app.js';
import { seedDemo, type DemoCredentials } from '../../src/node/demo.js';
import { fileOnPage } from '../../src/domain/page-verdict.js';

test('a file on the page of another certificate is that, whatever its own outcome', () => {
  assert.deepEqual(fileOnPage('genuine', 'Y', 'X'), { outcome: 'other-certificate', message: '该文件不是本页证照的文件：它属于另一张证照（Y）' });
  assert.deepEqual(fileOnPage('suspended', 'Y', 'X').outcome, 'other-certificate');
  assert.deepEqual(fileOnPage('genuine', 'X', 'X'), { outcome: 'genuine', message: '验证通过' });
  assert.deepEqual(fileOnPage('unsigned', undefined, 'X'), { outcome: 'unsigned', message: '文件未签章' });
});

describe('the verification page of one certificate and a file of another', () => {
  let b: Backend;
  let s: Services;
  let app: FastifyInstance;
  let creds: DemoCredentials;
  before(async () => {
    b = await makeBackend('postgres');
    s = await openServices({ ...loadConfig({ data: b.dataDir, databaseUrl: b.databaseUrl }, {}), areaCode: '110000' }, { warn: () => {} });
    app = await buildApp(s);
    creds = await seedDemo(s, 'http://127.0.0.1', () => {});
  });
  after(async () => {
    await app.close();
    await s.close();
    await b.cleanup();
  });

  test('a genuine file of certificate Y checked on the page of X is said to be of another certificate', async () => {
    const [x, y] = await Promise.all(creds.certificateIds.slice(0, 2).map((id) => s.certs.get(id)));
    const file = (await s.files.original(y!, 'pdf')).toString('base64');
    const alone = (await app.inject({ method: 'POST', url: '/verify/file', payload: { fileEntity: file } })).json();
    assert.equal(alone.certificate.id, y!.id);
    const onX = (await app.inject({ method: 'POST', url: '/verify/file', payload: { fileEntity: file, certificateId: x!.id } })).json();
    assert.deepEqual([onX.genuine, onX.outcome, onX.message], [false, 'other-certificate', `该文件不是本页证照的文件：它属于另一张证照（${y!.id}）`]);
    const onY = (await app.inject({ method: 'POST', url: '/verify/file', payload: { fileEntity: file, certificateId: y!.id } })).json();
    assert.deepEqual([onY.genuine, onY.outcome], [alone.genuine, alone.outcome]);
    // The page sends its certificate with the file, and knows its state to say first.
    const page = (await app.inject({ method: 'GET', url: `/verify/${encodeURIComponent(x!.id)}` })).body;
    assert.ok(page.includes(`const PAGE = {"id":"${x!.id}",`), 'the page names its certificate to the check');
    assert.ok(page.includes('certificateId: PAGE.id'));
    assert.ok(page.indexOf('id="state"') < page.indexOf('核验证照文件'), 'the state stands above the file check');
  });
});
