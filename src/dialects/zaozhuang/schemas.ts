import { Type, type TSchema } from '@sinclair/typebox';
import { ReturnCode, ServiceError } from '../../domain/return-codes.js';
import type { SchemaFailure } from '../contract.js';

/**
 * The request contracts of the Zaozhuang interface (DB3704/T 0042-2024, 4.3.2-4.3.7): HTTP+JSON (a
 * form is read the same way), names case-sensitive. Numbers are read as their decimal text, as the
 * tables' int-typed inputs (interfaceType, whose, category) come either way. The values each input
 * may take, the district misprints the document itself makes, and which inputs are required are
 * checked by params.ts (12 and 24 with the document's words), after the token: schemas say what
 * each input is and of which type.
 */

const text = (description: string) => Type.Optional(Type.String({ description }));

/** 3.13 and 4.3: the token, the level asked for, and the caller fields every table lists. */
const COMMON = {
  access_token: text('OAuth2 token (4.3.1); the Authorization header or the query string work too'),
  interfaceType: text('0 省级 (default), 1 市级'),
  certificateSystemName: text('调用系统名称'), certificateCallCategory: text('0 事项调用, 1 非事项调用'),
  certificateMatterName: text('事项名称'), certificateEventCode: text('事项编码'), certificateCopyCause: text('用证事由'),
  callDistrict: text('调用区县: 市中区、薛城区、峄城区、台儿庄区、山亭区、滕州市 (or 枣庄市)'), callDepartment: text('调用部门'),
  districtLevel: text('市级、区级、街镇级'), clientInfo_areaCode: text('区划代码'), clientInfo_deptCode: text('部门代码'),
  clientInfo_operName: text('操作人'), deptName: text('部门名称'), whose: text('0 个人, 1 法人'), category: text('1 证照, 0 批文'),
  licenseTypeCode: text('21 位证照类型代码'), operUserName: text('操作人姓名'), operTime: text('操作时间, e.g. 2024-04-27 10:15:30'),
  operUserIp: text('操作人 IP'),
};

const body = (props: Record<string, TSchema>) => Type.Object({ ...COMMON, ...props }, { additionalProperties: true });

export const BODIES: Readonly<Record<string, TSchema>> = {
  ShareDownloadUrl: body({ certificateID: text('证照标识'), expiryTime: text('加注件有效期 yyyy-MM-dd') }),
  ShareQueryCertInfo: body({ certificateID: text('证照标识') }),
  // 4.3.4 (by fields) and 4.3.5 (by file) share one path.
  ShareVerifyCertInfo: body({
    certTypeCode: text('证照类型代码'), certificateHolderCode: text('持证主体代码'), useFor: text('用证事由 (4.3.4)'),
    certificateData: Type.Optional(Type.Union([Type.Object({}, { additionalProperties: true }), Type.String()], { description: '核验的证照信息 (4.3.4): an object, or its JSON text (read in routes.ts)' })),
    contentType: text('base64 (4.3.5)'), content: text('文件内容 (4.3.5)'), useCause: text('用证事由 (4.3.5)'),
  }),
  ShareQueryCertInfoByQRcode: body({ qrValue: text('二维码内容') }),
  ShareQueryCertInfoByHolder: body({
    certificateHolderCode: text('持证主体代码'), certificateHolderCodeType: text('持证主体代码类型 (required at city level)'),
    certTypeCode: text('证照类型代码'), certificateType: text('证照类型名称'), certificateNumber: text('证照编号'),
    Mode: text('reserved paging field (also mode)'), Page: text('page, from 1 (also page)'), Size: text('page size, at most 500 (also size)'),
  }),
};

/** The one mapping of schema failures into 5.2's codes: a body that is no object, or an input of the wrong type, is 24. */
export function schemaFailure(f: SchemaFailure): ServiceError {
  if (f.kind === 'missing') return new ServiceError(ReturnCode.RequiredMissing, f.field);
  if (f.field === '') return new ServiceError(ReturnCode.Unparseable, 'the request body must be a JSON object');
  return new ServiceError(ReturnCode.Unparseable, `${f.field} ${f.kind === 'type' ? (f.rule === 'must be string' ? '应为字符串' : '类型不正确') : f.rule}`);
}
