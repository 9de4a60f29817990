import { atomically, type Queryable } from './db.js';
import { sm3 } from '../crypto/sm3.js';
import { canonicalJson } from '../domain/canonical.js';
import { leafBytes } from '../domain/log-leaf.js';
import type { CertificateType } from '../domain/model.js';
import { appendLeaves } from './transparency-log.js';

/** What changed in the catalog (seed 002 5.4.3 d: catalog management on the log). */
export type CatalogAction = 'create' | 'publish' | 'withdraw' | 'layout' | 'adopt';

export interface CatalogChangeRow { id: number | string; type_code: string; action: CatalogAction; content: unknown; at: Date | string }

/** SM3 of the canonical JSON of a stored change: what its leaf carries. */
export function catalogChangeDigest(r: CatalogChangeRow): Buffer {
  return sm3(canonicalJson({ id: String(r.id), typeCode: r.type_code, action: r.action, content: r.content, at: new Date(r.at).toISOString() }));
}

/** Records a change of a type and its leaf: call it inside the change's transaction. */
export async function recordCatalogChange(outer: Queryable, action: CatalogAction, type: CertificateType): Promise<void> {
  // The row and its leaf commit together, and the log's size row is claimed and advanced in one transaction.
  await atomically(outer, async (q) => {
    // Through JSON, as jsonb will give it back: undefined members dropped.
    const content = JSON.parse(JSON.stringify(type)) as unknown;
    const [r] = await q.query<CatalogChangeRow>(
      'insert into catalog_changes (type_code, action, content) values ($1, $2, $3) returning *', [type.code, action, JSON.stringify(content)]);
    await appendLeaves(q, [{
      kind: 'catalog', ref: String(r!.id),
      body: leafBytes({ kind: 'catalog', ref: String(r!.id), at: new Date(r!.at).toISOString(), digest: catalogChangeDigest(r!).toString('hex') }),
    }]);
  });
}
