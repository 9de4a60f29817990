import type { Queryable } from './db.js';
import { firstUse } from './request-nonces.js';

/** A province (or city) of the YRD direct channel, as this node's registry keeps it. */
export interface YrdPeerEntry {
  areaCode: string;
  name: string;
  /** Its direct channel is baseUrl/yrd/v1/peer/{interface}; its keys are at baseUrl/.well-known/zhengzhao/keys. */
  baseUrl: string;
  createdAt: string;
  /** When its published keys were last read; absent until the first fetch. */
  fetchedAt?: string;
}

interface Row { area_code: string; name: string; base_url: string; created_at: Date | string; fetched_at: Date | string | null }

const toEntry = (r: Row): YrdPeerEntry => ({
  areaCode: r.area_code, name: r.name, baseUrl: r.base_url, createdAt: new Date(r.created_at).toISOString(),
  ...(r.fetched_at ? { fetchedAt: new Date(r.fetched_at).toISOString() } : {}),
});

export class YrdPeerRepo {
  constructor(private readonly db: Queryable) {}

  async insert(p: { areaCode: string; name: string; baseUrl: string }): Promise<YrdPeerEntry | undefined> {
    const rows = await this.db.query<Row>(
      'insert into yrd_peers (area_code, name, base_url) values ($1, $2, $3) on conflict do nothing returning *', [p.areaCode, p.name, p.baseUrl]);
    return rows[0] && toEntry(rows[0]);
  }

  /** Records a peer request by a digest of its signature; false when it was seen before (a replay). */
  firstSight(areaCode: string, digest: string, keepSeconds: number): Promise<boolean> {
    return firstUse(this.db, `peer:${areaCode}`, digest, keepSeconds);
  }

  async remove(areaCode: string): Promise<boolean> {
    return (await this.db.query('delete from yrd_peers where area_code = $1 returning area_code', [areaCode])).length === 1;
  }

  async get(areaCode: string): Promise<YrdPeerEntry | undefined> {
    const r = (await this.db.query<Row>('select * from yrd_peers where area_code = $1', [areaCode]))[0];
    return r && toEntry(r);
  }

  async list(): Promise<YrdPeerEntry[]> {
    return (await this.db.query<Row>('select * from yrd_peers order by area_code')).map(toEntry);
  }

  async markFetched(areaCode: string): Promise<void> {
    await this.db.query('update yrd_peers set fetched_at = now() where area_code = $1', [areaCode]);
  }
}
