import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../../node/services.js';
import type { Config } from '../../config.js';
import type { CallContext } from '../../core/usage.js';
import { checkReason, wasRecorded, type FieldsClaim, type VerifyClaim } from '../../core/sharing.js';
import { OAuthError, type Principal } from '../../core/oauth.js';
import { checkCode } from '../../core/identifiers.js';
import { usability } from '../../domain/model.js';
import { cstDate } from '../../domain/dates.js';
import { INTERFACE_ROLE_NAMES, type InterfaceRole } from '../../domain/interface-roles.js';
import { ReturnCode, ServiceError } from '../../domain/return-codes.js';
import { installErrorEnvelope } from '../errors.js';
import { BODIES, schemaFailure } from './schemas.js';
import { installContract, schemaFailureOf } from '../contract.js';
import { HEAD_TYPE, fail, failFrom, ok, type Level, type ZaozhuangResponse } from './envelope.js';
import { CALLER_REQUIRED, Params, callerContext, copyExpiryOf, intOf, levelOf, requireAll } from './params.js';
import { cityFileItem, cityInfoItem, provinceFileItem, provinceInfoItem, qrCityItem } from './mapping.js';
import { zaozhuangFieldVerification } from './verification.js';
import { zaozhuangFileVerification } from './file-verification.js';
import type { ProvinceSettings } from '../../federation/province-relay.js';
import { NoAnswer } from '../../core/reach/transport.js';
import type { Via } from '../../core/reach/engine.js';
import { beginCall } from '../../core/reach/call.js';
import { correlationIdOf, viaOf } from '../../federation/hop.js';
import { oauthRoutes } from './oauth-routes.js';
import { unstorableAt } from '../../domain/storable-text.js';

/** `http://ip:port/license-api-release` of DB3704/T 0042 4.3. */
export const ZAOZHUANG_ROOT = '/license-api-release';
/** Where the sharing interfaces of 4.3.2-4.3.7 live under the root. */
export const ZAOZHUANG_API = '/m/v/license/external/api';

interface Call {
  p: Params;
  ctx: CallContext;
  /**
   * The call's budget as its sender gave it. Its hop count starts at 0: whatever calls a Zaozhuang
   * interface (a calling system, or a city relaying interfaceType 0) is this node's own caller, and
   * a province's answer may still take in other regions through the hub.
   */
  via: Via;
  level: Level;
  req: FastifyRequest;
  /** What this interface calls the reason, for messages about it. */
  reasonName: string;
}

/** One interface: the role (3.2) it needs; `prepare` checks the request and returns how to answer it here. */
interface Interface {
  role: InterfaceRole;
  prepare(call: Call): () => Promise<unknown>;
}

/**
 * The Zaozhuang interface (DB3704/T 0042-2024, 4.3): OAuth2 tokens (4.3.1) and the five sharing
 * interfaces, each answering at province or city level. A province node answers province-level
 * calls itself; a city node answers city-level calls itself and relays province-level ones to its
 * province node. Every call is authenticated by its token, authorised by the account's interface
 * roles, checked against the document's tables, and recorded, refused or not.
 */
export async function zaozhuangDialect(app: FastifyInstance, s: Services): Promise<void> {
  // A city's province is a transport of the engine (src/federation/province-relay.ts, made with the services); this checks its settings.
  const node = nodeSetting(s.cfg.zaozhuang);

  installErrorEnvelope(app, (kind, detail) => {
    switch (kind) {
      case 'too-large': return fail(ReturnCode.Other, detail);
      case 'unsupported-media': return fail(ReturnCode.Unparseable, `${detail}; send application/json`);
      case 'malformed': return fail(ReturnCode.Unparseable, detail);
      case 'not-found': return fail(ReturnCode.ServiceNotProvided, detail);
      case 'internal': return fail(ReturnCode.Other, detail);
      // 5.2 is the national appendix A, which has no "too many requests": 99 其他异常 is the closest.
      case 'too-many': return fail(ReturnCode.Other, detail);
    }
  });
  await app.register(async (scope) => oauthRoutes(scope, s), { prefix: '/oauth' });
  // The int-typed inputs (interfaceType, whose, category) come as numbers or texts: numbers are read as their decimal text.
  installContract(app, { coerceScalars: true });

  const fileUrl = (req: FastifyRequest, token: string) => `${s.cfg.publicUrl ?? `${req.protocol}://${req.host}`}/files/${token}`;

  /** 3.13: the token comes as access_token in the body; the Authorization header and the query string (RFC 6750) work too. */
  const authenticate = async (req: FastifyRequest, p: Params): Promise<Principal> => {
    const header = req.headers.authorization;
    const bearer = header && /^bearer\s+/i.test(header) ? header.replace(/^bearer\s+/i, '').trim() : undefined;
    const query = (req.query as Record<string, unknown> | undefined)?.access_token;
    const token = bearer || p.text('access_token') || (typeof query === 'string' ? query : undefined);
    if (!token) throw new ServiceError(ReturnCode.AuthFailed, 'access_token 为空');
    return s.oauth.authenticate(token);
  };

  /** A province-level call at a city, passed to its province through the engine (one record of the hop, the breaker of the channel). */
  const relay = async (name: string, call: Call): Promise<ZaozhuangResponse> => {
    const { access_token: _own, ...params } = call.p.body;
    const answer = (await s.routing.relayUp(call.ctx, call.via, name, { ...params, interfaceType: '0' },
      (a) => ({ code: String((a as ZaozhuangResponse).head.status), ids: idsIn((a as ZaozhuangResponse).data) }),
      call.p.text('certificateHolderCode'))) as ZaozhuangResponse;
    // Whatever answers a province-level call is the province: a success says so even if its head leaves type out.
    if (String(answer.head.status) === '0') answer.head.type ??= HEAD_TYPE.province;
    return answer;
  };

  const handle = (name: string, i: Interface) => async (req: FastifyRequest): Promise<ZaozhuangResponse> => {
    const ctx: CallContext = beginCall({ dialect: 'zaozhuang', interface: name, clientIp: req.ip, correlationId: correlationIdOf(req.headers) });
    const via: Via = { hops: 0, ...(viaOf(req.headers).budgetMs !== undefined ? { budgetMs: viaOf(req.headers).budgetMs } : {}) };
    let call: Call | undefined;
    try {
      // A body that is no object is refused at once; an input of the wrong type after the token, as the tables are checked.
      const invalid = schemaFailureOf(req);
      if (invalid && invalid.field === '') throw schemaFailure(invalid);
      const p = Params.from(req.body);
      const principal = await authenticate(req, p);
      ctx.accountId = principal.username;
      ctx.context = { clientId: principal.clientId };
      s.oauth.authorize(principal, i.role);
      if (invalid) throw schemaFailure(invalid);
      const level = levelOf(p);
      ctx.context = { ...ctx.context, interfaceType: level === 'province' ? '0' : '1' };
      if (level === 'city' && node.level === 'province') throw new ServiceError(ReturnCode.ServiceNotProvided);
      call = { p, ctx, via, level, req, reasonName: 'certificateCopyCause' };
      const answer = i.prepare(call);
      if (s.routing.passesUp(level)) return await relay(name, call);
      return ok(level, await answer());
    } catch (err) {
      const refusal = asServiceError(err);
      if (!(refusal instanceof ServiceError)) req.log.error({ err }, 'zaozhuang interface failure');
      if (!wasRecorded(ctx, err)) await s.sharing.recordRefusal(ctx, refusal instanceof ServiceError ? refusal.code : ReturnCode.Other);
      return failFrom(refusal, call?.reasonName);
    }
  };

  const interfaces: Record<string, Interface> = {
    /** 4.3.2: an annotated copy's download link, valid 10 minutes; the copy bears certificateCopyCause and expires at expiryTime. */
    ShareDownloadUrl: {
      role: 'download',
      prepare: ({ p, ctx, via, level, req }) => {
        requireAll(p, [...CALLER_REQUIRED, 'certificateID']);
        callerContext(p, ctx, 'certificateCopyCause');
        const expiresAt = copyExpiryOf(p);
        const id = p.text('certificateID')!;
        return async () => {
          // Province-level data reaches other regions through the hub (the engine decides); city-level data is the city's own.
          const l = level === 'province' ? await s.routing.fileById(ctx, id, 'pdf', via, expiresAt) : await s.sharing.fileById(ctx, id, 'pdf', expiresAt);
          const url = l.url ?? fileUrl(req, l.token);
          return { total: 1, dataList: [level === 'province' ? provinceFileItem(l.certificate, url) : cityFileItem(l.certificate, l.format, url)] };
        };
      },
    },

    /** 4.3.3: a certificate's information by its identifier. */
    ShareQueryCertInfo: {
      role: 'info',
      prepare: ({ p, ctx, via, level }) => {
        requireAll(p, [...CALLER_REQUIRED, 'certificateID']);
        callerContext(p, ctx, 'certificateCopyCause');
        const id = p.text('certificateID')!;
        return async () => {
          const c = level === 'province' ? await s.routing.dataById(ctx, id, via) : await s.sharing.dataById(ctx, id);
          return { total: 1, dataList: [level === 'province' ? provinceInfoItem(c) : cityInfoItem(c)] };
        };
      },
    },

    /** 4.3.4 by fields and 4.3.5 by file share this path: a body with content (or contentType) is a file. */
    ShareVerifyCertInfo: {
      role: 'view',
      prepare: (call) => (call.p.has('content') || call.p.has('contentType') ? prepareFileCheck(call) : prepareFieldsCheck(call)),
    },

    /** 4.3.6: the information of the certificate a QR code names. */
    ShareQueryCertInfoByQRcode: {
      role: 'view',
      prepare: ({ p, ctx, via, level }) => {
        requireAll(p, [...CALLER_REQUIRED, 'qrValue']);
        callerContext(p, ctx, 'certificateCopyCause');
        const qr = p.text('qrValue')!;
        return async () => {
          const id = await s.qr.resolve(qr);
          const c = level === 'province' ? await s.routing.dataById(ctx, id, via) : await s.sharing.dataById(ctx, id);
          if (level === 'province') return { total: 1, dataList: [provinceInfoItem(c)] };
          return qrCityItem(c, usability(c, cstDate(new Date())), checkCode(s.keys, c.id));
        };
      },
    },

    /**
     * 4.3.7: a holder's certificates of a type. certificateHolderCodeType is required for city data
     * only ("省库数据非必填, 市库数据必填"). Mode, Page and Size are reserved (预留字段): Page and Size
     * page the list (total counts all of it), Mode is recorded. The document breaks off in this
     * section; the city-level answer is 4.3.3's city item for each certificate.
     */
    ShareQueryCertInfoByHolder: {
      role: 'retrieve',
      prepare: ({ p, ctx, via, level }) => {
        requireAll(p, [...CALLER_REQUIRED, 'certificateHolderCode', 'certTypeCode', ...(level === 'city' ? ['certificateHolderCodeType'] : [])]);
        callerContext(p, ctx, 'certificateCopyCause');
        const page = intOf(p, ['Page', 'page'], 1, 1_000_000);
        const size = intOf(p, ['Size', 'size'], 500, 500);
        const mode = p.textOf('Mode', 'mode');
        const typeName = p.text('certificateType');
        if (mode && mode.length > 32) throw new ServiceError(ReturnCode.Unparseable, 'Mode 超过 32 个字符');
        if (typeName && typeName.length > 256) throw new ServiceError(ReturnCode.Unparseable, 'certificateType 超过 256 个字符');
        ctx.context = { ...ctx.context, ...(mode ? { Mode: mode } : {}), ...(typeName ? { certificateType: typeName } : {}) };
        const sel = {
          holderCode: p.text('certificateHolderCode')!, holderType: p.text('certificateHolderCodeType'),
          typeCode: p.text('certTypeCode')!, number: p.text('certificateNumber'),
        };
        return async () => {
          // Paged in the core query; province-level data takes in the other regions through the hub.
          const r = level === 'province' ? await s.routing.dataByHolderPage(ctx, sel, { index: page, size }, via)
            : await s.sharing.dataByHolderPage(ctx, sel, { index: page, size });
          return { total: r.total, dataList: r.items.map((c) => (level === 'province' ? provinceInfoItem(c) : cityInfoItem(c))) };
        };
      },
    },
  };

  /** 4.3.4: result 0-5 at province level, verifyResult true/false at city level. */
  function prepareFieldsCheck(call: Call) {
    const { p, ctx, level } = call;
    requireAll(p, ['certTypeCode', 'certificateData', 'useFor', 'certificateHolderCode']);
    call.reasonName = 'useFor';
    callerContext(p, ctx, 'useFor');
    ctx.context = { ...ctx.context, verifyBy: 'fields' };
    const claim: FieldsClaim = { holderCode: p.text('certificateHolderCode')!, typeCode: p.text('certTypeCode')!, ...claimOf(p.body.certificateData) };
    return async () => {
      const r = zaozhuangFieldVerification(await s.sharing.checkClaim(ctx, claim));
      return level === 'province' ? { total: 1, dataList: [r] } : { verifyResult: String(r.result === '0') };
    };
  }

  /**
   * 4.3.5: the file, base64, through the core check; result 0-5 of 4.3.5. Its example shows data as
   * a hex string while its table describes data.result and data.message: we answer the table.
   */
  function prepareFileCheck(call: Call) {
    const { p, ctx } = call;
    requireAll(p, ['certTypeCode', 'contentType', 'content', 'useCause']);
    call.reasonName = 'useCause';
    callerContext(p, ctx, 'useCause');
    ctx.context = { ...ctx.context, verifyBy: 'file' };
    if (p.text('contentType')!.toLowerCase() !== 'base64') throw new ServiceError(ReturnCode.Unparseable, 'contentType 固定为 base64');
    checkReason(ctx.reason, true);
    const bytes = base64Of(p.text('content')!);
    const typeCode = p.text('certTypeCode')!;
    return async () => zaozhuangFileVerification(await s.fileVerification.verify(ctx, bytes, undefined, { typeCode }));
  }

  for (const [name, i] of Object.entries(interfaces)) {
    const opts = name === 'ShareVerifyCertInfo' ? { bodyLimit: s.cfg.fileBodyLimitBytes } : {};
    app.post(`${ZAOZHUANG_API}/${name}`, { ...opts, schema: { operationId: name, tags: ['DB3704/T 0042'], body: BODIES[name] } }, handle(name, i));
  }
}

/** Refusals of the OAuth2 and relay layers in the 5.2 codes; everything else as it is. */
function asServiceError(err: unknown): unknown {
  if (err instanceof OAuthError) {
    switch (err.problem) {
      case 'expired-token': return new ServiceError(ReturnCode.AuthFailed, 'access_token 已过期，请重新获取');
      case 'revoked-token': return new ServiceError(ReturnCode.AuthFailed,
        err.detail === 'refreshed' ? 'access_token 已因刷新而失效' : err.detail === 'disabled' ? '账号已停用' : 'access_token 已被撤销');
      case 'insufficient-role': return new ServiceError(ReturnCode.AuthFailed, `账号没有调用此接口的角色（${INTERFACE_ROLE_NAMES[err.detail as InterfaceRole] ?? err.detail}）`);
      default: return new ServiceError(ReturnCode.AuthFailed, 'access_token 无效');
    }
  }
  if (err instanceof NoAnswer) {
    return err.problem === 'timeout' || err.problem === 'unreachable' || err.problem === 'circuit-open'
      ? new ServiceError(ReturnCode.ThirdPartyTimeout, `省级平台: ${err.message}`)
      : new ServiceError(ReturnCode.Other, `省级平台: ${err.message}`);
  }
  return err;
}

/**
 * certificateData of 4.3.4: "json 字符串" of the fields agreed with each calling unit. Read as the
 * national record's names (the names this interface's city-level answers use: certificateNumber,
 * certificateHolder, issueDate…) for the canonical attributes, and as the type's column names (the
 * province-level names: name, certno…) for surface values. A JSON object is accepted as well as its text.
 */
function claimOf(raw: unknown): Pick<FieldsClaim, 'attributes' | 'surface'> {
  let data = raw;
  if (typeof raw === 'string') {
    try {
      data = JSON.parse(raw);
    } catch {
      throw new ServiceError(ReturnCode.Unparseable, 'certificateData 不是合法的 JSON');
    }
    // A JSON text escapes what the edge checks in bodies (\u0000): checked again once parsed.
    if (unstorableAt(data, 'certificateData')) throw new ServiceError(ReturnCode.Unparseable, 'certificateData 含有无法存储的字符');
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new ServiceError(ReturnCode.Unparseable, 'certificateData 应为 JSON 对象');
  const attributes: Partial<VerifyClaim> = {};
  const surface: Record<string, string> = {};
  for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
    if (v === null || v === undefined) continue;
    if (typeof v !== 'string' && !(typeof v === 'number' && Number.isFinite(v))) throw new ServiceError(ReturnCode.Unparseable, `certificateData.${k} 应为字符串`);
    const attribute = ATTRIBUTES[k];
    if (attribute) attributes[attribute] = String(v);
    else surface[k] = String(v);
  }
  return { attributes, surface };
}

const ATTRIBUTES: Readonly<Record<string, keyof VerifyClaim>> = {
  certificateType: 'typeName', certificateName: 'name', certificateNumber: 'number', certificateHolder: 'holderName',
  certificateHolderCode: 'holderCode', certificateHolderType: 'holderType', issueDept: 'issuerName', issueDeptCode: 'issuerCode',
  issueDate: 'issueDate', certificateValidateStart: 'validFrom', certificateValidateEnd: 'validTo',
};

/** content of 4.3.5: standard Base64 (line breaks allowed), nothing else. */
function base64Of(content: string): Buffer {
  const compact = content.replace(/\s+/g, '');
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) throw new ServiceError(ReturnCode.Unparseable, 'content 不是合法的 Base64');
  const bytes = Buffer.from(compact, 'base64');
  if (bytes.length === 0) throw new ServiceError(ReturnCode.RequiredMissing, 'content');
  return bytes;
}

/** The certificate identifiers in a province answer, for this node's usage record. */
function idsIn(data: unknown): string[] {
  const list = (data as { dataList?: unknown } | undefined)?.dataList;
  if (!Array.isArray(list)) return [];
  return list.map((x) => (x as Record<string, unknown>)?.certIdentifier ?? (x as Record<string, unknown>)?.cert_identifier)
    .filter((x): x is string => typeof x === 'string' && x.length <= 200);
}

/** The node's level and, for a city node, its province; a setting that cannot work stops the node at start. */
function nodeSetting(z: Config['zaozhuang']): { level: Level; province?: ProvinceSettings } {
  if (z.level !== 'province' && z.level !== 'city') throw new Error(`ZHENGZHAO_ZAOZHUANG_LEVEL must be province or city, not ${z.level}`);
  if (z.level === 'province') return { level: 'province' };
  const pr = z.province;
  const needed = {
    ZHENGZHAO_ZAOZHUANG_PROVINCE_URL: pr?.url, ZHENGZHAO_ZAOZHUANG_PROVINCE_CLIENT_ID: pr?.clientId,
    ZHENGZHAO_ZAOZHUANG_PROVINCE_CLIENT_SECRET: pr?.clientSecret, ZHENGZHAO_ZAOZHUANG_PROVINCE_USERNAME: pr?.username,
    ZHENGZHAO_ZAOZHUANG_PROVINCE_PASSWORD: pr?.password,
  };
  const missing = Object.entries(needed).filter(([, v]) => !v).map(([k]) => k);
  if (missing.length > 0) throw new Error(`a city node (ZHENGZHAO_ZAOZHUANG_LEVEL=city) needs ${missing.join(', ')}`);
  let url: URL;
  try {
    url = new URL(pr!.url!);
  } catch {
    throw new Error(`ZHENGZHAO_ZAOZHUANG_PROVINCE_URL is not a URL: ${pr!.url}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('ZHENGZHAO_ZAOZHUANG_PROVINCE_URL must be http or https');
  return {
    level: 'city',
    province: {
      url: pr!.url!.replace(/\/+$/, ''), clientId: pr!.clientId!, clientSecret: pr!.clientSecret!, username: pr!.username!,
      password: pr!.password!, timeoutMs: pr!.timeoutMs,
    },
  };
}
