import { randomUUID } from 'node:crypto';
import type { NodeRole } from '../domain/node-role.js';
import type { CatalogService } from '../core/catalog.js';
import type { RemoteNode } from '../core/reach/transport.js';
import type { TypeSyncReport } from '../core/catalog.js';
import { ServiceError } from '../domain/return-codes.js';

export interface TypeSync extends TypeSyncReport { hub: string }

/** What a type sync reads of a node: its role, its hub and its catalog. */
export interface SyncingNode { cfg: { role: NodeRole; hub?: { url: string } }; hub?: RemoteNode; catalog: CatalogService }

/**
 * `zhengzhao sync-types`: a province fetches the certificate types the hub publishes (F.3
 * GetCertificateType, with this node's national account there) and adopts them into its own
 * catalog: new codes are inserted, known ones take the hub's description. A province needs the
 * national types to name them in the calls it sends on, and to answer for the types of others.
 */
export async function syncTypes(s: SyncingNode, onProgress?: (done: number, total: number) => void): Promise<TypeSync> {
  if (s.cfg.role !== 'province' || !s.hub || !s.cfg.hub) {
    throw new Error('sync-types runs on a province node with a hub: set ZHENGZHAO_HUB_URL, ZHENGZHAO_HUB_ACCOUNT and ZHENGZHAO_HUB_SECRET');
  }
  let list;
  try {
    list = await s.hub.listTypes({ correlationId: randomUUID(), hops: 1 });
  } catch (err) {
    throw err instanceof ServiceError ? new Error(`the hub answered ${err.code}: ${err.message}`) : err;
  }
  return { hub: s.cfg.hub.url, ...(await s.catalog.adopt(list, onProgress)) };
}
