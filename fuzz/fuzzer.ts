import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { loadConfig } from '../src/config.js';
import { openServices } from '../src/node/services.js';
import { buildApp } from '../src/server/app.js';
import { seedDemo, type DemoCredentials } from '../src/node/demo.js';
import { AccountService } from '../src/core/accounts.js';
import { cstCompactDate } from '../src/domain/dates.js';
import { signingString } from '../src/core/trusted-access/apps.js';
import { sm2PrivateKeyFromPem, sm2Sign } from '../src/crypto/sm2.js';
import { internalText, envelopeProblem } from './oracle.js';
import { mulberry32, type Rng } from './rng.js';

/**
 * A seeded, bounded fuzzer of a demo node's HTTP face: every route Fastify registered (each dialect,
 * the public pages, the admin API), requested with hostile input (NUL bytes, lone surrogates,
 * repeated query parameters, wrong types, bad percent-encodings and UTF-8, oversized bodies, unknown
 * content types), half of them with valid credentials so they reach the handlers. It counts answers
 * with HTTP 5xx and answers carrying internal texts (stack traces, database errors, Fastify's default
 * error format, "undefined"), and answers outside their dialect's envelope.
 */
export interface FuzzOptions {
  requests: number;
  seed: number;
  dataDir: string;
  databaseUrl?: string;
  /** Requests in flight at once (several share one group commit of usage records). */
  concurrency?: number;
  progress?: (done: number, total: number) => void;
}

export interface Finding { method: string; url: string; status: number; problem: string; excerpt: string }

export interface FuzzReport {
  requests: number;
  serverErrors: number;
  internalTexts: number;
  wrongEnvelopes: number;
  /** Errors the node logged: failures hidden behind an envelope's "other error" code. */
  loggedErrors: number;
  routes: number;
  routesHit: number;
  /** The first findings of each kind per route, for a reader to reproduce. */
  findings: Finding[];
}

interface Route { method: string; url: string }

/** Runs the fuzzer against a demo node on the given data; the node lives only for the run. */
export async function fuzz(o: FuzzOptions): Promise<FuzzReport> {
  const cfg = { ...loadConfig({ data: o.dataDir, databaseUrl: o.databaseUrl }, {}), areaCode: '110000' };
  const s = await openServices(cfg, { warn: () => {} });
  const routes: Route[] = [];
  // What the node logs as an error is a failure the answer may hide (HTTP 200 with code 99): counted too.
  const logged: string[] = [];
  const logger = pino({ level: 'error' }, { write: (line: string) => { logged.push(line); } });
  const app = await buildApp(s, {
    loggerInstance: logger,
    adminToken: randomBytes(16).toString('hex'),
    onRoute: (r) => { for (const m of [r.method].flat()) routes.push({ method: m, url: r.url }); },
  });
  try {
    await app.ready();
    const creds = await seedDemo(s, 'http://127.0.0.1', () => {});
    const keys = await credentials(app, creds);
    logged.length = 0;
    const report = await run(app, routes, new Generator(mulberry32(o.seed), creds, keys, cfg.bodyLimitBytes), o);
    report.loggedErrors = logged.length;
    report.findings.push(...[...new Set(logged.map(logSummary))].slice(0, 20).map((l) => ({ method: '', url: '', status: 0, problem: 'logged error', excerpt: l })));
    return report;
  } finally {
    await app.close();
    await s.close();
  }
}

interface Keys { national: { id: string; token: string }; beijing: string; zaozhuang: string; yrd: { appId: string; key: string } }

async function credentials(app: FastifyInstance, c: DemoCredentials): Promise<Keys> {
  const login = await app.inject({ method: 'POST', url: '/beijing/api/security/login', payload: { app_key: c.beijing!.appKey, app_secret: c.beijing!.appSecret, account: c.beijing!.account, password: c.beijing!.password } });
  const oauth = await app.inject({
    method: 'POST', url: '/license-api-release/oauth/token',
    payload: { client_id: c.zaozhuang!.clientId, client_secret: c.zaozhuang!.clientSecret, grant_type: 'password', scope: 'read write', username: c.zaozhuang!.username, password: c.zaozhuang!.password },
  });
  const national = { id: c.national.accountId, token: AccountService.expectedToken({ id: c.national.accountId, scheme: 'hmac-sm3', secret: c.national.secret }, cstCompactDate(new Date())) };
  return {
    national,
    beijing: (login.json() as { access_token: string }).access_token,
    zaozhuang: (oauth.json() as { access_token: string }).access_token,
    yrd: { appId: c.yrd!.appId, key: sm2PrivateKeyFromPem(c.yrd!.privateKeyPem) },
  };
}

async function run(app: FastifyInstance, routes: Route[], g: Generator, o: FuzzOptions): Promise<FuzzReport> {
  const report: FuzzReport = { requests: 0, serverErrors: 0, internalTexts: 0, wrongEnvelopes: 0, loggedErrors: 0, routes: routes.length, routesHit: 0, findings: [] };
  const hit = new Set<number>();
  const noted = new Set<string>();
  const note = (r: Route, f: Finding) => {
    const key = `${r.method} ${r.url} ${f.problem.split(':')[0]}`;
    if (noted.has(key)) return;
    noted.add(key);
    report.findings.push(f);
  };
  let next = 0;
  const stats = new Map<string, number>();
  const worker = async () => {
    while (next < o.requests) {
      const i = next++;
      // Every route in turn first, then at random: a short run still covers them all.
      const ri = i < routes.length ? i : g.rng.int(routes.length);
      const route = routes[ri]!;
      const req = g.request(route);
      let res: LightMyRequestResponse;
      try {
        res = await app.inject(req);
      } catch (err) {
        report.serverErrors++;
        note(route, { method: req.method, url: req.url, status: 0, problem: '5xx: inject failed', excerpt: String(err).slice(0, 300) });
        continue;
      }
      hit.add(ri);
      report.requests++;
      const body = res.body;
      if (process.env.FUZZ_STATS) {
        const code = /"(?:status|code|ack_code|ifResult)":"?([\w-]+)/.exec(body)?.[1] ?? '';
        const key = `${route.url.split('/').slice(0, 3).join('/')} ${res.statusCode} ${code}`;
        stats.set(key, (stats.get(key) ?? 0) + 1);
      }
      if (res.statusCode >= 500) {
        report.serverErrors++;
        note(route, { method: req.method, url: req.url, status: res.statusCode, problem: '5xx', excerpt: body.slice(0, 300) });
      }
      const internal = internalText(body, requestText(req));
      if (internal) {
        report.internalTexts++;
        note(route, { method: req.method, url: req.url, status: res.statusCode, problem: `internal: ${internal}`, excerpt: body.slice(0, 300) });
      }
      const wrong = req.method === 'HEAD' ? undefined : envelopeProblem(req.url, res.headers['content-type'], body);
      if (wrong) {
        report.wrongEnvelopes++;
        note(route, { method: req.method, url: req.url, status: res.statusCode, problem: `envelope: ${wrong}`, excerpt: body.slice(0, 300) });
      }
      if (report.requests % 1000 === 0) o.progress?.(report.requests, o.requests);
    }
  };
  await Promise.all(Array.from({ length: o.concurrency ?? 8 }, worker));
  report.routesHit = hit.size;
  if (process.env.FUZZ_STATS) console.error([...stats].sort().map(([k, n]) => `${n}\t${k}`).join('\n'));
  return report;
}

/** A logged error in one line: its message, the error's message and first frame. */
function logSummary(line: string): string {
  try {
    const l = JSON.parse(line) as { msg?: string; err?: { message?: string; stack?: string }; req?: { url?: string } };
    const frame = l.err?.stack?.split('\n').find((x) => x.includes('/src/'))?.trim() ?? '';
    return `${l.msg}: ${l.err?.message ?? ''} ${frame}`;
  } catch {
    return line.slice(0, 300);
  }
}

/** The request as text, its URL decoded where it can be: what an answer may echo. */
function requestText(req: Injected): string {
  let url = req.url;
  try { url = decodeURIComponent(url); } catch { /* left as sent */ }
  return `${url} ${req.payload?.toString() ?? ''}`;
}

type Injected = { method: string; url: string; headers: Record<string, string>; payload?: string | Buffer };

/** Parameter names each dialect reads (by path prefix), so generated requests reach past "missing parameter". */
const NAMES: Readonly<Record<string, readonly string[]>> = {
  '/elssp': ['CertificateHolderCode', 'CertificateHolderType', 'CertificateType', 'CertificateNumber', 'CertificateID', 'UseFor', 'CertificateData', 'FileFormat', 'Mode', 'certificateHolderCode', 'useFor'],
  '/sichuan': ['certificateHolderCode', 'certificateHolderType', 'certificateType', 'certificateID', 'certificateNumber', 'useFor', 'encryptedId', 'fileEntity', 'fileFormat', 'systemName', 'systemIp', 'deptCode', 'deptName', 'qrValue', 'content', 'contentType', 'expiryTime', 'certificateData'],
  '/beijing': ['data_fields', 'license_code', 'license_codes', 'licenses', 'license_group', 'reason', 'division_code', 'service_item_code', 'service_item_name', 'biz_num', 'credential', 'identity_number', 'auth_code', 'show_sensitive_data', 'id_code', 'page_index', 'page_size', 'keyword', 'status', 'is_open', 'app_key', 'app_secret', 'account', 'password', 'org_code', 'correlation_id', 'license_access_token', 'file_type'],
  '/license-api-release': ['certificateHolderCode', 'certificateHolderCodeType', 'certificateHolderType', 'certificateCopyCause', 'certificateSystemName', 'certificateMatterName', 'certificateCallCategory', 'interfaceType', 'certificateIdentifier', 'certificateTypeCode', 'certificateType', 'certificateName', 'certificateNumber', 'qrCode', 'fileEntity', 'fileFormat', 'issueDate', 'issueDept', 'issueDeptCode', 'certificateValidateStart', 'certificateValidateEnd', 'grant_type', 'client_id', 'client_secret', 'scope', 'username', 'password', 'refresh_token'],
  '/yrd': ['trustedToken', 'transactionId', 'authType', 'idType', 'idNo', 'permission', 'itemCode', 'itemName', 'itemOrg', 'UseFor', 'useCause', 'CertificateID', 'CertificateType', 'qrcode', 'qrCode', 'fileEntity', 'fileFormat', 'appID', 'appSecret', 'corpName', 'corpCode', 'tokenId', 'serviceCode', 'from', 'timestamp', 'data', 'signKid', 'signature'],
  '': ['fileEntity', 'fileFormat', 'id', 'name', 'code', 'status', 'ips', 'scheme', 'clientId', 'secret', 'scopes'],
};

const HOSTILE_TEXT = [
  '\u0000', 'a\u0000b', '\ud800', 'x\udfffy', '\ud83d', '\udc00\ud800', '', ' ', 'undefined', 'null', 'NaN', '-1', '0', '1e309', '0x10',
  '%00', '../../etc/passwd', "' or 1=1 --", '<script>alert(1)</script>', '\u202e', '\ufeff', '😀', '𠀀', '\r\n\t', '{"a":', '[]',
  '9999-99-99', '2024-02-30', 'Ｐａｔｈ', '１１０１０５', '\u0007', 'A'.repeat(5000), '{"a":"\\u0000"}', '{"x":"\\ud800"}',
];
const HOSTILE_VALUES: readonly unknown[] = [0, -1, 1.5, 1e308, 2 ** 53 + 1, true, false, null, [], ['x', 'y'], {}, { a: '\u0000' }, [[[[[]]]]], { toString: 'x' }];
const BAD_PATHS = ['%00', 'a%00b', '%ED%A0%80', '%', '%zz', '%E0%A4%A', '..%2F..%2F', '%C0%AE', 'x'.repeat(1100), '%F0%9F%98%80', 'undefined', '%20', ''];
const BAD_QUERIES = ['%', '%zz=1', 'a=%E0%A4%A', 'a=%ED%A0%80', '=', '&&', 'a[b]=1', '__proto__=x', 'constructor[prototype][x]=1', 'UseFor=%00', 'x=%ED%B0%80'];
const RAW_BODIES: readonly (string | Buffer)[] = ['{"a":', '{"UseFor":"\\u0000"}', '{"a":"\\ud800"}', '{"__proto__":{"x":1}}', '[', 'null', '1', '"x"', '%', 'a=%E0%A4%A&b', '',
  Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc0, 0x22, 0x7d]), Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]), '{"a":1}'.repeat(3), '[1,2]', '{"head":null,"data":[]}'];
const CONTENT_TYPES = ['text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/pdf', 'application/octet-stream', 'image/png',
  'application/json; charset=gbk', 'application/json; charset=utf-16', 'application/json;charset=UTF-8', 'APPLICATION/JSON', 'application/json; charset=nonsense', 'application/x-www-form-urlencoded; charset=gbk'];

type Mutation = 'text' | 'type' | 'repeat' | 'path' | 'query' | 'raw' | 'content-type' | 'oversized' | 'no-credentials' | 'extra' | 'form';
const MUTATIONS: readonly Mutation[] = ['text', 'text', 'text', 'type', 'type', 'repeat', 'repeat', 'path', 'query', 'raw', 'content-type', 'oversized', 'no-credentials', 'extra', 'form', 'form'];

/**
 * Builds one request: a plausible call of the route (the dialect's parameter names with values from
 * the demo data, valid credentials where the dialect reads them), then zero to two mutations.
 */
class Generator {
  private readonly big: string;
  constructor(readonly rng: Rng, private readonly c: DemoCredentials, private readonly k: Keys, bodyLimit: number) {
    this.big = JSON.stringify({ UseFor: 'x'.repeat(bodyLimit + 16) });
  }

  /** A plausible value for a parameter, by what its name says it holds. */
  private valid(name = ''): unknown {
    const r = this.rng;
    const h = r.pick(this.c.holders);
    if (/holder.*code$|credential|identity_number|idNo|id_code/i.test(name)) return h.code;
    if (/holder.*type|codeType|idType/i.test(name)) return h.codeType;
    if (/certificateID|license_code$|certificateIdentifier|^id$/i.test(name)) return r.pick(this.c.certificateIds);
    if (/license_codes/.test(name)) return [r.pick(this.c.certificateIds)];
    if (/usefor|cause|reason/i.test(name)) return r.pick(['办理演示业务', '01', '02']);
    if (/service_item_code|itemCode/i.test(name)) return r.pick(['110105MZ001', this.c.yrd!.scene.itemCode]);
    if (/service_item_name|itemName/i.test(name)) return r.pick(['婚姻登记', this.c.yrd!.scene.itemName]);
    if (/format|file_type/i.test(name)) return r.pick(['pdf', 'ofd', 'PDF']);
    if (/interfaceType|authType|mode/i.test(name)) return r.pick(['0', '1', '2']);
    if (/type/i.test(name)) return r.pick(['结婚证', '机动车驾驶证', '居民身份证']);
    if (/page/.test(name)) return r.pick(['1', 1, '10']);
    return r.pick<unknown>([h.code, h.name, r.pick(this.c.certificateIds), '110105MZ001', '婚姻登记', 'pdf', '01', '111', '0', '1', '2024-01-01', '办理演示业务', 'PUBLISH', 'true']);
  }

  private hostile(): unknown {
    const r = this.rng;
    return r.int(3) === 0 ? r.pick(HOSTILE_VALUES) : r.pick(HOSTILE_TEXT) + (r.int(3) === 0 ? String(this.valid()) : '');
  }

  private names(url: string): readonly string[] {
    const prefix = Object.keys(NAMES).find((p) => p && url.startsWith(p)) ?? '';
    return NAMES[prefix]!;
  }

  /** The route's path with each parameter filled with a plausible value. */
  private path(url: string, bad: boolean): string {
    return url.replace(/:[A-Za-z_]+|\*/g, (m) => {
      if (bad) return this.rng.pick(BAD_PATHS);
      if (m === ':token' || m === ':interface' || m === ':decision' || m === '*') return encodeURIComponent(String(this.valid()));
      return encodeURIComponent(String(this.valid(m.slice(1))));
    });
  }

  /** A value as it travels in a query or form: percent-encoded when it can be, raw bytes otherwise. */
  private encoded(v: unknown): string {
    const text = typeof v === 'string' ? v : JSON.stringify(v) ?? '';
    return text.isWellFormed() ? encodeURIComponent(text) : text.replace(/[\ud800-\udfff]/g, '%ED%A0%80');
  }

  /** Valid credentials for the dialect of a path, in the places that dialect reads them. */
  private credentials(url: string, query: [string, unknown][], body: Record<string, unknown>, headers: Record<string, string>): void {
    if (url.startsWith('/elssp')) {
      if (url.includes('/v1/') && /query|downloadfile|queryinfo|verifyinfo/.test(url)) body.head = { accountId: this.k.national.id, accessToken: this.k.national.token };
      else Object.assign(body, { AccountId: this.k.national.id, AccessToken: this.k.national.token });
    } else if (url.startsWith('/sichuan')) {
      body.head = { accountId: this.c.sichuan!.accountId, accessToken: this.c.sichuan!.accessToken };
    } else if (url.startsWith('/beijing/api') && !url.endsWith('/logout')) {
      query.push(['access_token', this.k.beijing]);
    } else if (url.startsWith('/license-api-release')) {
      headers.authorization = `Bearer ${this.k.zaozhuang}`;
    }
  }

  request(route: Route): Injected {
    const r = this.rng;
    const method = route.method;
    const mutations = new Set<Mutation>(Array.from({ length: r.int(3) }, () => r.pick(MUTATIONS)));
    const headers: Record<string, string> = {};
    const names = this.names(route.url);
    // The parameters: the dialect's names with plausible values, in the body (POST) or the query (GET).
    const fields: Record<string, unknown> = {};
    for (let i = 1 + r.int(4); i > 0; i--) {
      const name = r.pick(names);
      fields[name] = this.valid(name);
    }
    if (route.url.startsWith('/sichuan') || (route.url.startsWith('/elssp') && r.int(2) === 0 && !route.url.includes('/v1/Retrieval'))) {
      // Sichuan (and the GB/T 36906 names) read {head, data}.
      const data = { ...fields };
      for (const k of Object.keys(fields)) delete fields[k];
      fields.data = data;
    }
    const query: [string, unknown][] = [];
    const body: Record<string, unknown> = method === 'GET' || method === 'HEAD' ? {} : fields;
    if (body !== fields) for (const [k, v] of Object.entries(fields)) query.push([k, v]);
    if (!mutations.has('no-credentials')) this.credentials(route.url, query, body, headers);
    const target = (): Record<string, unknown> => {
      const d = body.data;
      return typeof d === 'object' && d !== null && !Array.isArray(d) && r.int(2) === 0 ? (d as Record<string, unknown>) : body;
    };
    if (mutations.has('text') || mutations.has('type')) {
      const value = mutations.has('text') ? r.pick(HOSTILE_TEXT) : r.pick(HOSTILE_VALUES);
      if (query.length > 0 && (body === fields ? r.int(3) === 0 : true)) query[r.int(query.length)]![1] = value;
      else target()[r.int(5) === 0 ? r.pick(HOSTILE_TEXT) : r.pick([...Object.keys(target()), r.pick(names)])] = value;
    }
    if (mutations.has('extra')) target()[r.pick(Object.values(NAMES).flat())] = this.hostile();
    if (mutations.has('repeat')) {
      const [name, v] = query.length > 0 ? r.pick(query) : [r.pick(['access_token', ...names]), this.valid()];
      query.push([name, r.int(2) === 0 ? v : this.valid(name)]);
    }
    let url = this.path(route.url, mutations.has('path'));
    const q = query.map(([k, v]) => `${this.encoded(k)}=${this.encoded(v)}`);
    if (mutations.has('query')) q.push(r.pick(BAD_QUERIES));
    if (q.length > 0) url += `?${q.join('&')}`;
    if (method === 'GET' || method === 'HEAD' || method === 'DELETE' || method === 'OPTIONS') return { method, url, headers };
    let payload: string | Buffer;
    if (mutations.has('oversized')) {
      headers['content-type'] = 'application/json';
      payload = this.big;
    } else if (mutations.has('raw')) {
      headers['content-type'] = r.pick(['application/json', 'application/x-www-form-urlencoded']);
      payload = r.pick(RAW_BODIES);
    } else if (mutations.has('form')) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      payload = Object.entries(body).map(([k, v]) => `${this.encoded(k)}=${this.encoded(v)}`).join('&');
    } else {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    if (mutations.has('content-type')) {
      const type = r.pick([...CONTENT_TYPES, '']);
      if (type) headers['content-type'] = type; else delete headers['content-type'];
    }
    if (route.url.startsWith('/yrd/v1') && r.int(8) !== 0) this.sign(method, url, payload, headers);
    return { method, url, headers, payload };
  }

  /** Signs as the demo's trusted app, as test/support/yrd-app.ts does, so YRD calls reach their handlers. */
  private sign(method: string, url: string, payload: string | Buffer, headers: Record<string, string>): void {
    const timestamp = String(Date.now());
    const nonce = randomBytes(16).toString('hex');
    const bytes = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
    headers['x-yrd-app-id'] = this.k.yrd.appId;
    headers['x-yrd-timestamp'] = timestamp;
    headers['x-yrd-nonce'] = nonce;
    headers['x-yrd-signature'] = sm2Sign(Buffer.from(signingString(method, url, timestamp, nonce, bytes)), this.k.yrd.key).toString('base64');
  }
}
