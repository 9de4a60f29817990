import type { Db, Queryable } from '../../store/db.js';
import type { CertificateRepo } from '../../store/certificates.js';
import type { FrontDbRepo, NewCatalogRow, ProvinceError } from '../../store/front-db.js';
import type { CatalogOperation } from '../../domain/catalog-row.js';
import { regionDataSource } from '../../domain/catalog-rules.js';
import type { CertificateSummary } from '../../domain/model.js';

export interface FeedEntry { operation: CatalogOperation; cert: CertificateSummary }

/**
 * The province side of catalog aggregation (ZWFW C 0124 5.3, 6.3): every lifecycle write that
 * changes what is shared puts its catalog row in the front DB's lic_data, inside the write's own
 * transaction, so the report and the change commit or fail together. Issue → I, abolish → D, a
 * change → D for the original and I for its successor, a re-report → U (D when abolished).
 *
 * A suspended certificate is reported like an issued one: lic_data has no way to say 受限使用, and
 * the hub's catalog only has to route requests to the owner, who answers 23 itself.
 */
export class CatalogFeed {
  constructor(
    private readonly front: FrontDbRepo,
    /** Off on a hub, which aggregates rather than reports. */
    readonly enabled: boolean,
    /** The node's appendix H data-source code; else the certificate's own, else 1 + its province. */
    private readonly dataSource?: string,
  ) {}

  async record(tx: Queryable, entries: readonly FeedEntry[]): Promise<void> {
    if (!this.enabled || entries.length === 0) return;
    await this.front.append(tx, entries.map((e) => this.rowOf(e.operation, e.cert)));
  }

  rowOf(operation: CatalogOperation, c: CertificateSummary): NewCatalogRow {
    const areaCode = c.issuer.areaCode ?? '';
    return {
      sourceId: c.id,
      name: c.name,
      typeName: c.typeName,
      typeCode: c.typeCode,
      issuerName: c.issuer.name,
      issuerCode: c.issuer.code,
      areaCode,
      holderName: c.holder.name,
      holderCode: c.holder.code,
      holderType: c.holder.codeType || null,
      number: c.number,
      issueDate: c.issueDate,
      operation,
      // Left empty when nothing tells it: the hub then rejects the row and says why.
      dataSource: this.dataSource ?? c.dataSource ?? regionDataSource(areaCode) ?? '',
    };
  }
}

export interface ReportOutcome { reported: number; notFound: string[]; drafts: string[] }

/**
 * What the hub sent back (lic_data_error) and how a province answers it: a corrected certificate
 * (a change) or a re-report writes a later row for the same certificate, which resolves the error;
 * if the hub rejects that one too, a new error comes back.
 */
export class FrontErrors {
  constructor(
    private readonly db: Db,
    private readonly front: FrontDbRepo,
    private readonly certs: CertificateRepo,
    private readonly feed: CatalogFeed,
  ) {}

  /** Open errors (all with `all`), after marking resolved those a later report answered. */
  async list(opts: { all?: boolean; limit?: number } = {}): Promise<ProvinceError[]> {
    await this.front.resolveAnswered();
    return this.front.listErrors(opts);
  }

  /**
   * Writes the current catalog row of each certificate again (U, or D when abolished). `errors`
   * re-reports every certificate with an open error; `all` every certificate of the node (a first
   * load of a front DB made after the certificates).
   */
  async rereport(target: { ids: string[] } | { errors: true } | { all: true }): Promise<ReportOutcome> {
    if (!this.feed.enabled) throw new Error('this node does not report its catalog (role hub)');
    let ids: string[];
    if ('ids' in target) ids = target.ids;
    else if ('errors' in target) ids = [...new Set((await this.list()).map((e) => e.sourceId))];
    else ids = (await this.db.query<{ id: string }>(`select id from certificates where status <> 'draft' order by created_at, id`)).map((r) => r.id);
    const outcome: ReportOutcome = { reported: 0, notFound: [], drafts: [] };
    for (let i = 0; i < ids.length; i += 1000) {
      const part = ids.slice(i, i + 1000);
      await this.db.transaction(async (tx) => {
        const found = new Map((await this.certs.getManyForUpdate(part, tx)).map((c) => [c.id, c]));
        const entries: FeedEntry[] = [];
        for (const id of part) {
          const c = found.get(id);
          if (!c) outcome.notFound.push(id);
          else if (c.status === 'draft') outcome.drafts.push(id);
          else entries.push({ operation: c.status === 'abolished' ? 'D' : 'U', cert: c });
        }
        await this.feed.record(tx, entries);
        outcome.reported += entries.length;
      });
    }
    await this.front.resolveAnswered();
    return outcome;
  }
}
