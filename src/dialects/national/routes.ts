import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../node/services.js';
import type { FileFormat } from '../../core/file-tickets.js';
import type { CallContext, HolderSelector, VerifyClaim } from '../../core/sharing.js';
import { wasRecorded } from '../../core/sharing.js';
import { ReturnCode, ServiceError } from '../../domain/return-codes.js';
import { fail, failFrom, ok, type FieldNames, type NationalResponse } from './envelope.js';
import { Params, field, upperCaseNames } from './params.js';
import { FLAT_BODIES, FLAT_RESPONSES, NESTED_BODIES, NESTED_RESPONSES, schemaFailure } from './schemas.js';
import { installContract, schemaFailureOf } from '../contract.js';
import { dataItem, fileItem, inRange, metadataRange, retrievalItem, typeItem } from './mapping.js';
import { installErrorEnvelope } from '../errors.js';
import { linkProtocol } from '../link-protocol.js';
import type { FileLink } from '../../core/sharing.js';
import type { Via } from '../../core/reach/engine.js';
import { CORRELATION_HEADER, PATH_HEADER, correlationIdOf, viaOf } from '../../federation/hop.js';
import { callOf } from '../../core/reach/call.js';

type Handler = (p: Params, ctx: CallContext, req: FastifyRequest, via: Via) => Promise<unknown>;

/** Registered under /elssp, so unknown /elssp paths answer in this dialect too. */
export const NATIONAL_ROOT = '/elssp';
const VERSION = '/v1';

/**
 * The national cross-region sharing interface (ZWFW C 0124 section 7, appendices C-G) and the
 * GB/T 36906 names of its tables 3-6, all mapped onto the same core calls.
 */
export async function nationalDialect(app: FastifyInstance, s: Services): Promise<void> {
  installErrorEnvelope(app, (kind, detail) => {
    switch (kind) {
      case 'too-large': return fail(ReturnCode.Other, detail);
      case 'unsupported-media': return fail(ReturnCode.Unparseable, `${detail}; send application/x-www-form-urlencoded or application/json`);
      case 'malformed': return fail(ReturnCode.Unparseable, detail);
      case 'not-found': return fail(ReturnCode.ServiceNotProvided, detail);
      case 'internal': return fail(ReturnCode.Other, detail);
      // Appendix A has no "too many requests": 99 其他异常 is the closest defined code.
      case 'too-many': return fail(ReturnCode.Other, detail);
    }
  });
  // Appendix C's clients post forms, and send numbers in JSON where the tables name text: read as their decimal text.
  installContract(app, { coerceScalars: true });

  /**
   * A link this node issued points at its own /files/ (built on its public URL, or the host the
   * caller reached it at). A link the owner issued (a certificate of another region, through the hub)
   * keeps the owner's URL: the file is fetched from the owner, who alone can open the ticket.
   */
  const fileUrl = (req: FastifyRequest, l: FileLink) =>
    l.url ?? `${s.cfg.publicUrl ?? `${req.protocol}://${req.host}`}/files/${l.token}`;

  /** Authenticates AccountId/AccessToken, runs the use case, and renders the envelope. */
  const handle = (name: string, names: FieldNames, read: (body: unknown) => { p: Params; accountId?: string; token?: string; reason?: string }, handler: Handler) =>
    async (req: FastifyRequest, reply: FastifyReply): Promise<NationalResponse> => {
      // The caller's correlation ID (or a new one) names this call in every node's usage record; the answer says which it was.
      const ctx: CallContext = { dialect: 'national', interface: name, clientIp: req.ip, correlationId: correlationIdOf(req.headers) };
      reply.header(CORRELATION_HEADER, ctx.correlationId);
      try {
        const invalid = schemaFailureOf(req);
        if (invalid) throw schemaFailure(invalid);
        const { p, accountId, token, reason } = read(req.body);
        ctx.accountId = accountId;
        ctx.reason = reason;
        const account = accountId && token ? await s.accounts.authenticate(accountId, token, req.ip) : undefined;
        if (!account) throw new ServiceError(ReturnCode.AuthFailed);
        const answer = ok(await handler(p, ctx, req, viaOf(req.headers)));
        // The way the call took (the engine's report): "local", or the nodes it went to ("hub"; "hub!" when it brought no answer).
        reply.header(PATH_HEADER, callOf(ctx).path);
        return answer;
      } catch (err) {
        reply.header(PATH_HEADER, callOf(ctx).path);
        if (!(err instanceof ServiceError)) req.log.error({ err }, 'national interface failure');
        if (!wasRecorded(ctx, err)) await s.sharing.recordRefusal(ctx, err instanceof ServiceError ? err.code : ReturnCode.Other);
        return failFrom(err, names);
      }
    };

  // ---- ZWFW C 0124 names: flat parameters, form-encoded (appendix C) or JSON ----
  const flat = (body: unknown) => {
    const p = Params.of(body);
    return { p, accountId: p.text('AccountId'), token: p.text('AccessToken'), reason: p.text('UseFor') };
  };
  const holderOf = (p: Params): HolderSelector => ({
    holderCode: p.text('CertificateHolderCode') ?? '',
    holderType: p.text('CertificateHolderType') || undefined,
    typeName: p.text('CertificateType') || undefined,
    number: p.text('CertificateNumber') || undefined,
  });
  const list = <T>(items: T[]) => ({ total: items.length, dataList: items });

  // Every sharing call goes through the router: a province answers what it holds and asks the hub
  // for the rest, a hub sends each call to the owner its catalog names (src/core/routing.ts).
  const routes: Record<string, Handler> = {
    Retrieval: async (p, ctx, _req, via) => list((await s.routing.retrieve(ctx, holderOf(p), via)).map(retrievalItem)),
    GetCertificateFileByHolder: async (p, ctx, req, via) =>
      list((await s.routing.filesByHolder(ctx, holderOf(p), formatOf(p, 'FileFormat'), via)).map((l) => fileItem(l.certificate, l.format, fileUrl(req, l)))),
    GetCertificateFileByCertificateID: async (p, ctx, req, via) => {
      const l = await s.routing.fileById(ctx, p.text('CertificateID') ?? '', formatOf(p, 'FileFormat'), via);
      return list([fileItem(l.certificate, l.format, fileUrl(req, l))]);
    },
    GetCertificateDataByHolder: async (p, ctx, _req, via) => list((await s.routing.dataByHolder(ctx, holderOf(p), via)).map(dataItem)),
    GetCertificateDataByCertificateID: async (p, ctx, _req, via) => list([dataItem(await s.routing.dataById(ctx, p.text('CertificateID') ?? '', via))]),
    // F.3 lost its request table in the seed; it takes AccountId and AccessToken only. Its example writes total as a string.
    GetCertificateType: async (_p, ctx) => {
      const types = await s.routing.listTypes(ctx);
      return { total: String(types.length), dataList: types.map(typeItem) };
    },
    VerifyCertificate: async (p, ctx, _req, via) => {
      const data = p.object('CertificateData');
      const claim = claimOf(data, p.text('CertificateHolderCode'), p.text('CertificateHolderType'));
      return { verifyResult: String(await s.routing.verify(ctx, claim, via)) };
    },
  };
  for (const [name, handler] of Object.entries(routes)) {
    app.post(`${VERSION}/${name}`, {
      schema: { operationId: name, tags: ['ZWFW C 0124'], consumes: ['application/x-www-form-urlencoded', 'application/json'], body: FLAT_BODIES[name], response: { 200: FLAT_RESPONSES[name] } },
      preValidation: upperCaseNames,
    }, handle(name, FLAT_NAMES, flat, handler));
  }

  // ---- GB/T 36906 names (tables 3-6): {head: {accountId, accessToken}, data: {...}} ----
  const nested = (body: unknown) => {
    const { head: h, data: d } = body as { head: unknown; data?: unknown };
    const head = Params.of(h);
    const data = Params.of(d);
    return {
      p: data,
      accountId: head.text('accountId'),
      token: head.text('accessToken'),
      reason: data.text('certificateCopyCause') ?? data.text('useFor') ?? data.text('UseFor'),
    };
  };
  const holder36906 = (p: Params): HolderSelector => ({
    holderCode: p.text('certificateHolderCode') ?? '',
    holderType: p.text('certificateHolderTypeCode') || undefined,
    typeCode: p.text('certificateTypeCode') || undefined,
  });
  const routes36906: Record<string, Handler> = {
    query: async (p, ctx, _req, via) =>
      (await s.routing.retrieve(ctx, holder36906(p), via)).map((c) => ({ certificateIdentifier: c.id, certificateName: c.typeName, ...retrievalItem(c) })),
    downloadfile: async (p, ctx, req, via) => {
      const l = await s.routing.fileById(ctx, p.text('certificateIdentifier') ?? '', formatOf(p, 'fileFormat'), via);
      // Table 4: contentType is 下载地址协议代码, the protocol of the address in content.
      const content = fileUrl(req, l);
      return { certificateIdentifier: l.certificate.id, contentType: linkProtocol(content), fileFormat: l.format, content };
    },
    // Table 5: no reason among the inputs (UseFor maps to none); data.metadataRange picks the F.2 items that come back.
    queryinfo: async (p, ctx, _req, via) => {
      ctx.reasonNotAsked = true;
      const range = metadataRange(p.list('metadataRange'));
      return { certificateData: inRange(dataItem(await s.routing.dataById(ctx, p.text('certificateIdentifier') ?? '', via)), range) };
    },
    verifyinfo: async (p, ctx, _req, via) => {
      const data = p.object('certificateData');
      const result = await s.routing.verify(ctx, claimOf(data, undefined, undefined), via);
      return { result: result ? '1' : '0', message: result ? '验证通过' : '验证不通过', verifyResult: String(result) };
    },
  };
  for (const [name, handler] of Object.entries(routes36906)) {
    app.post(`${VERSION}/${name}`, {
      schema: { operationId: `GBT36906_${name}`, tags: ['GB/T 36906'], body: NESTED_BODIES[name], response: { 200: NESTED_RESPONSES[name] } },
    }, handle(name, NESTED_NAMES, nested, handler));
  }
}

/** Parameter names of the ZWFW C 0124 interfaces (appendices C-G), for the core's canonical names. */
const FLAT_NAMES: FieldNames = {
  reason: 'UseFor', holderCode: 'CertificateHolderCode', holderType: 'CertificateHolderType', typeName: 'CertificateType',
  certificateId: 'CertificateID', 'claim.typeName': 'CertificateData.certificateType', 'claim.number': 'CertificateData.certificateNumber',
  'claim.holderName': 'CertificateData.certificateHolder', 'claim.holderCode': 'CertificateData.certificateHolderCode',
  'claim.issuerName': 'CertificateData.issueDept', 'claim.issueDate': 'CertificateData.issueDate', claim: 'CertificateData',
};

/** The GB/T 36906 names of tables 3-6. */
const NESTED_NAMES: FieldNames = {
  reason: 'data.certificateCopyCause', holderCode: 'data.certificateHolderCode', holderType: 'data.certificateHolderTypeCode',
  typeName: 'data.certificateTypeCode', certificateId: 'data.certificateIdentifier', metadataRange: 'data.metadataRange',
  'claim.typeName': 'data.certificateData.certificateType', 'claim.number': 'data.certificateData.certificateNumber',
  'claim.holderName': 'data.certificateData.certificateHolder', 'claim.holderCode': 'data.certificateData.certificateHolderCode',
  'claim.issuerName': 'data.certificateData.issueDept', 'claim.issueDate': 'data.certificateData.issueDate', claim: 'data.certificateData',
};

/**
 * The file format a download asks for. The standard names no such input (6.2.2: the platform carries
 * several formats); PDF unless the caller asks for OFD with this optional parameter.
 */
function formatOf(p: Params, name: string): FileFormat {
  const v = (p.text(name) ?? '').trim().toLowerCase();
  if (v === '' || v === 'pdf') return 'pdf';
  if (v === 'ofd') return 'ofd';
  throw new ServiceError(ReturnCode.Unparseable, `${name} must be pdf or ofd`, [name]);
}

/** Appendix G.1 CertificateData, holder code and type from the call if the data leaves them out. */
function claimOf(data: Record<string, unknown>, holderCode: string | undefined, holderType: string | undefined): VerifyClaim {
  const f = (n: string) => field(data, n);
  return {
    typeName: f('certificateType') ?? '',
    name: f('certificateName'),
    number: f('certificateNumber') ?? '',
    holderName: f('certificateHolder') ?? '',
    holderCode: f('certificateHolderCode') || holderCode || '',
    holderType: f('certificateHolderType') || holderType || undefined,
    issuerName: f('issueDept') ?? '',
    issuerCode: f('issueDeptCode'),
    issueDate: f('issueDate') ?? '',
    validFrom: f('certificateValidateStart'),
    validTo: f('certificateValidateEnd'),
  };
}
