import { Type, type TSchema } from '@sinclair/typebox';
import { ReturnCode, ServiceError } from '../../domain/return-codes.js';
import type { SchemaFailure } from '../contract.js';

/**
 * The request contracts of the Sichuan interface (DB51/T 2942 tables 2-14). Every table types its
 * inputs 字符串: a number or an object where a text belongs is refused (24), not coerced. Most
 * tables name head.* and data.* inputs; tables 11, 13 and 14 name theirs without a prefix, so those
 * are declared at both places (params.ts reads data when the body has one, else the top level).
 * Which inputs a call must carry is the core's rule (12, after authentication).
 */

const text = (description: string) => Type.Optional(Type.String({ description }));

const HEAD = Type.Optional(Type.Object({
  accountId: text('账号 ID（通过电子证照验证服务获得）; table 3 spells it AccountId, both are read'),
  accessToken: text('身份认证信息'),
  encryptedId: text('加密电子证照标识 (table 10)'),
  type: text('QR or GM (table 10)'),
}, { additionalProperties: true }));

const USE_FOR = { useFor: text('查询事由 / 下载事由: 01 共享应用, 02 亮证应用, 03 证照核验, 99 其他') };
const HOLDER = {
  certificateHolderCode: text('持证主体代码'), certificateHolderType: text('持证主体代码类型'),
  certificateType: text('证照类型名称'), certificateNumber: text('证照编号'),
};
const FORMAT = { fileFormat: text('pdf (default) or ofd') };
/** Table 11's CertificateData (the national G.1 items). */
const CERTIFICATE_DATA = Type.Optional(Type.Object({
  certificateType: text('证照类型名称'), certificateName: text('证照名称'), certificateNumber: text('证照编号'),
  certificateHolder: text('持证主体'), certificateHolderCode: text('持证主体代码'), certificateHolderType: text('持证主体代码类型'),
  issueDept: text('颁证单位'), issueDeptCode: text('颁证单位代码'), issueDate: text('颁证日期'),
  certificateValidateStart: text('有效期起始日期'), certificateValidateEnd: text('有效期截止日期'),
}, { additionalProperties: true, description: '查验的证照信息' }));

/** {head, data}; `flat` inputs may also come without data, at the top level (tables 11, 13, 14). */
const request = (data: Record<string, TSchema>, flat = false) => Type.Object({
  head: HEAD,
  data: Type.Optional(Type.Object(data, { additionalProperties: true })),
  ...(flat ? data : {}),
}, { additionalProperties: true });

export const BODIES: Readonly<Record<string, TSchema>> = {
  Retrieval: request({ ...HOLDER, ...USE_FOR }),
  GetCertificateFileByHolder: request({ ...HOLDER, ...USE_FOR, ...FORMAT }),
  GetCertificateFileByCertificateID: request({ certificateID: text('证照标识'), ...USE_FOR, ...FORMAT }),
  GetCertificateFileByEncryptedID: request({ encryptedId: text('加密电子证照标识'), ...USE_FOR, ...FORMAT }),
  GetCertificateDataByHolder: request({ ...HOLDER, ...USE_FOR }),
  GetCertificateDataByCertificateID: request({ certificateID: text('证照标识'), ...USE_FOR }),
  GetEncryptedCertificateID: request({ ...HOLDER, ...USE_FOR }),
  GetEncryptedCertificateIDQRCode: request({ encryptedId: text('加密电子证照标识'), type: text('QR or GM'), ...USE_FOR }),
  VerifyCertificate: request({
    CertificateHolderCode: text('持证主体代码'), CertificateHolderType: text('持证主体代码类型'), CertificateData: CERTIFICATE_DATA,
    UseFor: text('查询事由: 01, 02, 03 or 99'),
  }, true),
  VerifyCertificateFile: request({ fileFormat: text('pdf or ofd'), fileEntity: text('版式文件, base64'), ...USE_FOR }),
  VerifyEncryptedCertificateID: request({ encryptedId: text('加密电子证照标识'), ...USE_FOR }, true),
  Register: request({ systemName: text('系统名称'), systemIp: text('系统 IP'), deptCode: text('部门代码'), deptName: text('部门名称') }, true),
};

/** Table 10 lets the symbology come in the query too. */
export const QR_QUERY = Type.Object({ type: text('QR or GM') }, { additionalProperties: true });

/** The one mapping of schema failures into table 4's codes: an input of the wrong type is 24, naming it as the table does. */
export function schemaFailure(f: SchemaFailure): ServiceError {
  if (f.kind === 'missing') return new ServiceError(ReturnCode.RequiredMissing, f.field);
  if (f.field === '') return new ServiceError(ReturnCode.Unparseable, 'the body must be a JSON object');
  const must = f.kind === 'type' ? (/object/.test(f.rule) ? 'must be a JSON object' : 'must be a string (字符串)') : f.rule;
  return new ServiceError(ReturnCode.Unparseable, `${f.field} ${must}`);
}
