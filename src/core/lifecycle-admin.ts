import type { Db, Queryable } from '../store/db.js';
import type { CertificateRepo } from '../store/certificates.js';
import { recordEvent, type LifecycleAction } from '../store/certificate-events.js';
import type { Certificate, CertificateStatus } from '../domain/model.js';
import type { CatalogFeed } from './aggregation/feed.js';
import { issuedBy } from './write-authority.js';

/** Who takes an administrative action: the node's operator, through the command line, the admin API or the operator console. */
export interface AdminActor {
  /** The operator's name as given (`--operator`), else the account the process runs as. */
  account: string;
  via: 'cli' | 'admin-api' | 'console';
  /** An operator of one issuing organisation (the console's issuers) acts on that organisation's certificates only. */
  orgCode?: string;
}

export type AdminLifecycleProblem = 'not-found' | 'not-issuer' | 'no-reason' | 'not-issued' | 'not-suspended';

export class AdminLifecycleError extends Error {
  constructor(readonly problem: AdminLifecycleProblem, readonly detail = '') {
    super(detail ? `${problem}: ${detail}` : problem);
  }
}

export interface AdminLifecycleResult { id: string; status: CertificateStatus; reason?: string }

/**
 * Lifecycle actions the node's operator takes on behalf of an issuing organisation, outside any
 * dialect: suspend (暂时失效 / 受限使用: an issued certificate stops being usable for a while),
 * resume (it is usable again) and abolish (废止, for nodes whose issuers have no issuing
 * interface). Each is recorded as an event of the certificate, with the operator and the reason, in
 * the same transaction. Every dialect then answers with its own code for the state (national 23
 * 已受限使用, Zaozhuang 4.3.4 result 2 and 4.3.5 result 4, Sichuan 受限使用, Beijing SUSPENDED).
 *
 * A suspension changes nothing in the front DB: lic_data cannot say 受限使用 (see CatalogFeed),
 * and the hub routes requests to this node, which answers for the state itself.
 */
export class LifecycleAdministration {
  constructor(private readonly db: Db, private readonly certs: CertificateRepo, private readonly feed: CatalogFeed) {}

  /** Issued → suspended, with the reason (required: a suspension must say why). */
  async suspend(id: string, reason: string, by: AdminActor): Promise<AdminLifecycleResult> {
    const why = requiredReason(reason);
    return this.db.transaction(async (tx) => {
      const current = await this.locked(tx, id, by);
      if (!(await this.certs.markSuspended(id, true, tx))) throw new AdminLifecycleError('not-issued', current.status);
      await this.event(tx, id, 'suspend', by, why);
      return { id, status: 'suspended', reason: why };
    });
  }

  /** Suspended → issued. */
  async resume(id: string, reason: string | undefined, by: AdminActor): Promise<AdminLifecycleResult> {
    return this.db.transaction(async (tx) => {
      const current = await this.locked(tx, id, by);
      if (!(await this.certs.markSuspended(id, false, tx))) throw new AdminLifecycleError('not-suspended', current.status);
      await this.event(tx, id, 'resume', by, reason?.trim() || undefined);
      return { id, status: 'issued', ...(reason?.trim() ? { reason: reason.trim() } : {}) };
    });
  }

  /** Issued or suspended → abolished, with the reason; the front DB gets its D row as for any abolition. */
  async abolish(id: string, reason: string, by: AdminActor): Promise<AdminLifecycleResult> {
    const why = requiredReason(reason);
    return this.db.transaction(async (tx) => {
      const current = await this.locked(tx, id, by);
      if (!(await this.certs.markAbolished(id, why, undefined, tx))) throw new AdminLifecycleError('not-issued', current.status);
      await this.event(tx, id, 'abolish', by, why);
      await this.feed.record(tx, [{ operation: 'D', cert: current }]);
      return { id, status: 'abolished', reason: why };
    });
  }

  private async locked(tx: Queryable, id: string, by: AdminActor): Promise<Certificate> {
    const current = await this.certs.getForUpdate(id, tx);
    if (!current) throw new AdminLifecycleError('not-found', id);
    if (by.orgCode !== undefined && !issuedBy(by.orgCode, current)) throw new AdminLifecycleError('not-issuer', current.issuer.name);
    return current;
  }

  private event(tx: Queryable, id: string, action: LifecycleAction, by: AdminActor, reason?: string): Promise<void> {
    return recordEvent(tx, { certificateId: id, action, operator: { account: by.account, via: by.via }, ...(reason ? { reason } : {}) });
  }
}

function requiredReason(reason: string): string {
  const why = reason.trim();
  if (!why) throw new AdminLifecycleError('no-reason');
  return why;
}
