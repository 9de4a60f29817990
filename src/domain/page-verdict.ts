import { FILE_OUTCOME_TEXT, type FileOutcome } from './file-outcome.js';

/** What a file checked on the page of one certificate comes to: the file's own outcome, or that it is another certificate's. */
export type PageOutcome = FileOutcome | 'other-certificate';

/**
 * A page about certificate X answers for X: a file that is genuine but of certificate Y is not a
 * proof of X, and the page says so plainly before anything else (issue 15: a suspended licence's
 * page showed 验证通过 for another licence's file). A file naming no certificate keeps its outcome.
 */
export function fileOnPage(outcome: FileOutcome, fileCertificateId: string | undefined, pageCertificateId: string): { outcome: PageOutcome; message: string } {
  if (fileCertificateId !== undefined && fileCertificateId !== pageCertificateId) {
    return { outcome: 'other-certificate', message: `该文件不是本页证照的文件：它属于另一张证照（${fileCertificateId}）` };
  }
  return { outcome, message: FILE_OUTCOME_TEXT[outcome] };
}
