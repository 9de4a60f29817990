import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../../node/services.js';
import { wasRecorded } from '../../core/sharing.js';
import { TrustError } from '../../core/trusted-access/problems.js';
import { ReturnCode, ServiceError } from '../../domain/return-codes.js';
import { installErrorEnvelope, type TransportFailure } from '../errors.js';
import type { YrdCaller, YrdCallMeta } from './contract.js';
import { appendixCode, failureOf, OK } from './codes.js';
import { PEER_INTERFACES, yrdHandlers } from './handlers.js';
import { callContext } from './caller.js';
import { SCENE_NAMES, TABLE_NAMES } from './params.js';
import { BODIES, RESPONSE, SIGNED_HEADERS, schemaFailure } from './schemas.js';
import { installContract, schemaFailureOf } from '../contract.js';

export const YRD_ROOT = '/yrd';
const VERSION = '/v1';

/** The app face's paths (seed 004 names none): interface name by path under /yrd/v1. */
export const YRD_PATHS: Readonly<Record<string, string>> = {
  '/apps/register': 'RegisterApp',
  '/trusted-tokens': 'IssueTrustedToken',
  '/trusted-tokens/revoke': 'RevokeTrustedToken',
  '/trusted-tokens/requests': 'RequestHolderConsent',
  '/trusted-tokens/requests/status': 'HolderConsentStatus',
  '/certificates/retrieval': 'Retrieval',
  '/certificates/file-by-id': 'FileByCertificateID',
  '/certificates/file-by-holder': 'FileByHolder',
  '/certificates/info-by-id': 'InfoByCertificateID',
  '/certificates/info-by-holder': 'InfoByHolder',
  '/certificates/verify-file': 'VerifyFile',
  '/service-codes/decode': 'DecodeServiceCode',
  '/service-codes': 'IssueServiceCode',
  '/holder/usage': 'HolderUsage',
};

/** Headers of a signed app request (apps.ts signingString says what is signed). */
const H = { app: 'x-yrd-app-id', timestamp: 'x-yrd-timestamp', nonce: 'x-yrd-nonce', signature: 'x-yrd-signature' } as const;

const TRANSPORT: Record<TransportFailure, ReturnCode> = {
  'too-large': ReturnCode.Unparseable, 'unsupported-media': ReturnCode.Unparseable, 'malformed': ReturnCode.Unparseable,
  'not-found': ReturnCode.ServiceNotProvided, 'internal': ReturnCode.Other,
  // Seed 004's codes are the national appendix A plus its trust codes, none for "too many requests": 99 其他异常.
  'too-many': ReturnCode.Other,
};

declare module 'fastify' {
  interface FastifyRequest { yrdRawBody?: Buffer }
}

/**
 * The app face of the Yangtze River Delta interface: this node's trusted apps call the handlers
 * over HTTPS with a JSON body, every call but registration signed with the app certificate's key.
 * Every answer is `{code, msg, data}` (data only on success); transport failures answer in the
 * same envelope with HTTP 400/404/413/415.
 */
export async function yrdDialect(app: FastifyInstance, s: Services): Promise<void> {
  installErrorEnvelope(app, (kind, detail) => {
    const f = appendixCode(TRANSPORT[kind]);
    return { code: f.code, msg: `${f.msg}: ${detail}` };
  });
  // Every table types its inputs 字符串: nothing is coerced.
  installContract(app, { coerceScalars: false });
  // The signature covers the body's bytes as sent, so they are kept beside the parsed JSON.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body: Buffer, done) => {
    req.yrdRawBody = body;
    if (body.length === 0) return done(null, {});
    try {
      done(null, JSON.parse(body.toString('utf8')));
    } catch {
      done(Object.assign(new Error('the body is not JSON'), { statusCode: 400 }), undefined);
    }
  });

  const handlers = yrdHandlers(s);
  const recordedInterfaces = new Set<string>(PEER_INTERFACES);

  const authenticate = async (req: FastifyRequest): Promise<YrdCaller> => {
    const header = (n: string) => { const v = req.headers[n]; return typeof v === 'string' && v ? v : undefined; };
    const a = await s.trustedApps.authenticate({
      appId: header(H.app), timestamp: header(H.timestamp), nonce: header(H.nonce), signature: header(H.signature),
      method: req.method, path: req.url, body: req.yrdRawBody ?? Buffer.alloc(0),
    });
    return { kind: 'app', appId: a.appId, corpCode: a.corpCode, corpName: a.corpName };
  };

  for (const [path, name] of Object.entries(YRD_PATHS)) {
    const handler = handlers[name]!;
    const opts = name === 'VerifyFile' ? { bodyLimit: s.cfg.fileBodyLimitBytes } : {};
    const schema = {
      operationId: name, tags: ['YRD'], body: BODIES[name], response: { 200: RESPONSE },
      ...(name === 'RegisterApp' ? {} : { headers: SIGNED_HEADERS }),
    };
    app.post(`${VERSION}${path}`, { ...opts, schema }, async (req) => {
      const meta: YrdCallMeta = { clientIp: req.ip, correlationId: randomUUID(), path: 'local', baseUrl: `${req.protocol}://${req.host}` };
      let caller: YrdCaller = { kind: 'app', appId: req.headers[H.app] as string ?? '', corpCode: '' };
      try {
        const body = req.body ?? {};
        const invalid = schemaFailureOf(req);
        // A body that is no JSON object is refused at once; otherwise the app is authenticated first (its
        // signature covers the body as sent), and only then are its inputs' types looked at.
        if (invalid && invalid.field === '') throw schemaFailure(invalid);
        if (name !== 'RegisterApp') caller = await authenticate(req);
        if (invalid) throw schemaFailure(invalid);
        return { ...OK, data: await handler(body as Record<string, unknown>, caller, meta) };
      } catch (err) {
        if (!(err instanceof ServiceError)) req.log.error({ err }, 'yrd interface failure');
        // A sharing call refused before it reached the core (the app, its signature, the body) is a use too.
        const ctx = callContext(name, caller, meta);
        if (recordedInterfaces.has(name) && !wasRecorded(ctx, err)) {
          const code = err instanceof TrustError ? `${err.code}:${err.problem}` : err instanceof ServiceError ? err.code : ReturnCode.Other;
          await s.sharing.recordRefusal(ctx, code);
        }
        return failureOf(err, { ...SCENE_NAMES, ...TABLE_NAMES[name] });
      }
    });
  }

  // What peers pull to learn this node's revocations (public: token IDs are random and name no one).
  app.get(`${VERSION}/trusted-tokens/revoked`, { schema: { operationId: 'RevokedTrustedTokens', tags: ['YRD'], response: { 200: RESPONSE } } }, async () => {
    try {
      return { ...OK, data: await s.trustedAccess.revocationList() };
    } catch (err) {
      return failureOf(err);
    }
  });
}
