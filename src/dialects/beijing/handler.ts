import { NoSealError } from '../../core/certificate-files.js';
import { FilesBusyError } from '../../core/file-pool.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../node/services.js';
import { SessionError, type Session } from '../../core/sessions.js';
import { IssuingError } from '../../core/issuing.js';
import { UsingError } from '../../core/using.js';
import { HolderAuthError } from '../../core/holder-identity.js';
import { BeijingErrors, failure, success, type BeijingError } from './envelope.js';

export type Query = Record<string, string | undefined>;

/** A bad parameter, named in the message; answered as INVALID_ARGUMENT. */
export class ArgumentError extends Error {}

/** The caller's correlation_id (query, body or header), echoed in the envelope. */
export function correlation(req: FastifyRequest): string | undefined {
  const q = req.query as Query;
  const b = (req.body ?? {}) as Record<string, unknown>;
  const v = q.correlation_id ?? (typeof b.correlation_id === 'string' ? b.correlation_id : undefined) ?? req.headers['x-correlation-id'];
  return typeof v === 'string' && v.length <= 128 ? v : undefined;
}

export function refuse(reply: FastifyReply, req: FastifyRequest, status: number, e: BeijingError) {
  return reply.code(status).send(failure(correlation(req), e));
}

/** A core refusal in this dialect's words, with its HTTP status; undefined for anything else. */
export function dialectError(err: unknown): [number, BeijingError] | undefined {
  if (err instanceof ArgumentError) return [400, BeijingErrors.invalidArgument(err.message)];
  if (err instanceof SessionError) {
    switch (err.problem) {
      case 'bad-app': return [401, BeijingErrors.badApp()];
      case 'bad-credentials': return [401, BeijingErrors.badCredentials()];
      case 'locked': return [401, BeijingErrors.locked()];
      case 'expired': return [401, BeijingErrors.expired()];
      case 'idle': return [401, BeijingErrors.idle()];
      case 'no-session': return [401, BeijingErrors.noSession()];
      case 'no-department-admin': return [403, BeijingErrors.noDepartmentAdmin()];
    }
  }
  if (err instanceof IssuingError) {
    switch (err.problem) {
      case 'no-type': return [404, BeijingErrors.noLicenseItem(err.detail)];
      case 'type-not-issuable': return [409, BeijingErrors.notIssuable(err.detail)];
      case 'no-item': return [404, BeijingErrors.noServiceItem(err.detail)];
      case 'item-name': return [400, BeijingErrors.serviceItemName(err.detail)];
      case 'item-not-allowed': return [403, BeijingErrors.serviceItemNotAllowed(err.detail)];
      case 'invalid-fields': return [400, BeijingErrors.invalidDataFields(err.detail)];
      case 'not-found': case 'wrong-type': return [404, BeijingErrors.noLicense()];
      case 'number-mismatch': return [400, BeijingErrors.idCodeMismatch()];
      case 'not-draft': return [409, BeijingErrors.notDraft()];
      case 'not-issued': return [409, BeijingErrors.notIssued(err.detail)];
      case 'duplicate': return [409, BeijingErrors.duplicate(err.detail)];
      case 'seal': return [400, BeijingErrors.badSealCode(err.detail)];
      case 'batch-size': return [400, BeijingErrors.invalidArgument(`批量条数应为 1-10000（${err.detail}）`)];
      case 'not-issuer': return [403, BeijingErrors.notIssuer(err.detail)];
      case 'not-maker': return [403, BeijingErrors.notMaker(err.detail)];
      case 'outside-division': return [403, BeijingErrors.outsideDivision(err.detail)];
    }
  }
  if (err instanceof UsingError) {
    switch (err.problem) {
      case 'no-item': return [404, BeijingErrors.noServiceItem(err.detail)];
      case 'item-name': return [400, BeijingErrors.serviceItemName(err.detail)];
      case 'item-not-allowed': return [403, BeijingErrors.serviceItemNotAllowed(err.detail)];
      case 'bad-identity': return [400, BeijingErrors.badIdentity(err.detail)];
      case 'too-many': return [400, BeijingErrors.invalidArgument(`identity_number 最多 ${err.detail} 个`)];
      case 'bad-code': return [403, BeijingErrors.badAuthCode()];
      case 'expired-code': return [403, BeijingErrors.authCodeExpired()];
      case 'not-yours': return [403, BeijingErrors.authCodeNotYours()];
      case 'not-found': return [404, BeijingErrors.noLicense()];
      case 'abolished': return [409, BeijingErrors.licenseState('ABOLISHED', '电子证照已废止')];
      case 'expired': return [409, BeijingErrors.licenseState('EXPIRED', '电子证照已过期')];
      case 'suspended': return [409, BeijingErrors.licenseState('SUSPENDED', '电子证照已受限使用')];
    }
  }
  if (err instanceof HolderAuthError) {
    switch (err.problem) {
      case 'bad-credential': case 'bad-login': return [401, BeijingErrors.badHolderCredential()];
      case 'no-identity': return [401, BeijingErrors.noHolderIdentity(err.message)];
      // Not offered here is the node's setting, not an outage: a refusal, not a 5xx.
      case 'not-configured': return [403, BeijingErrors.identityProviderNotConfigured()];
      case 'provider-unreachable': return [503, BeijingErrors.identityProviderUnavailable(err.message)];
    }
  }
  if (err instanceof NoSealError) return [409, BeijingErrors.noSeal(err.issuerCode)];
  if (err instanceof FilesBusyError) return [503, BeijingErrors.busy()];
  return undefined;
}

/** Runs a handler inside the caller's session (`?access_token=`, as the examples pass it). */
export function withSession(s: Services, fn: (req: FastifyRequest, session: Session, token: string) => Promise<Record<string, unknown>>) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const token = (req.query as Query).access_token ?? '';
    try {
      const session = await s.sessions.session(token);
      return success(correlation(req), await fn(req, session, token));
    } catch (err) {
      const known = dialectError(err);
      if (known) return refuse(reply, req, known[0], known[1]);
      throw err;
    }
  };
}

/** An integer parameter within bounds, or its default when absent. */
export function intParam(v: string | undefined, dflt: number, name: string, min: number, max: number): number {
  if (v === undefined || v === '') return dflt;
  if (!/^\d+$/.test(v)) throw new ArgumentError(`${name} 应为整数`);
  const n = Number(v);
  if (n < min || n > max) throw new ArgumentError(`${name} 取值范围 ${min}-${max}`);
  return n;
}
