/** Appendix A of ZWFW C 0124: the return codes every dialect maps its answers from. */
export const ReturnCode = {
  Success: '0',
  ThirdPartyTimeout: '1',
  ServiceNotProvided: '2',
  NotFound: '10',
  AuthFailed: '11',
  RequiredMissing: '12',
  TypeNotFound: '13',
  BadHolderCodeType: '14',
  Abolished: '21',
  Expired: '22',
  Restricted: '23',
  Unparseable: '24',
  Other: '99',
} as const;
export type ReturnCode = (typeof ReturnCode)[keyof typeof ReturnCode];

/** Table A.1, as the standard writes it. */
export const RETURN_CODE_MESSAGES: Readonly<Record<ReturnCode, string>> = {
  '0': '接口调用成功',
  '1': '第三方接口连接超时',
  '2': '证照源未提供此服务接口',
  '10': '未找到匹配的证照信息',
  '11': '身份验证不通过',
  '12': '要求必填的输入参数值为空',
  '13': '证照类型不存在或未发布',
  '14': '错误的持证主体代码类型',
  '21': '该电子证照已废止或注销',
  '22': '该电子证照已过期',
  '23': '该电子证照已受限使用',
  '24': '申请查验的证照数据无法解析',
  '99': '其他异常',
};

export function returnMessage(code: ReturnCode): string {
  return RETURN_CODE_MESSAGES[code];
}

/**
 * What the core throws; each dialect adapter renders it in its own envelope. `fields` names the
 * inputs at fault by their canonical names (reason, holderCode, claim.issueDate, …), which each
 * dialect translates into its own parameter names.
 */
export class ServiceError extends Error {
  readonly code: ReturnCode;
  readonly detail?: string;
  readonly fields: readonly string[];

  constructor(code: ReturnCode, detail?: string, fields: readonly string[] = []) {
    const about = [fields.join(', '), detail].filter(Boolean).join(' ');
    super(about ? `${RETURN_CODE_MESSAGES[code]}: ${about}` : RETURN_CODE_MESSAGES[code]);
    this.name = 'ServiceError';
    this.code = code;
    this.detail = detail;
    this.fields = fields;
  }
}
