import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { exportJWK, generateKeyPair } from 'jose';
import { hashSecret, verifySecret } from '../../crypto/password.js';
import { loginPage } from './login-page.js';

/** A citizen the demo provider knows: the real-name account a unified identity system would hold. */
export interface DemoCitizen { username: string; password: string; name: string; idNumber: string }

/** A relying party of the provider (the node's portal, the Beijing unified identity system). */
export interface DemoClient { clientId: string; clientSecret: string; redirectUris: string[] }

export interface DemoProvider {
  issuer: string;
  close(): Promise<void>;
}

/** The scope whose claim carries the identity number (the node reads it from userinfo, claim `id_number`). */
export const ID_SCOPE = 'idcard';

/**
 * A real OpenID Connect provider (oidc-provider, certified by the OpenID Foundation) for the demo
 * and the tests: authorization code flow with PKCE, signed ID tokens (RS256, a key made at start),
 * userinfo, discovery. Citizens sign in with a password on its own page (no development shortcut:
 * a wrong password is refused); first-party clients need no consent screen. State is in memory, so
 * it serves one process's demo, not production, where the node is pointed at the region's real
 * unified identity system by ZHENGZHAO_OIDC_ISSUER.
 */
export async function startDemoProvider(o: { host?: string; port?: number; citizens: DemoCitizen[]; clients: DemoClient[] }): Promise<DemoProvider> {
  const host = o.host ?? '127.0.0.1';
  const server = createServer();
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(o.port ?? 0, host, resolve); });
  const issuer = `http://${host}:${(server.address() as AddressInfo).port}`;
  const citizens = new Map(await Promise.all(o.citizens.map(async (c) => [c.username, { ...c, hash: await hashSecret(c.password) }] as const)));
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const config: Configuration = {
    clients: o.clients.map((c) => ({
      client_id: c.clientId, client_secret: c.clientSecret, redirect_uris: c.redirectUris,
      grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic',
    })),
    jwks: { keys: [{ ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid: randomBytes(6).toString('hex') }] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    claims: { openid: ['sub'], profile: ['name'], [ID_SCOPE]: ['id_number'] },
    scopes: ['openid', 'profile', ID_SCOPE],
    // Confidential clients too: the node always sends a code challenge.
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false }, userinfo: { enabled: true }, revocation: { enabled: true } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx, sub) => {
      const c = [...citizens.values()].find((x) => x.username === sub);
      return c ? { accountId: sub, claims: () => ({ sub, name: c.name, id_number: c.idNumber }) } : undefined;
    },
    // The node's own portal and the region's identity system are first-party: signing in is the consent.
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session!.grantIdFor(ctx.oidc.client!.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId });
      grant.addOIDCScope(`openid profile ${ID_SCOPE}`);
      await grant.save();
      return grant;
    },
    ttl: { AccessToken: 3600, AuthorizationCode: 60, IdToken: 3600, Interaction: 600, Session: 3600, Grant: 3600 },
  };
  const provider = new Provider(issuer, config);
  const handle = provider.callback();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const m = /^\/interaction\/([\w-]+)(\/login)?$/.exec((req.url ?? '').split('?')[0]!);
    if (!m) return void handle(req, res);
    void interaction(provider, citizens, req, res, m[2] !== undefined).catch(() => {
      if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('登录会话已失效，请从应用重新发起登录 (the sign-in session expired; start again from the application)');
    });
  });
  return { issuer, close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
}

/** The sign-in page and its form post: a citizen's username and password, checked against the stored hash. */
async function interaction(provider: Provider, citizens: Map<string, DemoCitizen & { hash: string }>, req: IncomingMessage, res: ServerResponse, posted: boolean): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  const send = (status: number, html: string) => {
    res.writeHead(status, {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
      'cache-control': 'no-store',
    });
    res.end(html);
  };
  if (details.prompt.name !== 'login') {
    // Consent is granted by loadExistingGrant; any other prompt just finishes.
    return provider.interactionFinished(req, res, {}, { mergeWithLastSubmission: true });
  }
  if (!posted || req.method !== 'POST') return send(200, loginPage(details.uid, ''));
  const form = new URLSearchParams(await bodyOf(req));
  const username = form.get('username') ?? '';
  const c = citizens.get(username);
  // The form again, with the refusal (200: a page to fill in, not an API refusal).
  if (!c || !(await verifySecret(form.get('password') ?? '', c.hash))) return send(200, loginPage(details.uid, '用户名或密码错误', username));
  return provider.interactionFinished(req, res, { login: { accountId: c.username } }, { mergeWithLastSubmission: false });
}

function bodyOf(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => { data += d; if (data.length > 8192) req.destroy(); });
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

