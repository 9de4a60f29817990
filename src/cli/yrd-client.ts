import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { DemoYrdApp } from '../node/demo.js';
import { signingString } from '../core/trusted-access/apps.js';
import { sm2Encrypt, sm2PrivateKeyFromPem, sm2Sign } from '../crypto/sm2.js';

/**
 * `zhengzhao yrd …`: a trusted app's side of the YRD interface, for trying a node by hand. Every
 * request there is signed with the app's SM2 key (curl cannot), and table 9 wants the identity
 * number encrypted to the platform key; this does both with the demo app that `npm start` registered
 * (DIR/demo-credentials.json), or with an app named by flags.
 */
export function registerYrdClientCommands(program: Command): void {
  const yrd = program.command('yrd').description('call the YRD interface (seed 004) as a trusted app: signs requests, encrypts idNo');
  const withApp = (cmd: Command) => cmd
    .option('--data <dir>', 'data directory whose demo-credentials.json names the demo app')
    .option('--url <url>', 'the node\'s /yrd/v1 root (default: the demo\'s)')
    .option('--app-id <id>', 'appID (default: the demo app\'s)')
    .option('--key <pem-file>', 'the app\'s private key as registration returned it (PEM file)')
    .option('--platform-key <hex>', 'the platform key idNo is encrypted to (registration returned it)');

  withApp(yrd.command('token <idNo>').description('table 9 by an identity card read (authType 2): prints the trusted token'))
    .option('--permission <p>', 'ops@types, e.g. retrieve,info,download,usage@*')
    .action(async (idNo: string, flags: AppFlags & { permission?: string }) => {
      const app = appOf(flags);
      const reply = await signedCall(app, '/trusted-tokens', {
        transactionId: `CLI${randomBytes(4).toString('hex')}`, authType: '2', idType: '1',
        idNo: sm2Encrypt(Buffer.from(idNo), app.platformPublicKey).toString('hex'), ...(flags.permission ? { permission: flags.permission } : {}),
      });
      if (reply.code !== 0) fail(reply);
      console.log((reply.data as { trustedToken: string }).trustedToken);
    });

  withApp(yrd.command('call <path> [json]').description('a signed POST to /yrd/v1<path>; the demo scene (UseFor, itemCode, …) is added where the body lacks it'))
    .option('--no-scene', 'send the body as given')
    .action(async (path: string, json: string | undefined, flags: AppFlags & { scene: boolean }) => {
      const app = appOf(flags);
      let body: Record<string, unknown>;
      try {
        body = json ? (JSON.parse(json) as Record<string, unknown>) : {};
      } catch {
        throw new Error('json: not a JSON object');
      }
      const scene = flags.scene && app.scene ? { UseFor: '演示', operator: '演示操作员', bizNum: `CLI-${Date.now()}`, ...app.scene } : {};
      const reply = await signedCall(app, path.startsWith('/') ? path : `/${path}`, { ...scene, ...body });
      console.log(JSON.stringify(reply, null, 2));
      // The whole reply is printed either way; a refusal (any code but 0) fails the command.
      if (reply.code !== 0) process.exitCode = 1;
    });
}

interface AppFlags { data?: string; url?: string; appId?: string; key?: string; platformKey?: string }
interface App { apiRoot: string; appId: string; keyHex: string; platformPublicKey: string; scene?: DemoYrdApp['scene'] }

function appOf(flags: AppFlags): App {
  const file = join(resolve(flags.data ?? process.env.ZHENGZHAO_DATA ?? './data'), 'demo-credentials.json');
  const demo = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { yrd?: DemoYrdApp }).yrd : undefined;
  const pem = flags.key ? readFileSync(flags.key, 'utf8') : demo?.privateKeyPem;
  const app = { apiRoot: flags.url ?? demo?.apiRoot, appId: flags.appId ?? demo?.appId, pem, platformPublicKey: flags.platformKey ?? demo?.platformPublicKey };
  if (!app.apiRoot || !app.appId || !app.pem || !app.platformPublicKey) {
    throw new Error(`no YRD app: run \`npm start\` (the demo registers one in ${file}) or give --url, --app-id, --key and --platform-key`);
  }
  return { apiRoot: app.apiRoot.replace(/\/+$/, ''), appId: app.appId, keyHex: sm2PrivateKeyFromPem(app.pem), platformPublicKey: app.platformPublicKey, scene: demo?.scene };
}

async function signedCall(app: App, path: string, body: unknown): Promise<{ code: number; msg: string; data?: unknown }> {
  const raw = JSON.stringify(body);
  const url = new URL(`${app.apiRoot}${path}`);
  const timestamp = String(Date.now());
  const nonce = randomBytes(16).toString('hex');
  const signature = sm2Sign(Buffer.from(signingString('POST', url.pathname, timestamp, nonce, Buffer.from(raw))), app.keyHex).toString('base64');
  const res = await fetch(url, {
    method: 'POST', body: raw,
    headers: { 'content-type': 'application/json', 'x-yrd-app-id': app.appId, 'x-yrd-timestamp': timestamp, 'x-yrd-nonce': nonce, 'x-yrd-signature': signature },
  });
  return (await res.json()) as { code: number; msg: string; data?: unknown };
}

function fail(reply: { code: number; msg: string }): never {
  throw new Error(`${reply.code} ${reply.msg}`);
}
