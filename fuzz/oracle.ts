/**
 * What an answer to hostile input must never carry: the texts of internals that leak through a
 * careless error path. Each pattern names what it catches, for the report.
 */
export const INTERNAL_TEXTS: readonly { name: string; pattern: RegExp; echoable?: boolean }[] = [
  { name: 'stack trace', pattern: /\bat (?:async )?[\w.$<>[\] ]+ \((?:file:|node:|\/)[^)]*:\d+:\d+\)|\.(?:ts|js):\d+:\d+/ },
  { name: 'database error', pattern: /SQLSTATE|PostgreSQL|postgres|invalid byte sequence|invalid input syntax|violates (?:unique|foreign|not-null|check)|duplicate key|syntax error at|unsupported Unicode escape|cannot be converted to text|value too long for type|out of range for type|relation "|column "|pg_/i },
  { name: 'Fastify error code', pattern: /FST_[A-Z_]+/ },
  { name: 'Fastify default error format', pattern: /^\{"statusCode":\d{3},("code":"[^"]*",)?"error":"[^"]*","message":/ },
  { name: 'undefined or NaN in a message', pattern: /\bundefined\b|\bNaN\b|\[object Object\]/, echoable: true },
  { name: 'JavaScript error', pattern: /\b(?:TypeError|ReferenceError|RangeError|SyntaxError|URIError)\b|Cannot read propert|is not a function|is not iterable/ },
];

/**
 * The internal text an answer carries, if any. A word the request itself sent ("undefined" in a
 * path the answer names) is an echo, not an internal.
 */
export function internalText(body: string, request: string): string | undefined {
  for (const t of INTERNAL_TEXTS) {
    const m = t.pattern.exec(body);
    if (m && !(t.echoable && request.includes(m[0]))) return t.name;
  }
  return undefined;
}

/** The envelope each part of the HTTP face answers in, by path prefix; the first match decides. */
const ENVELOPES: readonly { prefix: string; name: string; ok: (json: unknown, type: string) => boolean }[] = [
  { prefix: '/elssp/', name: 'national head/data', ok: (j) => isObj(j) && isObj(j.head) && typeof j.head.status === 'string' },
  { prefix: '/sichuan/', name: 'Sichuan head or ifResult', ok: (j) => isObj(j) && ((isObj(j.head) && typeof j.head.status === 'string') || typeof j.ifResult === 'string') },
  { prefix: '/beijing/api/', name: 'Beijing ack_code', ok: (j) => isObj(j) && typeof j.ack_code === 'string' },
  { prefix: '/beijing/web/', name: 'an HTML page', ok: (_j, type) => type.startsWith('text/html') },
  { prefix: '/license-api-release/oauth/', name: 'OAuth2 token or error', ok: (j) => isObj(j) && (typeof j.access_token === 'string' || typeof j.error === 'string') },
  { prefix: '/license-api-release/', name: 'Zaozhuang head/data', ok: (j) => isObj(j) && isObj(j.head) && 'status' in j.head },
  { prefix: '/yrd/v1/peer/', name: 'YRD peer envelope or error', ok: (j) => isObj(j) && (isObj(j.error) || typeof j.signature === 'string') },
  { prefix: '/log/', name: 'a signed note (text/plain), a tile or a JSON object', ok: (j, type) => type.startsWith('text/plain') || type.startsWith('application/octet-stream') || isObj(j) },
  // The OpenAPI documents (JSON, YAML) and their browsable page's own files (src/server/openapi.ts); its index redirects (empty).
  { prefix: '/openapi/', name: 'an API document or a file of its page', ok: (j, type) => isObj(j) || type === '' || /^(?:text\/(?:html|css|javascript|plain|yaml)|application\/(?:javascript|x-yaml|yaml)|image\/)/.test(type) },
  { prefix: '/yrd/', name: 'YRD code/msg', ok: (j) => isObj(j) && typeof j.code === 'number' && typeof j.msg === 'string' },
];

const isObj = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Why an answer is not in its envelope, or undefined when it is. Public pages: a page, a file, or a JSON object. */
export function envelopeProblem(url: string, contentType: string | number | string[] | undefined, body: string): string | undefined {
  const type = String(contentType ?? '').toLowerCase();
  const path = url.split('?')[0]!;
  const e = ENVELOPES.find((x) => path.startsWith(x.prefix) || path === x.prefix.slice(0, -1));
  let json: unknown;
  if (type.includes('json')) {
    try { json = JSON.parse(body); } catch { return 'a JSON content type with a body that is not JSON'; }
  }
  if (e) return e.ok(json, type) ? undefined : `not in the ${e.name} envelope`;
  if (type.startsWith('text/html') || type.startsWith('application/pdf') || type.startsWith('application/ofd') || type.startsWith('image/')) return undefined;
  if (body === '') return undefined;
  return isObj(json) ? undefined : 'a public answer that is neither a page nor a JSON object';
}
