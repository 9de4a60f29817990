import { ReturnCode, returnMessage } from '../../domain/return-codes.js';

/**
 * DB51/T 2942's return codes. Only table 4 (6.3.2) lists codes beyond 0: 11 身份验证失败, 12 必填参数为空,
 * 24 申请下载的证照数据无法解析, 99 其他异常. They are the codes of ZWFW C 0124 appendix A in the Sichuan
 * text's own words, and 6.1 makes the national interface the one this follows, so every Sichuan
 * interface answers the appendix A code that fits, worded as table 4 words it where table 4 has it,
 * else as appendix A does (10 未找到匹配的证照信息, 13, 14, 21-23, 2).
 *
 * The other tables give only "0：成功；1：失败", and their head.message "接口调用成功；接口调用失败". Code 1
 * is not used: in appendix A it means 第三方接口连接超时, and a specific code tells the caller more.
 */
export const SICHUAN_MESSAGES: Readonly<Partial<Record<ReturnCode, string>>> = {
  '0': '接口调用成功',
  '11': '身份验证失败',
  '12': '必填参数为空',
  '24': '申请下载的证照数据无法解析',
  '99': '其他异常',
};

export function sichuanMessage(code: ReturnCode): string {
  return SICHUAN_MESSAGES[code] ?? returnMessage(code);
}
