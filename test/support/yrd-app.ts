import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { sm2Encrypt, sm2PrivateKeyFromPem, sm2Sign } from '../../src/crypto/sm2.js';
import { signingString } from '../../src/core/trusted-access/apps.js';
import type { Backend } from './backends.js';
import { cli } from './node-process.js';

/** A trusted app of one YRD node as a test drives it: allocated, registered, signing its requests. */
export interface YrdApp {
  baseUrl: string;
  appId: string;
  secret: string;
  /** The application key registration handed out (hex). */
  key: string;
  /** The platform key identity numbers are encrypted to (hex). */
  platformKey: string;
}

/** `trusted-apps add` on the node's data, then table 8 over HTTP. */
export async function registeredApp(b: Backend, baseUrl: string, name: string, corp: { name: string; code: string }): Promise<YrdApp> {
  const made = cli(b, ['trusted-apps', 'add', '--name', name]);
  assert.equal(made.status, 0, made.stderr);
  const { appId, appSecret } = JSON.parse(made.stdout) as { appId: string; appSecret: string };
  const res = await fetch(`${baseUrl}/yrd/v1/apps/register`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ appID: appId, appSecret, corpName: corp.name, corpCode: corp.code }),
  });
  const r = (await res.json()) as { code: number; msg: string; data: { privateKey: string; platformPublicKey: string } };
  assert.equal(r.code, 0, r.msg);
  return { baseUrl, appId, secret: appSecret, key: sm2PrivateKeyFromPem(r.data.privateKey), platformKey: r.data.platformPublicKey };
}

/** A request signed as the app (X-Yrd-* headers over method, path, time, nonce and SM3 of the body); its reply and how long it took. */
export async function appCall(app: YrdApp, path: string, body: unknown): Promise<{ status: number; json: any; ms: number }> {
  const full = `/yrd/v1${path}`;
  const raw = JSON.stringify(body);
  const timestamp = String(Date.now());
  const nonce = randomBytes(16).toString('hex');
  const signature = sm2Sign(Buffer.from(signingString('POST', full, timestamp, nonce, Buffer.from(raw))), app.key).toString('base64');
  const t0 = Date.now();
  const res = await fetch(`${app.baseUrl}${full}`, {
    method: 'POST', body: raw,
    headers: { 'content-type': 'application/json', 'x-yrd-app-id': app.appId, 'x-yrd-timestamp': timestamp, 'x-yrd-nonce': nonce, 'x-yrd-signature': signature },
  });
  const json = await res.json();
  return { status: res.status, json, ms: Date.now() - t0 };
}

/** Table 9 by an identity card read (authType 2), the number encrypted to the platform key. */
export async function trustedToken(app: YrdApp, idNo: string, permission?: string): Promise<string> {
  const r = await appCall(app, '/trusted-tokens', {
    transactionId: `T${randomBytes(4).toString('hex')}`, authType: '2', idType: '1',
    idNo: sm2Encrypt(Buffer.from(idNo), app.platformKey).toString('hex'), ...(permission ? { permission } : {}),
  });
  assert.equal(r.json.code, 0, r.json.msg);
  return r.json.data.trustedToken as string;
}
