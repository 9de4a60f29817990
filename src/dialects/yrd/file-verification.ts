import type { FileVerdict } from '../../core/file-verification.js';
import { FILE_OUTCOME_TEXT } from '../../domain/file-outcome.js';

/** Yangtze River Delta table 6: result is an integer, 1 success, 0 failure. */
export function yrdFileVerification(v: FileVerdict): { result: 1 | 0; message: string } {
  return { result: v.outcome === 'genuine' ? 1 : 0, message: FILE_OUTCOME_TEXT[v.outcome] };
}
