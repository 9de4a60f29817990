import { Type, type TSchema } from '@sinclair/typebox';
import { ReturnCode, ServiceError } from '../../domain/return-codes.js';
import type { SchemaFailure } from '../contract.js';

/**
 * The request and response contracts of the national interface (ZWFW C 0124 tables 3-6 and
 * appendices C-G), from which Fastify validates and serialises and the OpenAPI document is made.
 * Which inputs a call must carry is the core's rule (12, after authentication, the same for every
 * dialect), so the schemas say what each input is and of which type, and mark nothing required
 * but the GB/T 36906 head.
 */

/** An optional text input (the core says which are required). */
const text = (description: string) => Type.Optional(Type.String({ description }));
/** A text output, always present. */
const out = (description: string) => Type.String({ description });

/** ZWFW C 0124 names (appendix C): form-encoded or JSON, first letter in either case (params.ts). */
const AUTH = { AccountId: text('访问标识 (account ID)'), AccessToken: text('认证信息: SM3(AccountId + yyyyMMdd), or the account\'s own token') };
const HOLDER = {
  CertificateHolderCode: text('持证主体代码'),
  CertificateHolderType: text('持证主体代码类型 (appendix B, e.g. 111 公民身份号码)'),
  CertificateType: text('证照类型名称'),
  CertificateNumber: text('证照编号'),
};
const USE_FOR = { UseFor: text('申请事由 / 调用事由') };
const FILE_FORMAT = { FileFormat: text('pdf (default) or ofd; not in the standard, which leaves the format to the platform') };
/** G.1 CertificateData: a JSON object, or in a form body its JSON text (read in params.ts). */
const certificateData = (description: string) => Type.Optional(Type.Union([Type.Object({}, { additionalProperties: true }), Type.String()], { description }));

const flat = (props: Record<string, TSchema>, example?: Record<string, string>) =>
  Type.Object({ ...AUTH, ...props }, { additionalProperties: true, ...(example ? { examples: [example] } : {}) });

/** Appendix C's own request (the Java client), with a real holder of the demo data. */
export const APPENDIX_C_EXAMPLE = {
  AccountId: 'ZJ1001',
  AccessToken: 'SM3(AccountId + yyyyMMdd) in hex',
  CertificateHolderCode: '330301*****0619',
  CertificateHolderType: '111',
  CertificateType: '中华人民共和国机动车驾驶证',
  CertificateNumber: '330320542338',
  UseFor: '办理机动车年检',
};

export const FLAT_BODIES: Readonly<Record<string, TSchema>> = {
  Retrieval: flat({ ...HOLDER, ...USE_FOR }),
  GetCertificateFileByHolder: flat({ ...HOLDER, ...USE_FOR, ...FILE_FORMAT }, APPENDIX_C_EXAMPLE),
  GetCertificateFileByCertificateID: flat({ CertificateID: text('证照标识'), ...USE_FOR, ...FILE_FORMAT }),
  GetCertificateDataByHolder: flat({ ...HOLDER, ...USE_FOR }),
  GetCertificateDataByCertificateID: flat({ CertificateID: text('证照标识'), ...USE_FOR }),
  // F.3 lost its request table in the seed: AccountId and AccessToken only.
  GetCertificateType: flat({}),
  VerifyCertificate: flat({
    CertificateHolderCode: text('持证主体代码'), CertificateHolderType: text('持证主体代码类型'),
    CertificateData: certificateData('查验的证照信息 (appendix G.1)'), ...USE_FOR,
  }),
};

/** GB/T 36906 names (tables 3-6): {head: {accountId, accessToken}, data: {...}}. */
const nested = (data: Record<string, TSchema>) => Type.Object({
  head: Type.Object({ accountId: text('访问标识'), accessToken: text('认证信息') }, { additionalProperties: true }),
  data: Type.Optional(Type.Object(data, { additionalProperties: true })),
}, { required: ['head'], additionalProperties: true });

export const NESTED_BODIES: Readonly<Record<string, TSchema>> = {
  query: nested({
    certificateHolderCode: text('持证主体代码'), certificateHolderTypeCode: text('持证主体代码类型代码'),
    certificateTypeCode: text('证照类型代码'), certificateCopyCause: text('调用事由'),
  }),
  downloadfile: nested({ certificateIdentifier: text('证照标识'), certificateCopyCause: text('调用事由'), fileFormat: text('pdf (default) or ofd') }),
  queryinfo: nested({
    certificateIdentifier: text('证照标识'),
    metadataRange: Type.Optional(Type.Union([Type.Array(Type.String()), Type.String()], { description: '信息项范围: names of F.2, as a list or one text separated by commas' })),
  }),
  verifyinfo: nested({ certificateData: certificateData('查验的证照信息 (appendix G)'), certificateCopyCause: text('调用事由') }),
};

// ---- responses (appendices D-G): every answer, success or refusal, is HTTP 200 with head.status ----

const HEAD = Type.Object({ status: out('接口执行代码 (appendix A)'), message: out('接口执行说明') });
const envelope = (data: TSchema) => Type.Object({ head: HEAD, data: Type.Optional(data) });
const list = (item: TSchema, total: TSchema = Type.Integer()) => Type.Object({ total, dataList: Type.Array(item) });

/** D.1 */
const RETRIEVAL_ITEM = Type.Object({
  certificateID: out('证照标识'), certificateType: out('证照类型名称'), issueDept: out('证照颁发机构'),
  certificateNumber: out('证照编号'), issueDate: out('证照颁发日期 (yyyy年M月d日)'),
});
/** E.1.5 / E.2.1 */
const FILE_ITEM = Type.Object({ ...RETRIEVAL_ITEM.properties, fileFormat: out('文件格式'), fileUrl: out('下载地址 (valid 10 minutes)') });
/** F.1.5 / F.2.1: the canonical data (surface and detail as the catalogue defines them) with its SM2 signature. */
const DATA_ITEM = Type.Object({
  certificateID: out('证照标识'), certificateType: out('证照类型名称'), certificateTypeCode: out('证照类型代码'), certificateName: out('证照名称'),
  certificateHolder: out('持证主体'), certificateHolderCode: out('持证主体代码'), certificateHolderType: out('持证主体代码类型'),
  issueDept: out('证照颁发机构'), issueDeptCode: out('证照颁发机构代码'), certificateNumber: out('证照编号'), issueDate: out('证照颁发日期'),
  certificateValidateStart: out('有效期起始日期'), certificateValidateEnd: out('有效期截止日期 (长期 when open-ended)'),
  surface: Type.Array(Type.Object({}, { additionalProperties: true }), { description: '照面信息' }),
  detail: Type.Array(Type.Object({}, { additionalProperties: true }), { description: '详细信息, by group' }),
  digitalSign: out('SM2 signature (base64) of the record without digitalSign, as RFC 8785 JSON'),
}, { additionalProperties: true });
/** F.3.5 */
const TYPE_ITEM = Type.Object({
  certificateType: out('证照类型名称'), certificateTypeCode: out('证照类型代码'), certificateDefineAuthorityName: out('证照定义机构'),
  certificateDefineAuthorityCode: out('证照定义机构代码'), relatedItemName: out('关联事项名称'), relatedItemCode: out('关联事项代码'),
  certificateHolderCategory: out('持证主体类别'), validityRange: out('有效期限范围'),
});

export const FLAT_RESPONSES: Readonly<Record<string, TSchema>> = {
  Retrieval: envelope(list(RETRIEVAL_ITEM)),
  GetCertificateFileByHolder: envelope(list(FILE_ITEM)),
  GetCertificateFileByCertificateID: envelope(list(FILE_ITEM)),
  GetCertificateDataByHolder: envelope(list(DATA_ITEM)),
  GetCertificateDataByCertificateID: envelope(list(DATA_ITEM)),
  // F.3.6's example writes total as a string.
  GetCertificateType: envelope(list(TYPE_ITEM, Type.String())),
  VerifyCertificate: envelope(Type.Object({ verifyResult: out('true or false') })),
};

export const NESTED_RESPONSES: Readonly<Record<string, TSchema>> = {
  query: envelope(Type.Array(Type.Object({ certificateIdentifier: out('证照标识'), certificateName: out('证照（类型）名称'), ...RETRIEVAL_ITEM.properties }))),
  downloadfile: envelope(Type.Object({
    certificateIdentifier: out('证照标识'), contentType: out('下载地址协议代码'), fileFormat: out('文件格式'), content: out('下载地址'),
  })),
  queryinfo: envelope(Type.Object({ certificateData: Type.Partial(DATA_ITEM) })),
  verifyinfo: envelope(Type.Object({ result: out('校验结果: 1 or 0'), message: out('校验结果说明'), verifyResult: out('true or false') })),
};

/**
 * The one mapping of schema failures into appendix A: a missing part of the envelope (the GB/T 36906
 * head) is 12, as the core's missing inputs are; an input of the wrong type is 24 (数据无法解析).
 */
export function schemaFailure(f: SchemaFailure): ServiceError {
  if (f.kind === 'missing') return new ServiceError(ReturnCode.RequiredMissing, f.field);
  return new ServiceError(ReturnCode.Unparseable, `${f.field === '' ? 'the request body' : f.field} ${f.rule}`);
}
