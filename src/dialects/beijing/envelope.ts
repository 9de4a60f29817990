import { randomUUID } from 'node:crypto';

/**
 * The Beijing envelope (seed 002, 6.2 and appendix B): ack_code SUCCESS or FAILURE, errors
 * [{code, message}], response_id (UUID), timestamp `yyyy-MM-dd HH:mm:ss.SSS` (China Standard Time),
 * correlation_id echoed when the caller sends one, then the payload.
 */
export interface BeijingError { code: string; message: string }

export function timestamp(now = new Date()): string {
  const cst = new Date(now.getTime() + 8 * 3600_000).toISOString();
  return `${cst.slice(0, 10)} ${cst.slice(11, 23)}`;
}

/**
 * The examples D.2, E.1 and F.2 carry `sign` and `sign_method`, both null: the document defines no
 * message signature, so none is made, and the members are there, null, as the examples show them.
 */
const UNSIGNED = { sign: null, sign_method: null };

export function success(correlationId: string | undefined, payload: Record<string, unknown> = {}) {
  return { ack_code: 'SUCCESS', errors: [] as BeijingError[], ...UNSIGNED, response_id: randomUUID(), timestamp: timestamp(), correlation_id: correlationId ?? null, ...payload };
}

export function failure(correlationId: string | undefined, error: BeijingError) {
  return { ack_code: 'FAILURE', errors: [error], ...UNSIGNED, response_id: randomUUID(), timestamp: timestamp(), correlation_id: correlationId ?? null };
}

/**
 * The document defines no error codes; these are ours, stable and documented in docs/beijing.md.
 * Messages are Chinese, for the clerks who read them.
 */
export const BeijingErrors = {
  invalidArgument: (detail: string): BeijingError => ({ code: 'INVALID_ARGUMENT', message: `请求参数错误：${detail}` }),
  badApp: (): BeijingError => ({ code: 'INVALID_APP', message: 'app_key 或 app_secret 不正确' }),
  badCredentials: (): BeijingError => ({ code: 'AUTHENTICATION_FAILED', message: '用户名或密码不正确' }),
  locked: (): BeijingError => ({ code: 'ACCOUNT_LOCKED', message: '密码错误次数过多，账户已临时锁定' }),
  noDepartmentAdmin: (): BeijingError => ({ code: 'DEPARTMENT_ADMIN_LOGIN_REFUSED', message: '不支持以指定部门管理员身份登录（org_code）：该账户没有部门管理员身份' }),
  noSession: (): BeijingError => ({ code: 'INVALID_ACCESS_TOKEN', message: '访问令牌无效或会话已注销' }),
  expired: (): BeijingError => ({ code: 'SESSION_EXPIRED', message: '会话已过期，请重新登录' }),
  idle: (): BeijingError => ({ code: 'SESSION_TIMEOUT', message: '会话空闲超时，请重新登录' }),
  noLicenseItem: (code: string): BeijingError => ({ code: 'LICENSE_ITEM_NOT_FOUND', message: `证照目录不存在或未发布：${code}` }),
  notIssuable: (detail: string): BeijingError => ({ code: 'LICENSE_ITEM_NOT_ISSUABLE', message: `证照目录缺少制证所需的数据项：${detail}` }),
  noServiceItem: (code: string): BeijingError => ({ code: 'SERVICE_ITEM_NOT_FOUND', message: `事项不存在：${code}` }),
  serviceItemName: (name: string): BeijingError => ({ code: 'SERVICE_ITEM_MISMATCH', message: `事项名称与事项编码不符，应为：${name}` }),
  serviceItemNotAllowed: (detail: string): BeijingError => ({ code: 'SERVICE_ITEM_NOT_ALLOWED', message: `该事项无权使用此证照目录：${detail}` }),
  invalidDataFields: (detail: string): BeijingError => ({ code: 'INVALID_DATA_FIELDS', message: `证照数据内容不正确：${detail}` }),
  noLicense: (): BeijingError => ({ code: 'LICENSE_NOT_FOUND', message: '找不到电子证照' }),
  idCodeMismatch: (): BeijingError => ({ code: 'ID_CODE_MISMATCH', message: '证照号码与证照唯一编码不符' }),
  notDraft: (): BeijingError => ({ code: 'LICENSE_NOT_DRAFT', message: '电子证照已签发，不能修改、删除或再次签发' }),
  notIssued: (status: string): BeijingError => ({ code: 'LICENSE_NOT_ISSUED', message: `电子证照不是已签发状态（${status}）` }),
  duplicate: (number: string): BeijingError => ({ code: 'LICENSE_DUPLICATE', message: `同一证照号码的电子证照已存在：${number}` }),
  notIssuer: (detail: string): BeijingError => ({ code: 'LICENSE_NOT_ISSUER', message: `电子证照只能由发证机构通过本机构的事项办理：${detail}` }),
  notMaker: (id: string): BeijingError => ({ code: 'LICENSE_DRAFT_NOT_YOURS', message: `制证数据只能由创建它的机构和业务系统修改、删除或签发：${id}` }),
  outsideDivision: (detail: string): BeijingError => ({ code: 'OUTSIDE_DIVISION', message: `超出操作员所属行政区划：${detail}` }),
  badIdentity: (n: string): BeijingError => ({ code: 'INVALID_IDENTITY_NUMBER', message: `证件号码不正确（校验位不符或格式错误）：${n}` }),
  badAuthCode: (): BeijingError => ({ code: 'INVALID_AUTH_CODE', message: '用证码或访问令牌无效' }),
  authCodeExpired: (): BeijingError => ({ code: 'AUTH_CODE_EXPIRED', message: '用证码或访问令牌已过期' }),
  authCodeNotYours: (): BeijingError => ({ code: 'AUTH_CODE_NOT_YOURS', message: '用证码不属于当前用户或事项' }),
  licenseState: (state: string, message: string): BeijingError => ({ code: `LICENSE_${state}`, message }),
  badSealCode: (detail: string): BeijingError => ({ code: 'INVALID_SEAL_CODE', message: `印章编码不是发证机构的有效电子印章：${detail}` }),
  // psn_holder (5.4.2.1 b, G.1): the holder's real-name credential is checked with the configured identity provider.
  badHolderCredential: (): BeijingError => ({ code: 'INVALID_CREDENTIAL', message: '实名登录凭据无效或已过期（credential）' }),
  noHolderIdentity: (detail: string): BeijingError => ({ code: 'INVALID_CREDENTIAL', message: `实名账号未提供有效的证件号码：${detail}` }),
  identityProviderNotConfigured: (): BeijingError => ({ code: 'IDENTITY_PROVIDER_NOT_CONFIGURED', message: '本节点未配置统一身份认证服务，不提供统一身份认证用证' }),
  identityProviderUnavailable: (detail: string): BeijingError => ({ code: 'IDENTITY_PROVIDER_UNAVAILABLE', message: `统一身份认证服务不可用：${detail}` }),
  busy: (): BeijingError => ({ code: 'RESOURCE_EXHAUSTED', message: '系统繁忙，请稍后重试' }),
  noSeal: (org: string): BeijingError => ({ code: 'SEAL_NOT_FOUND', message: `发证机构没有电子印章，无法生成 OFD 文件：${org}` }),
  unsupportedFileType: (t: string): BeijingError => ({ code: 'UNSUPPORTED_FILE_TYPE', message: `暂不支持的电子文件类型：${t}` }),
  notFound: (what: string): BeijingError => ({ code: 'NOT_FOUND', message: `接口不存在：${what}` }),
  tooLarge: (): BeijingError => ({ code: 'PAYLOAD_TOO_LARGE', message: '请求内容过大' }),
  internal: (): BeijingError => ({ code: 'INTERNAL_ERROR', message: '系统内部错误' }),
  // Seed 002 defines no codes at all, so none for a rate limit; ours, beside ACCOUNT_LOCKED.
  tooMany: (): BeijingError => ({ code: 'TOO_MANY_REQUESTS', message: '请求过于频繁，请稍后再试' }),
};
