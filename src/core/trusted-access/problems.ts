import { ReturnCode, ServiceError } from '../../domain/return-codes.js';

/**
 * Why trusted access refused a call, in the core's words; each face renders them in its own codes
 * (src/dialects/yrd/codes.ts). A subclass of ServiceError, so whatever renders the appendix A code
 * still works: every one of these is an authentication or authorisation failure (11).
 */
export type TrustProblem =
  // the calling app (table 8 and the request signature)
  | 'app-unknown' | 'app-secret' | 'app-unregistered' | 'app-disabled' | 'corp-mismatch'
  | 'request-unsigned' | 'request-signature' | 'request-stale' | 'request-replayed'
  // the trusted token (table 9)
  | 'token-malformed' | 'token-forged' | 'token-expired' | 'token-revoked' | 'token-issuer-unknown' | 'token-not-yours'
  | 'token-other-holder' | 'permission-operation' | 'permission-type'
  // the service code (table 7)
  | 'code-malformed' | 'code-forged' | 'code-expired' | 'code-foreign-area'
  // the scene (seed 5.4)
  | 'item-unknown' | 'item-not-allowed';

/** Every TrustProblem, for reading one back from another node's refusal. */
export const TRUST_PROBLEMS: ReadonlySet<string> = new Set<TrustProblem>([
  'app-unknown', 'app-secret', 'app-unregistered', 'app-disabled', 'corp-mismatch', 'request-unsigned', 'request-signature',
  'request-stale', 'request-replayed', 'token-malformed', 'token-forged', 'token-expired', 'token-revoked',
  'token-issuer-unknown', 'token-not-yours', 'token-other-holder', 'permission-operation', 'permission-type', 'code-malformed',
  'code-forged', 'code-expired', 'code-foreign-area', 'item-unknown', 'item-not-allowed',
]);

export class TrustError extends ServiceError {
  /** Whose data the refused call was after, when a genuine token said so (the refusal is recorded for them). */
  holderCode?: string;

  constructor(readonly problem: TrustProblem, detail?: string, fields: readonly string[] = []) {
    super(ReturnCode.AuthFailed, detail, fields);
    this.name = 'TrustError';
  }
}
