import type { FastifyRequest } from 'fastify';

type Bag = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const bag = (v: unknown): Bag => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Bag) : {});

/**
 * The account a request claims, as the rate limit counts it: the caller's account name together
 * with the credential it presents, read before any handler checks them. The credential is part of
 * the key so that a stranger who names someone's account with a wrong token counts against a bucket
 * of its own (and its address), never against the account it names. Undefined: no account (public
 * pages, logins, registration), and only the address is counted.
 *
 * Per dialect:
 * - national: AccountId + AccessToken (form or JSON body, appendix C);
 * - Sichuan: head.accountId + head.accessToken (6.2);
 * - Beijing: the session's access_token (query) or the H5 page's license_access_token;
 * - Zaozhuang: the OAuth2 access token (body, query or Authorization: Bearer, 3.13);
 * - YRD apps: the app ID header. Its requests are signed one by one, so there is no standing
 *   credential to pair it with: an unsigned request naming an app counts against that app until
 *   the signature check refuses it (the per-address limit bounds what one address can do so);
 * - the YRD peer face: the calling province (`from`), for the same reason.
 */
export function claimedAccount(req: FastifyRequest): string | undefined {
  const url = req.url;
  const body = bag(req.body);
  const query = bag(req.query);
  if (url.startsWith('/elssp/')) {
    const id = str(body.AccountId) ?? str(query.AccountId);
    return id && `national:${id}:${str(body.AccessToken) ?? str(query.AccessToken) ?? ''}`;
  }
  if (url.startsWith('/sichuan/')) {
    const head = bag(body.head);
    const id = str(head.accountId);
    return id && `sichuan:${id}:${str(head.accessToken) ?? ''}`;
  }
  if (url.startsWith('/beijing/api/')) {
    const token = str(query.access_token);
    return token && `beijing:${token}`;
  }
  if (url.startsWith('/beijing/web/')) {
    const token = str(query.license_access_token);
    return token && `beijing-view:${token}`;
  }
  if (url.startsWith('/license-api-release/')) {
    const header = req.headers.authorization;
    const bearer = header && /^bearer\s+/i.test(header) ? header.replace(/^bearer\s+/i, '').trim() : undefined;
    const token = bearer ?? str(body.access_token) ?? str(query.access_token);
    return token && `zaozhuang:${token}`;
  }
  if (url.startsWith('/yrd/v1/peer')) {
    const from = str(body.from);
    return from && `yrd-peer:${from}`;
  }
  if (url.startsWith('/yrd/')) {
    const app = req.headers['x-yrd-app-id'];
    return typeof app === 'string' && app !== '' ? `yrd:${app}` : undefined;
  }
  return undefined;
}
