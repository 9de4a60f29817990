import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../node/services.js';
import type { AuthProblem } from '../../core/accounts.js';
import type { FileFormat } from '../../core/file-tickets.js';
import type { CallContext, FileLink, HolderSelector, VerifyClaim } from '../../core/sharing.js';
import { wasRecorded } from '../../core/sharing.js';
import { FIRST_HOP } from '../../core/reach/engine.js';
import { ReturnCode, ServiceError } from '../../domain/return-codes.js';
import { installErrorEnvelope, type TransportFailure } from '../errors.js';
import { failure, failureFrom, OK_HEAD, render, type FieldNames, type Shape } from './envelope.js';
import { readRequest, purpose, ALL_USES, NO_CHECKING, Part, type Request } from './params.js';
import { dataItem, encryptedIdItem, fileItem, retrievalItem, cstDateTime } from './mapping.js';
import { installCharsets } from './charset.js';
import { sichuanFileVerification } from './file-verification.js';
import { BODIES, QR_QUERY, schemaFailure } from './schemas.js';
import { declaredCase, installContract, schemaFailureOf } from '../contract.js';

/** Registered under /sichuan; the interfaces live under /sichuan/v1, as the national ones under /elssp/v1. */
export const SICHUAN_ROOT = '/sichuan';
const VERSION = '/v1';
export const SICHUAN_API_PATH = `${SICHUAN_ROOT}${VERSION}`;

interface Call { req: FastifyRequest; r: Request; ctx: CallContext }

/**
 * One interface. The document names no paths, so each takes the name of its national counterpart
 * (ZWFW C 0124 appendix C-G) where there is one, and a name in the same style where there is not.
 */
interface Interface {
  shape: Shape;
  /** Where the success result goes: under data, beside head (table 14), or the answer itself (a PNG). */
  put: 'data' | 'beside-head' | 'ifResult' | 'png';
  /** Everything but registration needs a registered (or national) account: 5.1. */
  auth: boolean;
  names?: FieldNames;
  bodyLimit?: number;
  run(call: Call): Promise<unknown>;
}

/** Canonical input names → the names of the tables, for messages. */
const DATA_NAMES: FieldNames = {
  reason: 'data.useFor', holderCode: 'data.certificateHolderCode', holderType: 'data.certificateHolderType', typeName: 'data.certificateType',
  number: 'data.certificateNumber', certificateId: 'data.certificateID', encryptedId: 'data.encryptedId',
  'file.format': 'data.fileFormat', 'file.entity': 'data.fileEntity',
};

/** What a caller with a genuine token is told about a refusal (everyone else hears only 11). */
const AUTH_DETAIL: Record<AuthProblem, string | undefined> = {
  'bad-token': undefined,
  'expired': 'accessToken has expired; register again (Register) with the same systemName and systemIp for a new one',
  'address': 'this account calls only from its registered address (systemIp)',
  'pending': 'the registration awaits approval by an administrator',
  'rejected': 'the registration was rejected by an administrator',
  'disabled': 'the account is disabled',
};

/**
 * The Sichuan interface (DB51/T 2942 section 6): retrieval, downloads (by holder, certificate ID and
 * encrypted ID), data, encrypted IDs and their QR codes, verification (by fields, by file, by
 * encrypted ID) and system registration, all mapped onto the core the national interface uses.
 */
export async function sichuanDialect(app: FastifyInstance, s: Services): Promise<void> {
  installCharsets(app);
  const transport = (shape: Shape) => (kind: TransportFailure, detail: string) => render(shape, failure(TRANSPORT_CODE[kind], detail));
  installErrorEnvelope(app, transport('head'));
  // Every table types its inputs 字符串: nothing is coerced.
  installContract(app, { coerceScalars: false });

  // A link another node issued (a certificate of another region, reached through the hub) keeps that node's URL.
  const fileUrl = (req: FastifyRequest, l: FileLink) => l.url ?? `${s.cfg.publicUrl ?? `${req.protocol}://${req.host}`}/files/${l.token}`;

  const handler = (name: string, i: Interface) => async (req: FastifyRequest, reply: FastifyReply) => {
    const ctx: CallContext = { dialect: 'sichuan', interface: name, clientIp: req.ip };
    const names = { ...DATA_NAMES, ...i.names };
    try {
      const invalid = schemaFailureOf(req);
      if (invalid) throw schemaFailure(invalid);
      const r = readRequest(req.body);
      if (i.auth) {
        const accountId = r.head.text('accountId');
        const token = r.head.text('accessToken');
        ctx.accountId = accountId;
        if (!accountId || !token) throw new ServiceError(ReturnCode.AuthFailed, 'head.accountId and head.accessToken are required');
        const auth = await s.accounts.check(accountId, token, req.ip);
        if (!auth.ok) throw new ServiceError(ReturnCode.AuthFailed, AUTH_DETAIL[auth.problem]);
      }
      const result = await i.run({ req, r, ctx });
      switch (i.put) {
        case 'data': return { head: OK_HEAD, data: result };
        case 'beside-head': return { head: OK_HEAD, ...(result as object) };
        case 'ifResult': return { ifResult: ReturnCode.Success, ...(result as object) };
        case 'png': return reply.type('image/png').header('cache-control', 'no-store').send(result as Buffer);
      }
    } catch (err) {
      if (!(err instanceof ServiceError)) req.log.error({ err }, 'sichuan interface failure');
      if (i.auth && !wasRecorded(ctx, err)) await s.sharing.recordRefusal(ctx, err instanceof ServiceError ? err.code : ReturnCode.Other);
      return render(i.shape, failureFrom(err, names));
    }
  };

  const interfaces: Record<string, Interface> = {
    // 6.2, table 2
    Retrieval: {
      shape: 'head', put: 'data', auth: true,
      run: async ({ r, ctx }) => {
        ctx.reason = purpose(r.data, 'useFor', ALL_USES, true);
        return list((await s.routing.retrieve(ctx, holderOf(r.data))).map(retrievalItem));
      },
    },
    // 6.3.1, table 3 (head.AccountId / head.AccessToken in capitals there; both spellings are read)
    GetCertificateFileByHolder: {
      shape: 'head', put: 'data', auth: true,
      run: async ({ req, r, ctx }) => {
        ctx.reason = purpose(r.data, 'useFor', NO_CHECKING, true);
        const links = await s.routing.filesByHolder(ctx, holderOf(r.data), formatOf(r.data));
        return list(links.map((l) => fileItem(l.certificate, l.format, fileUrl(req, l))));
      },
    },
    // 6.3.2, table 4: data.dataList
    GetCertificateFileByCertificateID: {
      shape: 'head', put: 'data', auth: true,
      run: async ({ req, r, ctx }) => {
        ctx.reason = purpose(r.data, 'useFor', NO_CHECKING, true);
        const l = await s.routing.fileById(ctx, r.data.text('certificateID') ?? '', formatOf(r.data));
        return list([fileItem(l.certificate, l.format, fileUrl(req, l))]);
      },
    },
    // 6.3.3, table 5: one link, its fields straight under data
    GetCertificateFileByEncryptedID: {
      shape: 'head', put: 'data', auth: true,
      run: async ({ req, r, ctx }) => {
        ctx.reason = purpose(r.data, 'useFor', NO_CHECKING, true);
        const l = await s.sharing.fileByEncryptedId(ctx, r.data.text('encryptedId') ?? '', formatOf(r.data));
        return fileItem(l.certificate, l.format, fileUrl(req, l));
      },
    },
    // 6.4.1, tables 6-7
    GetCertificateDataByHolder: {
      shape: 'head', put: 'data', auth: true,
      run: async ({ r, ctx }) => {
        ctx.reason = purpose(r.data, 'useFor', NO_CHECKING, true);
        return list((await s.routing.dataByHolder(ctx, holderOf(r.data))).map(dataItem));
      },
    },
    // 6.4.2, table 8: one certificate's data straight under data. Table 8 leaves certificateID's 必选 as "-"; it is required.
    GetCertificateDataByCertificateID: {
      shape: 'head', put: 'data', auth: true,
      run: async ({ r, ctx }) => {
        ctx.reason = purpose(r.data, 'useFor', NO_CHECKING, true);
        return dataItem(await s.routing.dataById(ctx, r.data.text('certificateID') ?? ''));
      },
    },
    // 6.4.3, table 9. The text says "by holder code and type name", the table lists the number instead: both are read.
    // Table 9 lists no useFor; one sent is checked and recorded.
    GetEncryptedCertificateID: {
      shape: 'ifResult', put: 'ifResult', auth: true,
      run: async ({ r, ctx }) => {
        ctx.reason = purpose(r.data, 'useFor', ALL_USES, false);
        return { ifResultInfo: (await s.sharing.encryptedIdsByHolder(ctx, holderOf(r.data))).map(encryptedIdItem) };
      },
    },
    // 6.4.4, table 10 (which files head.encryptedId under 输出参数; it is the input). The answer is the PNG itself.
    GetEncryptedCertificateIDQRCode: {
      shape: 'head', put: 'png', auth: true,
      names: { encryptedId: 'head.encryptedId', symbology: 'type' },
      run: async ({ req, r, ctx }) => {
        ctx.reason = purpose(r.data, 'useFor', ALL_USES, false);
        const id = r.head.text('encryptedId') ?? r.data.text('encryptedId') ?? '';
        const type = (r.head.text('type') ?? r.data.text('type') ?? queryText(req, 'type') ?? 'QR').toUpperCase();
        if (type !== 'QR' && type !== 'GM') throw new ServiceError(ReturnCode.Unparseable, 'must be QR or GM', ['symbology']);
        return s.sharing.encryptedIdImage(ctx, id, type === 'GM' ? 'gm' : 'qr');
      },
    },
    // 6.5.1, table 11: flat parameters in capitals, no head in the table (5.1 still requires one).
    // Its UseFor lists 01, 02 and 99, copied from the tables before it; 03 证照核验 is what this interface is for, so it is allowed.
    VerifyCertificate: {
      shape: 'ifResult', put: 'ifResult', auth: true,
      names: {
        reason: 'UseFor', holderCode: 'CertificateHolderCode', holderType: 'CertificateHolderType', typeName: 'CertificateData.certificateType',
        'claim.holderCode': 'CertificateHolderCode', 'claim.issueDate': 'CertificateData.issueDate', claim: 'CertificateData',
      },
      run: async ({ r, ctx }) => {
        ctx.reason = purpose(r.data, 'UseFor', ALL_USES, true);
        const msgId = randomUUID();
        ctx.correlationId = msgId;
        // 5.3: a certificate of another province is verified through the hub, as by the national interface.
        const result = String(await s.routing.verify(ctx, claimOf(r.data), FIRST_HOP, ['holderCode']));
        // Table 11 puts VerifyResult and msgId beside ifResult, and says ifResultInfo holds the result data: both are given.
        return { ifResultInfo: [{ VerifyResult: result, msgId }], VerifyResult: result, msgId };
      },
    },
    // 6.5.2, table 12: data.fileFormat and data.fileEntity (base64) → data.result 1/0 and the findings.
    VerifyCertificateFile: {
      shape: 'head', put: 'data', auth: true, bodyLimit: s.cfg.fileBodyLimitBytes,
      run: async ({ r, ctx }) => {
        ctx.reason = purpose(r.data, 'useFor', ALL_USES, false);
        const declared = r.data.text('fileFormat');
        const entity = r.data.text('fileEntity');
        const missing = [declared === undefined && 'file.format', entity === undefined && 'file.entity'].filter((x): x is string => !!x);
        if (missing.length > 0) throw new ServiceError(ReturnCode.RequiredMissing, undefined, missing);
        const format = declared!.toLowerCase();
        if (format !== 'pdf' && format !== 'ofd') throw new ServiceError(ReturnCode.Unparseable, 'must be pdf or ofd', ['file.format']);
        const bytes = decodeBase64(entity!);
        if (!bytes) throw new ServiceError(ReturnCode.Unparseable, 'is not base64', ['file.entity']);
        return sichuanFileVerification(await s.fileVerification.verify(ctx, bytes, format as FileFormat));
      },
    },
    // 6.5.3, table 13: encryptedId → VerifyResult. A forged, altered or expired ID, or one of a certificate that cannot be used, is "false".
    VerifyEncryptedCertificateID: {
      shape: 'ifResult', put: 'ifResult', auth: true,
      names: { encryptedId: 'encryptedId', reason: 'useFor' },
      run: async ({ r, ctx }) => {
        ctx.reason = purpose(r.data, 'useFor', ALL_USES, false);
        const v = await s.sharing.verifyEncryptedId(ctx, r.data.text('encryptedId') ?? '');
        const VerifyResult = String(v.valid);
        return { ifResultInfo: [{ VerifyResult, ...(v.problem ? { reason: VERDICT_TEXT[v.problem] } : {}) }], VerifyResult };
      },
    },
    // 6.6, table 14 (titled 电子证照验证服务 by mistake): systemName, systemIp, deptCode, deptName → accountId, accessToken beside head.
    Register: {
      shape: 'head', put: 'beside-head', auth: false,
      names: { 'system.name': 'systemName', 'system.address': 'systemIp', 'system.deptCode': 'deptCode', 'system.deptName': 'deptName' },
      run: async ({ req, r }) => {
        const p = r.data;
        const reg = await s.registrations.register(
          { name: p.text('systemName') ?? '', address: p.text('systemIp') ?? '', deptCode: p.text('deptCode') ?? '', deptName: p.text('deptName') ?? '' }, req.ip);
        return {
          accountId: reg.registration.accountId, accessToken: reg.accessToken,
          approvalStatus: reg.registration.status, expireTime: cstDateTime(reg.expires),
        };
      },
    },
  };

  const routes = (scope: FastifyInstance, shape: Shape) => {
    for (const [name, i] of Object.entries(interfaces)) {
      if (i.shape !== shape) continue;
      const body = BODIES[name]!;
      scope.post(`${VERSION}/${name}`, {
        ...(i.bodyLimit ? { bodyLimit: i.bodyLimit } : {}),
        schema: { operationId: name, tags: ['DB51/T 2942'], body, ...(name === 'GetEncryptedCertificateIDQRCode' ? { querystring: QR_QUERY } : {}) },
        // The tables spell some names with either case of their first letter (head.AccountId in table 3).
        preValidation: async (req) => declaredCase(req.body, body),
      }, handler(name, i));
    }
  };
  routes(app, 'head');
  // The ifResult interfaces answer unreadable bodies in their own shape: a scope with its own error handler.
  await app.register(async (scope) => {
    installErrorEnvelope(scope, transport('ifResult'), { notFound: false });
    routes(scope, 'ifResult');
  });
}

/** Transport failures in appendix A codes: oversized 99, unreadable 24, unknown interface 2. */
const TRANSPORT_CODE: Record<TransportFailure, ReturnCode> = {
  'too-large': ReturnCode.Other, 'unsupported-media': ReturnCode.Unparseable, 'malformed': ReturnCode.Unparseable,
  'not-found': ReturnCode.ServiceNotProvided, 'internal': ReturnCode.Other,
  // DB51/T 2942 uses the national appendix A codes, which have no "too many requests": 99 其他异常 is the closest.
  'too-many': ReturnCode.Other,
};

const VERDICT_TEXT = {
  'invalid': '加密电子证照标识无效（伪造、篡改或不完整）', 'expired': '加密电子证照标识已过期', 'not-found': '未找到匹配的证照信息',
  'abolished': '该电子证照已废止或注销', 'certificate-expired': '该电子证照已过期', 'suspended': '该电子证照已受限使用',
} as const;

const list = <T>(items: T[]) => ({ total: items.length, dataList: items });

function holderOf(p: Part): HolderSelector {
  return {
    holderCode: p.text('certificateHolderCode') ?? '',
    holderType: p.text('certificateHolderType'),
    typeName: p.text('certificateType'),
    number: p.text('certificateNumber'),
  };
}

/** The tables name no file format input (the answer carries fileFormat); data.fileFormat may ask for OFD, as on the national interface. */
function formatOf(p: Part): FileFormat {
  const v = (p.text('fileFormat') ?? 'pdf').toLowerCase();
  if (v === 'pdf' || v === 'ofd') return v;
  throw new ServiceError(ReturnCode.Unparseable, 'must be pdf or ofd', ['file.format']);
}

/** Table 11: CertificateData.* beside CertificateHolderCode and CertificateHolderType. */
function claimOf(p: Part): VerifyClaim {
  const data = p.object('CertificateData');
  const d = new Part(data);
  return {
    typeName: d.text('certificateType') ?? '',
    name: d.text('certificateName'),
    number: d.text('certificateNumber') ?? '',
    holderName: d.text('certificateHolder') ?? '',
    holderCode: p.text('CertificateHolderCode') ?? d.text('certificateHolderCode') ?? '',
    holderType: p.text('CertificateHolderType') ?? d.text('certificateHolderType'),
    issuerName: d.text('issueDept') ?? '',
    issuerCode: d.text('issueDeptCode'),
    issueDate: d.text('issueDate') ?? '',
    validFrom: d.text('certificateValidateStart'),
    validTo: d.text('certificateValidateEnd'),
  };
}

function queryText(req: FastifyRequest, name: string): string | undefined {
  const v = (req.query as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

/** Standard base64 (line breaks allowed, padding optional); undefined when it is not, or decodes to nothing. */
function decodeBase64(text: string): Buffer | undefined {
  const compact = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) return undefined;
  if (compact.endsWith('=') ? compact.length % 4 !== 0 : compact.length % 4 === 1) return undefined;
  const bytes = Buffer.from(compact, 'base64');
  return bytes.length > 0 ? bytes : undefined;
}
