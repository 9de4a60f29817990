import type { FileVerdict } from '../../core/file-verification.js';
import type { FileOutcome } from '../../domain/file-outcome.js';

/** DB3704/T 0042 4.3.5: result 0 passed, 1 seal check failed, 2 file check failed, 3-5 the certificate's state. */
export type ZaozhuangFileResult = '0' | '1' | '2' | '3' | '4' | '5';

/** The texts 4.3.5 gives for each result. */
export const ZAOZHUANG_FILE_MESSAGES: Record<ZaozhuangFileResult, string> = {
  '0': '验证通过', '1': '签章校验失败', '2': '文件校验失败', '3': '证照未激活', '4': '证照暂时失效', '5': '证照已失效',
};

const RESULT: Record<FileOutcome, ZaozhuangFileResult> = {
  'genuine': '0',
  'unsigned': '1', 'seal-invalid': '1', 'untrusted-signer': '1',
  'not-a-layout-file': '2', 'format-mismatch': '2', 'altered': '2', 'unknown-certificate': '2', 'data-mismatch': '2',
  // The copy, not the certificate, is out of date: the file no longer stands, the certificate may.
  'copy-expired': '2',
  'not-activated': '3',
  'suspended': '4',
  'abolished': '5', 'expired': '5',
};

export function zaozhuangFileVerification(v: FileVerdict): { result: ZaozhuangFileResult; message: string } {
  const result = RESULT[v.outcome];
  return { result, message: ZAOZHUANG_FILE_MESSAGES[result] };
}
