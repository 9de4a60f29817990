import { ReturnCode, returnMessage, ServiceError } from '../../domain/return-codes.js';

/**
 * The Zaozhuang levels (DB3704/T 0042 4.3): interfaceType 0 asks the province, 1 the city; head.type
 * says which answered, 1 province, 2 city.
 */
export type Level = 'province' | 'city';
export const LEVEL_OF_INTERFACE_TYPE: Readonly<Record<string, Level>> = { '0': 'province', '1': 'city' };
export const HEAD_TYPE: Readonly<Record<Level, string>> = { province: '1', city: '2' };

export interface ZaozhuangHead { message: string; type?: string; status: string }
export interface ZaozhuangResponse<T = unknown> { head: ZaozhuangHead; data: T }

/**
 * Success (3.15 and the examples of 4.3.2-4.3.7). The document's examples disagree on small
 * things; these are the forms we answer, each chosen from the document itself:
 * - head.status is a string ("0"), as most examples write it; 4.3.5 and the city example of 4.3.6
 *   write a number. The tables call it int; JSON clients read either.
 * - head.type is always present: the tables of 4.3.2-4.3.7 list it for both levels, while the city
 *   examples (and the province example of 4.3.6) leave it out.
 * - head.message is 接口调用成功！ at province level and 接口调用成功 at city level, as the examples
 *   of each level write it (4.3.6's city example says 查询成功).
 * - 4.3.6's city example alone writes {"sign":"","time":0,"message":"查询成功","status":0}. It is not
 *   copied: its 返回参数说明 lists head.status, head.type and head.message only, so sign and time are
 *   fields the document never defines (an empty signature and a zero time say nothing a caller
 *   could check), and a head without type would leave 4.3.6's callers unable to tell the levels
 *   apart, which its own table says head.type is for. City answers of 4.3.6 share this head with
 *   every other city answer.
 */
export function ok<T>(level: Level, data: T): ZaozhuangResponse<T> {
  return { head: { message: level === 'province' ? '接口调用成功！' : '接口调用成功', type: HEAD_TYPE[level], status: ReturnCode.Success }, data };
}

/**
 * Failure, as 4.3.2's failure example writes it: head.message 接口调用失败！, head.status the code of
 * 5.2 (the national appendix A table), data the code's text, followed by a clarification where one
 * helps (`要求必填的输入参数值为空: certificateSystemName`).
 */
export function fail(code: ReturnCode, detail?: string): ZaozhuangResponse<string> {
  const text = returnMessage(code);
  return { head: { message: '接口调用失败！', status: code }, data: detail ? `${text}: ${detail}` : text };
}

/** Canonical input names (as the core names them in errors) → this dialect's parameter names. */
const NAMES: Readonly<Record<string, string>> = {
  reason: 'certificateCopyCause', holderCode: 'certificateHolderCode', holderType: 'certificateHolderCodeType',
  typeName: 'certTypeCode', certificateId: 'certificateID', copyExpiry: 'expiryTime', qrValue: 'qrValue',
  'claim.issueDate': 'certificateData.issueDate', 'claim.validFrom': 'certificateData.certificateValidateStart',
  'claim.validTo': 'certificateData.certificateValidateEnd',
};

/** A core or adapter refusal in this dialect's envelope; `reasonName` is what this interface calls its reason. */
export function failFrom(err: unknown, reasonName = 'certificateCopyCause'): ZaozhuangResponse<string> {
  if (!(err instanceof ServiceError)) return fail(ReturnCode.Other);
  const names: Readonly<Record<string, string>> = { ...NAMES, reason: reasonName };
  const about = [err.fields.map((f) => names[f] ?? f).join(', '), err.detail].filter(Boolean).join(' ');
  return fail(err.code, about || undefined);
}
