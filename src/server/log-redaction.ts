import type { FastifyRequest } from 'fastify';

/**
 * What the node's log never holds in clear (seed 002 5.4.3 b: keys and secrets are not to leak):
 * credentials, wherever a request carries them. Query parameters and path tickets are cut out of
 * the logged URL by the request serializer; headers and any logged object's credential fields are
 * removed by pino's redaction.
 */
const CREDENTIAL_NAMES = [
  'access_token', 'license_access_token', 'auth_code', 'auth_code_qr', 'refresh_token', 'AccessToken', 'accessToken',
  'app_secret', 'appSecret', 'client_secret', 'secret', 'password', 'trustedToken', 'token', 'credential',
];
const CREDENTIAL_SET = new Set(CREDENTIAL_NAMES.map((n) => n.toLowerCase()));
const CENSOR = '[Redacted]';

/** pino `redact` paths: credential headers, and credential fields of any logged object one or two levels down. */
export const REDACT_PATHS = [
  'req.headers.authorization', 'req.headers.cookie', 'req.headers["x-yrd-signature"]',
  'res.headers["set-cookie"]',
  ...CREDENTIAL_NAMES.flatMap((n) => [n, `*.${n}`, `*.*.${n}`]),
];

/** The request as logged: Fastify's fields, with credentials in the query or a download path cut out. */
export function requestLogView(req: FastifyRequest) {
  return { method: req.method, url: redactUrl(req.url), host: req.host, remoteAddress: req.ip, remotePort: req.socket?.remotePort };
}

/** A request URL with every credential query value and download ticket replaced by [Redacted]. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  const path = (q < 0 ? url : url.slice(0, q)).replace(/\/files\/[^/?]+/, `/files/${CENSOR}`);
  if (q < 0) return path;
  const query = url.slice(q + 1).split('&').map((pair) => {
    const eq = pair.indexOf('=');
    const name = eq < 0 ? pair : pair.slice(0, eq);
    let decoded = name;
    try {
      decoded = decodeURIComponent(name);
    } catch { /* an undecodable name is logged as sent */ }
    return eq >= 0 && CREDENTIAL_SET.has(decoded.trim().toLowerCase()) ? `${name}=${CENSOR}` : pair;
  });
  return `${path}?${query.join('&')}`;
}

/** Fastify's logger option for a level: pino with the redaction above. */
export function loggerOptions(level: string) {
  return { level, redact: { paths: REDACT_PATHS, censor: CENSOR }, serializers: { req: requestLogView } };
}
