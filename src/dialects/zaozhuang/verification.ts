import type { ClaimCheck } from '../../core/sharing.js';

/** DB3704/T 0042 4.3.4: the result of a verification by fields, 0 correct and valid … 5 no such information. */
export type ZaozhuangFieldResult = '0' | '1' | '2' | '3' | '4' | '5';

/** The texts 4.3.4 gives for each result. */
export const ZAOZHUANG_FIELD_MESSAGES: Readonly<Record<ZaozhuangFieldResult, string>> = {
  '0': '信息正确且有效', '1': '信息正确且未激活', '2': '信息正确且证照暂时失效', '3': '信息正确且证照已失效', '4': '信息不全无法验证', '5': '查无此信息',
};

/**
 * The core's outcome in 4.3.4's terms. The table types result as String and the example writes the
 * number 0; we answer the string, like every other code of this interface.
 */
export function zaozhuangFieldVerification(r: ClaimCheck): { result: ZaozhuangFieldResult; message: string } {
  const result: ZaozhuangFieldResult = r.outcome === 'incomplete' ? '4' : r.outcome === 'no-match' ? '5'
    : r.usability === 'usable' ? '0' : r.usability === 'draft' || r.usability === 'not-yet-valid' ? '1' : r.usability === 'suspended' ? '2' : '3';
  return { result, message: ZAOZHUANG_FIELD_MESSAGES[result] };
}
