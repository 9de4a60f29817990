import { ReturnCode, ServiceError } from '../../domain/return-codes.js';
import { TrustError, type TrustProblem } from '../../core/trusted-access/problems.js';

/**
 * Return codes of the Yangtze River Delta interface. Seed 004 types `code` as an integer (tables 8
 * and 9) and defines no values, so: 0 and the appendix A codes of ZWFW C 0124 as integers (10 not
 * found, 12 required parameter missing, 24 unparseable, …) for what every dialect answers alike;
 * 30-61 for the refusals of trusted access and scene checks, one code per reason so an app can act
 * on it (register, get a new token, ask for a wider permission, pick another item).
 */
export const TRUST_CODES: Readonly<Record<TrustProblem, { code: number; msg: string }>> = {
  'app-unknown': { code: 30, msg: '应用不存在' },
  'app-secret': { code: 31, msg: '应用密钥错误' },
  'app-unregistered': { code: 32, msg: '应用未注册' },
  'app-disabled': { code: 33, msg: '应用已停用' },
  'corp-mismatch': { code: 34, msg: '应用已登记于其他单位' },
  'request-unsigned': { code: 35, msg: '请求未签名或签名头不完整' },
  'request-signature': { code: 36, msg: '请求签名验证不通过' },
  'request-stale': { code: 37, msg: '请求时间戳超出允许范围' },
  'request-replayed': { code: 38, msg: '重复的请求' },
  'token-malformed': { code: 40, msg: '可信访问令牌格式错误' },
  'token-forged': { code: 41, msg: '可信访问令牌签名无效' },
  'token-expired': { code: 42, msg: '可信访问令牌已过期' },
  'token-revoked': { code: 43, msg: '可信访问令牌已撤销' },
  'token-issuer-unknown': { code: 44, msg: '可信访问令牌签发方未知' },
  'token-not-yours': { code: 45, msg: '可信访问令牌非颁发给本调用方' },
  'token-other-holder': { code: 46, msg: '证照不属于令牌持证主体' },
  'permission-operation': { code: 47, msg: '访问授权不包含该操作' },
  'permission-type': { code: 48, msg: '访问授权不包含该证照类型' },
  'code-malformed': { code: 50, msg: '政务服务码格式错误' },
  'code-forged': { code: 51, msg: '政务服务码签名无效' },
  'code-expired': { code: 52, msg: '政务服务码已过期' },
  'code-foreign-area': { code: 53, msg: '政务服务码属其他地区，本节点不能解码' },
  'item-unknown': { code: 60, msg: '应用场景（事项）不存在' },
  'item-not-allowed': { code: 61, msg: '应用场景不允许使用该证照类型' },
};

const APPENDIX_A: Readonly<Record<ReturnCode, string>> = {
  '0': '成功', '1': '第三方接口连接超时', '2': '未提供此服务接口', '10': '未找到匹配的证照信息', '11': '身份验证不通过',
  '12': '必填参数为空', '13': '证照类型不存在或未发布', '14': '错误的证件号码或代码', '21': '该电子证照已废止或注销',
  '22': '该电子证照已过期', '23': '该电子证照已受限使用', '24': '参数无法解析', '99': '其他异常',
};

export const OK = { code: 0, msg: APPENDIX_A['0'] } as const;

export function appendixCode(code: ReturnCode): { code: number; msg: string } {
  return { code: Number(code), msg: APPENDIX_A[code] };
}

/** Table parameter names for the canonical names the core uses in its refusals. */
const NAMES: Readonly<Record<string, string>> = {
  reason: 'UseFor', certificateId: 'CertificateID', typeName: 'CertificateType', holderCode: 'trustedToken', appId: 'appID', appSecret: 'appSecret',
  'file.format': 'fileFormat', 'file.entity': 'fileEntity', qrValue: 'qrcode',
};

/** Any error as code and message; never internals. */
export function failureOf(err: unknown, names: Readonly<Record<string, string>> = {}): { code: number; msg: string } {
  if (!(err instanceof ServiceError)) return appendixCode(ReturnCode.Other);
  const base = err instanceof TrustError ? TRUST_CODES[err.problem] : appendixCode(err.code);
  const about = [err.fields.map((f) => names[f] ?? NAMES[f] ?? f).join(', '), err.detail].filter(Boolean).join(' ');
  return { code: base.code, msg: about ? `${base.msg}: ${about}` : base.msg };
}
