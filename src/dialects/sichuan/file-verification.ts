import type { FileVerdict } from '../../core/file-verification.js';
import { FILE_OUTCOME_TEXT } from '../../domain/file-outcome.js';

/** DB51/T 2942 table 12 output: result 1 success / 0 failure, with the seal and surface findings. */
export interface SichuanFileVerification {
  result: '1' | '0';
  /** 签章验证信息 */
  signVerify: string;
  /** 照面核验信息 */
  message: string;
  /** 消息 */
  detail: string;
  /** 详情 */
  dataVerify: string;
}

const SIGNATURE_FAULTS = new Set(['unsigned', 'altered', 'seal-invalid', 'untrusted-signer', 'not-a-layout-file', 'format-mismatch']);

export function sichuanFileVerification(v: FileVerdict): SichuanFileVerification {
  const signatureOk = !SIGNATURE_FAULTS.has(v.outcome);
  const c = v.certificate;
  return {
    result: v.outcome === 'genuine' ? '1' : '0',
    signVerify: signatureOk ? '签章验证通过' : FILE_OUTCOME_TEXT[v.outcome],
    message: c ? `${c.typeName}（${c.number}），${FILE_OUTCOME_TEXT[v.outcome]}` : FILE_OUTCOME_TEXT[v.outcome],
    detail: v.problems.join('; '),
    dataVerify: JSON.stringify({ outcome: v.outcome, format: v.format ?? null, certificateId: c?.id ?? null, signedAt: v.signedAt ?? null, copy: v.copy ?? null }),
  };
}
