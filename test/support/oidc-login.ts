import { createHash, randomBytes } from 'node:crypto';

export interface OidcClient { clientId: string; clientSecret: string; redirectUri: string }

/**
 * A citizen signs in at a real OpenID Connect provider the way a browser would (authorization
 * code flow with PKCE: the provider's sign-in form posted with their password, redirects followed
 * with its cookies), and the client exchanges the code: the access token a unified identity
 * system holds for that citizen. Throws with the provider's page when the sign-in is refused.
 */
export async function citizenAccessToken(issuer: string, client: OidcClient, username: string, password: string): Promise<string> {
  const jar = new Map<string, string>();
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const go = async (url: string, init: RequestInit = {}) => {
    const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: cookie() } });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      jar.set(pair!.slice(0, i), pair!.slice(i + 1));
    }
    return res;
  };
  const verifier = randomBytes(32).toString('base64url');
  const auth = new URL(`${issuer}/auth`);
  Object.entries({
    client_id: client.clientId, response_type: 'code', scope: 'openid profile idcard', redirect_uri: client.redirectUri, state: randomBytes(8).toString('hex'),
    nonce: randomBytes(8).toString('hex'), code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256',
  }).forEach(([k, v]) => auth.searchParams.set(k, v));
  let res = await go(auth.href);
  let location = new URL(res.headers.get('location') ?? '', issuer);
  res = await go(`${location.href.replace(/\/$/, '')}/login`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ username, password }).toString(),
  });
  if (res.status !== 303 && res.status !== 302) throw new Error(`sign-in refused (${res.status}): ${await res.text()}`);
  for (let hops = 0; hops < 10; hops++) {
    location = new URL(res.headers.get('location') ?? '', issuer);
    if (location.href.startsWith(client.redirectUri)) break;
    res = await go(location.href);
  }
  const code = location.searchParams.get('code');
  if (!code) throw new Error(`no code: ${location.href}`);
  const token = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: client.redirectUri, code_verifier: verifier }).toString(),
  });
  const json = (await token.json()) as { access_token?: string };
  if (!json.access_token) throw new Error(`token endpoint: ${JSON.stringify(json)}`);
  return json.access_token;
}
