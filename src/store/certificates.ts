import type { Queryable } from './db.js';
import { asBuffer } from './db.js';
import type { Keyring } from '../crypto/keyring.js';
import { trimmed } from '../crypto/batch.js';
import type { Certificate, CertificateStatus, CertificateSummary, DetailGroup, SurfaceValue } from '../domain/model.js';
import type { CatalogEntry } from '../domain/catalog-row.js';

/** Sealed parts of a row; the seal context binds each blob to its certificate so blobs cannot be swapped. */
interface SealedHolder { holderName: string; holderCode: string; number: string }
interface SealedContent { surface: SurfaceValue[]; detail: DetailGroup[] }

interface SummaryRow {
  id: string;
  source_id: string | null;
  type_code: string;
  type_name: string;
  name: string;
  holder_type: string;
  holder_enc: Uint8Array;
  issuer_name: string;
  issuer_code: string;
  area_code: string | null;
  issue_date: string;
  valid_from: string | null;
  valid_to: string | null;
  status: CertificateStatus;
  version: number;
  digital_sign: string | null;
  sign_key_id: string | null;
  data_source: string | null;
  predecessor_id: string | null;
  successor_id: string | null;
  abolish_reason: string | null;
  seal_code: string | null;
  license_group: string | null;
  item_code: string | null;
  division_code: string | null;
  made_by_app: string | null;
}
interface FullRow extends SummaryRow { content_enc: Uint8Array }

const SUMMARY_COLUMNS = `c.id, c.source_id, c.type_code, t.name as type_name, c.name, c.holder_type, c.holder_enc,
  c.issuer_name, c.issuer_code, c.area_code, c.issue_date, c.valid_from, c.valid_to, c.status, c.version,
  c.digital_sign, c.sign_key_id, c.data_source, c.predecessor_id, c.successor_id, c.abolish_reason, c.seal_code,
  c.license_group, c.item_code, c.division_code, c.made_by_app`;

/** Who made a certificate and who last changed it, and when. */
export interface Authorship { creator: string; createdAt: Date; modifier: string; modifiedAt: Date }

export interface HolderQuery {
  holderCode: string;
  holderType?: string;
  typeCodes?: string[];
  number?: string;
  /** Drafts too (a verification that says "not activated" of them); left out otherwise. */
  withDrafts?: boolean;
}

/**
 * Certificates at rest: identifying content sealed with SM4 under the keyring, holder and number
 * reachable only through blind indexes.
 */
export class CertificateRepo {
  constructor(private readonly db: Queryable, private readonly keys: Keyring) {}

  holderIndex(holderCode: string): Buffer {
    return this.keys.blindIndex('holder', holderCode);
  }

  numberIndex(typeCode: string, number: string): Buffer {
    return this.keys.blindIndex('number', `${typeCode}\0${number}`);
  }

  /** Inserts unless (type, issuer, number) exists; returns whether the row was new. */
  async insert(c: Certificate, q: Queryable = this.db): Promise<boolean> {
    const p = this.insertParams(c);
    const rows = await q.query(`insert into certificates (${INSERT_COLUMNS}) values (${p.map((_, i) => `$${i + 1}`).join(', ')})
      on conflict do nothing returning id`, p);
    return rows.length === 1;
  }

  /** Many rows in one statement: the import path. Returns the ids actually inserted. */
  async insertMany(list: Certificate[], q: Queryable = this.db): Promise<string[]> {
    if (list.length === 0) return [];
    const params: unknown[] = [];
    const tuples = list.map((c) => {
      const p = this.insertParams(c);
      const base = params.length;
      params.push(...p);
      return `(${p.map((_, i) => `$${base + i + 1}`).join(', ')})`;
    });
    const rows = await q.query<{ id: string }>(`insert into certificates (${INSERT_COLUMNS}) values ${tuples.join(', ')}
      on conflict do nothing returning id`, params);
    return rows.map((r) => r.id);
  }

  private insertParams(c: Certificate): unknown[] {
    const holder: SealedHolder = { holderName: c.holder.name, holderCode: c.holder.code, number: c.number };
    const content: SealedContent = { surface: c.surface, detail: c.detail };
    return [
      c.id, c.sourceId ?? null, c.typeCode, c.name, c.holder.codeType,
      this.holderIndex(c.holder.code), this.numberIndex(c.typeCode, c.number),
      this.keys.sealJson(holder, `holder:${c.id}`), this.keys.sealJson(content, `content:${c.id}`),
      c.issuer.name, c.issuer.code, c.issuer.areaCode ?? null, c.issueDate, c.validFrom ?? null, c.validTo ?? null,
      c.status, c.version, c.digitalSign ?? null, c.signKeyId ?? null, c.dataSource ?? null,
      c.predecessorId ?? null, c.sealCode ?? null, c.licenseGroup ?? null, c.itemCode ?? null, c.divisionCode ?? null,
      c.madeByApp ?? null,
    ];
  }

  /** The row locked for a lifecycle write (inside a transaction). */
  async getForUpdate(id: string, q: Queryable): Promise<Certificate | undefined> {
    const rows = await q.query<FullRow>(
      `select ${SUMMARY_COLUMNS}, c.content_enc from certificates c join certificate_types t on t.code = c.type_code where c.id = $1 for update of c`,
      [id],
    );
    return rows[0] && this.toFull(rows[0]);
  }

  /** Many rows locked at once (a batch chunk); missing ids are simply absent. */
  async getManyForUpdate(ids: string[], q: Queryable): Promise<Certificate[]> {
    const rows = await q.query<FullRow>(
      `select ${SUMMARY_COLUMNS}, c.content_enc from certificates c join certificate_types t on t.code = c.type_code
       where c.id = any($1::text[]) order by c.id for update of c`,
      [ids],
    );
    return rows.map((r) => this.toFull(r));
  }

  /** Drafts → issued in one statement; returns the ids that were drafts (and are now issued). */
  async markIssuedMany(list: { id: string; issueDate: string; digitalSign: string; signKeyId: string }[], q: Queryable): Promise<string[]> {
    if (list.length === 0) return [];
    const rows = await q.query<{ id: string }>(
      `update certificates c set status = 'issued', issue_date = u.issue_date::date, digital_sign = u.sig, sign_key_id = u.kid, updated_at = now()
       from unnest($1::text[], $2::text[], $3::text[], $4::text[]) as u(id, issue_date, sig, kid)
       where c.id = u.id and c.status = 'draft' returning c.id`,
      [list.map((x) => x.id), list.map((x) => x.issueDate), list.map((x) => x.digitalSign), list.map((x) => x.signKeyId)],
    );
    return rows.map((r) => r.id);
  }

  /** Rewrites a draft's data; an issued certificate is never edited in place. */
  async updateDraft(c: Certificate, q: Queryable): Promise<boolean> {
    const holder: SealedHolder = { holderName: c.holder.name, holderCode: c.holder.code, number: c.number };
    const content: SealedContent = { surface: c.surface, detail: c.detail };
    const rows = await q.query(
      `update certificates set name = $2, holder_type = $3, holder_bidx = $4, number_bidx = $5, holder_enc = $6, content_enc = $7,
         area_code = $8, issue_date = $9, valid_from = $10, valid_to = $11, seal_code = $12, license_group = $13, updated_at = now()
       where id = $1 and status = 'draft' returning id`,
      [c.id, c.name, c.holder.codeType, this.holderIndex(c.holder.code), this.numberIndex(c.typeCode, c.number),
        this.keys.sealJson(holder, `holder:${c.id}`), this.keys.sealJson(content, `content:${c.id}`), c.issuer.areaCode ?? null,
        c.issueDate, c.validFrom ?? null, c.validTo ?? null, c.sealCode ?? null, c.licenseGroup ?? null],
    );
    return rows.length === 1;
  }

  async deleteDraft(id: string, q: Queryable): Promise<boolean> {
    return (await q.query(`delete from certificates where id = $1 and status = 'draft' returning id`, [id])).length === 1;
  }

  /** Draft → issued, with its signature; false when it was not a draft (so nothing is signed twice). */
  async markIssued(id: string, issueDate: string, digitalSign: string, signKeyId: string, q: Queryable): Promise<boolean> {
    const rows = await q.query(
      `update certificates set status = 'issued', issue_date = $2, digital_sign = $3, sign_key_id = $4, updated_at = now()
       where id = $1 and status = 'draft' returning id`,
      [id, issueDate, digitalSign, signKeyId],
    );
    return rows.length === 1;
  }

  /** Issued (or suspended) → abolished, with the reason and, for a change, the successor. */
  async markAbolished(id: string, reason: string, successorId: string | undefined, q: Queryable): Promise<boolean> {
    const rows = await q.query(
      `update certificates set status = 'abolished', abolish_reason = $2, successor_id = $3, updated_at = now()
       where id = $1 and status in ('issued', 'suspended') returning id`,
      [id, reason, successorId ?? null],
    );
    return rows.length === 1;
  }

  /** Issued → suspended, or suspended → issued; false when the certificate was not in the state it leaves. */
  async markSuspended(id: string, suspended: boolean, q: Queryable): Promise<boolean> {
    const [from, to] = suspended ? ['issued', 'suspended'] : ['suspended', 'issued'];
    const rows = await q.query(`update certificates set status = $3, updated_at = now() where id = $1 and status = $2 returning id`, [id, from, to]);
    return rows.length === 1;
  }

  /**
   * Who made each certificate and who last changed it, and when: the first and the last lifecycle
   * event (the session's account, else the operator the write named), and the row's own times. A
   * certificate that came by import has no event: its issuing organisation made it.
   */
  async authorship(ids: readonly string[]): Promise<Map<string, Authorship>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.query<{ id: string; issuer_name: string; created_at: Date | string; updated_at: Date | string; creator: string | null; modifier: string | null; modified_at: Date | string | null }>(
      `select c.id, c.issuer_name, c.created_at, c.updated_at, first.who as creator, last.who as modifier, last.at as modified_at
       from certificates c
       left join lateral (select coalesce(e.session_account, e.operator->>'account') as who from certificate_events e
                          where e.certificate_id = c.id order by e.id limit 1) first on true
       left join lateral (select coalesce(e.session_account, e.operator->>'account') as who, e.at from certificate_events e
                          where e.certificate_id = c.id order by e.id desc limit 1) last on true
       where c.id = any($1::text[])`,
      [ids],
    );
    return new Map(rows.map((r) => [r.id, {
      creator: r.creator ?? r.issuer_name, createdAt: new Date(r.created_at),
      modifier: r.modifier ?? r.creator ?? r.issuer_name, modifiedAt: new Date(r.modified_at ?? r.updated_at),
    }]));
  }

  /**
   * Drafts of a type, optionally of one division, oldest first: what a batch sign by division signs.
   * `of` keeps only one issuer's drafts made by one app (or by no recorded app).
   */
  async draftIds(typeCode: string, divisionCode: string | undefined, limit: number, of?: { issuerCode: string; app: string }): Promise<string[]> {
    const rows = await this.db.query<{ id: string }>(
      `select id from certificates where status = 'draft' and type_code = $1 and ($2::text is null or division_code = $2)
         and ($4::text is null or issuer_code = $4) and ($5::text is null or made_by_app is null or made_by_app = $5)
       order by created_at, id limit $3`,
      [typeCode, divisionCode ?? null, limit, of?.issuerCode ?? null, of?.app ?? null],
    );
    return rows.map((r) => r.id);
  }

  async get(id: string, q: Queryable = this.db): Promise<Certificate | undefined> {
    const rows = await q.query<FullRow>(
      `select ${SUMMARY_COLUMNS}, c.content_enc from certificates c join certificate_types t on t.code = c.type_code where c.id = $1`,
      [id],
      'certificate-by-id',
    );
    return rows[0] && this.toFull(rows[0]);
  }

  /** Several certificates with their content, in the order of `ids` (absent ones left out). */
  async getMany(ids: readonly string[]): Promise<Certificate[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.query<FullRow>(
      `select ${SUMMARY_COLUMNS}, c.content_enc from certificates c join certificate_types t on t.code = c.type_code where c.id = any($1)`,
      [ids],
      'certificates-by-ids',
    );
    const byId = new Map(rows.map((r) => { const c = this.toFull(r); return [c.id, c] as const; }));
    return ids.map((id) => byId.get(id)).filter((c): c is Certificate => c !== undefined);
  }

  /** Whether a certificate other than a draft is kept here under this ID (no decryption). */
  async holds(id: string): Promise<boolean> {
    const rows = await this.db.query('select 1 from certificates where id = $1 and status <> \'draft\'', [id], 'certificate-held');
    return rows.length === 1;
  }

  async exists(typeCode: string, issuerCode: string, number: string): Promise<string | undefined> {
    const rows = await this.db.query<{ id: string }>(
      'select id from certificates where type_code = $1 and issuer_code = $2 and number_bidx = $3',
      [typeCode, issuerCode, this.numberIndex(typeCode, number)],
    );
    return rows[0]?.id;
  }

  /**
   * A holder's certificates (drafts excluded unless asked for); the holder code is compared after
   * decryption too. `limit` is the caller's cap (the core's, which knows what it answers: a whole
   * list or one page of it); null for none.
   */
  async findByHolder(query: HolderQuery, withContent: boolean, limit: number | null = null): Promise<Certificate[] | CertificateSummary[]> {
    // One statement shape for every filter combination (null means "any"), so it stays prepared.
    const cols = withContent ? `${SUMMARY_COLUMNS}, c.content_enc` : SUMMARY_COLUMNS;
    const rows = await this.db.query<FullRow>(
      `select ${cols} from certificates c join certificate_types t on t.code = c.type_code
       where c.holder_bidx = $1 and ($4::boolean or c.status <> 'draft')
         and ($2::text is null or c.holder_type = $2) and ($3::text[] is null or c.type_code = any($3))
       order by c.issue_date desc, c.id limit $5`,
      [this.holderIndex(query.holderCode), query.holderType ?? null, query.typeCodes ?? null, query.withDrafts === true, limit],
      withContent ? 'certificates-by-holder-full' : 'certificates-by-holder',
    );
    const list = rows.map((r) => (withContent ? this.toFull(r) : this.toSummary(r)));
    // A blind index match is decisive only together with the decrypted code (HMAC collisions aside).
    return list.filter((c) => c.holder.code === query.holderCode && (query.number === undefined || c.number === query.number));
  }

  async setStatus(id: string, status: CertificateStatus, q: Queryable = this.db): Promise<boolean> {
    const rows = await q.query('update certificates set status = $2, updated_at = now() where id = $1 returning id', [id, status]);
    return rows.length === 1;
  }

  async setSignature(id: string, digitalSign: string, signKeyId: string, q: Queryable = this.db): Promise<void> {
    await q.query('update certificates set digital_sign = $2, sign_key_id = $3 where id = $1', [id, digitalSign, signKeyId]);
  }

  /**
   * Catalog entries (the hub's aggregated catalog) sealed for copyCatalog and upsertCatalog: pure
   * computation, so a caller can prepare the next chunk (on another thread) while the database
   * writes this one. The blind indexes and the sealed values of the whole batch are made in one
   * bulk call each (Keyring.blindIndexMany, sealMany); the COPY lines are made here too.
   */
  sealCatalog(entries: readonly CatalogEntry[]): SealedCatalog {
    // As holderIndex and numberIndex compute them, alternating: 64 bytes per entry.
    const pairs: [string, string][] = [];
    for (const e of entries) pairs.push(['holder', e.holder.code], ['number', `${e.typeCode}\0${e.number}`]);
    const indexes = this.keys.blindIndexMany(pairs);
    // Holder and content alternate: entry i's holder is value 2i, its content 2i + 1.
    const plaintexts: string[] = [];
    const contexts: string[] = [];
    for (const e of entries) {
      plaintexts.push(JSON.stringify({ holderName: e.holder.name, holderCode: e.holder.code, number: e.number } satisfies SealedHolder), EMPTY_CONTENT);
      contexts.push(`holder:${e.id}`, `content:${e.id}`);
    }
    const { sealed, ends } = this.keys.sealMany(plaintexts, contexts);
    const { copy, copyEnds } = catalogCopyLines(entries, indexes, sealed, ends);
    return { entries, indexes, sealed, sealedEnds: ends, copy, copyEnds };
  }

  /**
   * Inserts or replaces catalog entries in one statement (ids must be distinct). Entries carry no
   * surface and no signature: the owner node holds those. An entry is written only when it keeps
   * its data source and, with `numbers`, when no other certificate of its type, issuer and version
   * has its number; returns the ids written.
   *
   * The binary parts travel as one bytea parameter (sent in binary, sliced by offset in SQL): as
   * hex text inside array parameters they cost more to send and parse than the insert itself.
   */
  async upsertCatalog(s: SealedCatalog, pick: readonly number[], q: Queryable = this.db, opts: { numbers?: boolean } = {}): Promise<string[]> {
    if (pick.length === 0) return [];
    const e = pick.map((i) => s.entries[i]!);
    const { blob, offsets } = pack(s, pick);
    const rows = await q.query<{ id: string }>(
      `insert into certificates (id, source_id, type_code, name, holder_type, holder_bidx, number_bidx, holder_enc, content_enc,
         issuer_name, issuer_code, area_code, issue_date, status, version, data_source, abolish_reason)
       select u.id, u.id, u.type_code, u.name, u.holder_type, substring($1::bytea from u.o + 1 for 32), substring($1::bytea from u.o + 33 for 32),
         substring($1::bytea from u.o + 65 for u.hl), substring($1::bytea from u.o + 65 + u.hl for u.cl),
         u.issuer_name, u.issuer_code, u.area_code, u.issue_date::date, u.status, u.version, u.data_source,
         case when u.status = 'abolished' then '删除 (lic_data D)' end
       from unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::int[],
         $12::text[], $13::int[], $14::int[], $15::int[])
         as u(id, type_code, name, holder_type, issuer_name, issuer_code, area_code, issue_date, status, version, data_source, o, hl, cl)
       where not ($16::boolean and exists (select 1 from certificates c where c.type_code = u.type_code and c.issuer_code = u.issuer_code
         and c.number_bidx = substring($1::bytea from u.o + 33 for 32) and c.version = u.version and c.id <> u.id))
       on conflict (id) do update set type_code = excluded.type_code, name = excluded.name, holder_type = excluded.holder_type,
         holder_bidx = excluded.holder_bidx, number_bidx = excluded.number_bidx, holder_enc = excluded.holder_enc, content_enc = excluded.content_enc,
         issuer_name = excluded.issuer_name, issuer_code = excluded.issuer_code, area_code = excluded.area_code, issue_date = excluded.issue_date,
         status = excluded.status, version = excluded.version, abolish_reason = excluded.abolish_reason, updated_at = now()
       where certificates.data_source = excluded.data_source
       returning id`,
      [blob, e.map((x) => x.id), e.map((x) => x.typeCode), e.map((x) => x.name), e.map((x) => x.holder.codeType), e.map((x) => x.issuer.name),
        e.map((x) => x.issuer.code), e.map((x) => x.issuer.areaCode), e.map((x) => x.issueDate), e.map((x) => x.status), e.map((x) => x.version),
        e.map((x) => x.dataSource), offsets.at, offsets.holder, offsets.content, opts.numbers === true],
      'certificates-upsert-catalog',
    );
    return rows.map((r) => r.id);
  }

  /**
   * New catalog entries by COPY: the bulk path for certificates the catalog does not have yet.
   * Fails as a whole (unique violation) when one's number is taken; the caller then takes the
   * careful path from a savepoint.
   */
  async copyCatalog(s: SealedCatalog, pick: readonly number[], q: Queryable): Promise<void> {
    if (pick.length === 0) return;
    await q.copyFrom(CATALOG_COPY, copyLinesOf(s, pick));
  }

  /** The data source of each id present (null for a node's own certificates). */
  async catalogOwners(ids: readonly string[], q: Queryable = this.db): Promise<Map<string, string | null>> {
    if (ids.length === 0) return new Map();
    const rows = await q.query<{ id: string; data_source: string | null }>(
      'select id, data_source from certificates where id = any($1::text[])', [ids], 'certificates-catalog-owners');
    return new Map(rows.map((r) => [r.id, r.data_source]));
  }

  /**
   * For sealed entries, the id of another certificate already holding the same (type, issuer,
   * number, version), keyed by the entry's index.
   */
  async numberTakenBy(s: SealedCatalog, q: Queryable = this.db): Promise<Map<number, string>> {
    if (s.entries.length === 0) return new Map();
    const { blob, offsets } = pack(s, s.entries.map((_, i) => i));
    const rows = await q.query<{ n: number; id: string }>(
      `select u.n, c.id from unnest($2::text[], $3::text[], $4::int[], $5::text[], $6::int[]) with ordinality as u(t, i, v, id, o, n)
       join certificates c on c.type_code = u.t and c.issuer_code = u.i and c.number_bidx = substring($1::bytea from u.o + 33 for 32) and c.version = u.v
       where c.id <> u.id`,
      [blob, s.entries.map((e) => e.typeCode), s.entries.map((e) => e.issuer.code), s.entries.map((e) => e.version), s.entries.map((e) => e.id), offsets.at],
      'certificates-number-taken',
    );
    return new Map(rows.map((r) => [Number(r.n) - 1, r.id]));
  }

  private toSummary(r: SummaryRow): CertificateSummary {
    const h = this.keys.openJson<SealedHolder>(asBuffer(r.holder_enc), `holder:${r.id}`);
    return {
      id: r.id,
      sourceId: r.source_id ?? undefined,
      typeCode: r.type_code,
      typeName: r.type_name,
      name: r.name,
      number: h.number,
      holder: { name: h.holderName, code: h.holderCode, codeType: r.holder_type },
      issuer: { name: r.issuer_name, code: r.issuer_code, areaCode: r.area_code ?? undefined },
      issueDate: r.issue_date,
      validFrom: r.valid_from ?? undefined,
      validTo: r.valid_to ?? undefined,
      status: r.status,
      version: r.version,
      digitalSign: r.digital_sign ?? undefined,
      signKeyId: r.sign_key_id ?? undefined,
      dataSource: r.data_source ?? undefined,
      predecessorId: r.predecessor_id ?? undefined,
      successorId: r.successor_id ?? undefined,
      abolishReason: r.abolish_reason ?? undefined,
      sealCode: r.seal_code ?? undefined,
      licenseGroup: r.license_group ?? undefined,
      itemCode: r.item_code ?? undefined,
      divisionCode: r.division_code ?? undefined,
      madeByApp: r.made_by_app ?? undefined,
    };
  }

  private toFull(r: FullRow): Certificate {
    const content = this.keys.openJson<SealedContent>(asBuffer(r.content_enc), `content:${r.id}`);
    return { ...this.toSummary(r), surface: content.surface, detail: content.detail };
  }
}

const INSERT_COLUMNS = `id, source_id, type_code, name, holder_type, holder_bidx, number_bidx, holder_enc, content_enc,
  issuer_name, issuer_code, area_code, issue_date, valid_from, valid_to, status, version, digital_sign, sign_key_id, data_source,
  predecessor_id, seal_code, license_group, item_code, division_code, made_by_app`;

/**
 * Catalog entries with their blind indexes, sealed parts and COPY lines, each kind in one buffer
 * (three buffers cross between threads where a million small ones would not cross cheaply).
 */
export interface SealedCatalog {
  entries: readonly CatalogEntry[];
  /** Per entry 64 bytes: the holder's blind index, then the number's. */
  indexes: Uint8Array;
  /** Per entry its sealed holder, then its sealed content: value 2i ends at `sealedEnds[2i]`, 2i + 1 at `sealedEnds[2i + 1]`. */
  sealed: Uint8Array;
  sealedEnds: Uint32Array;
  /** Per entry a line of COPY text (UTF-8) for CATALOG_COPY, ending at `copyEnds[i]`. */
  copy: Uint8Array;
  copyEnds: Uint32Array;
}

/**
 * The columns a catalog line of COPY text fills, in order: the binary ones first, so each line is
 * one run of hex (written as Latin-1, a plain copy) and one run of text (written as UTF-8).
 */
export const CATALOG_COPY = `copy certificates (holder_bidx, number_bidx, holder_enc, content_enc, id, source_id, type_code, name, holder_type,
  issuer_name, issuer_code, area_code, issue_date, status, version, data_source, abolish_reason) from stdin`;

/** Each entry's line of COPY text for CATALOG_COPY, in one buffer, and where each line ends. */
function catalogCopyLines(entries: readonly CatalogEntry[], indexes: Buffer, sealed: Buffer, ends: Uint32Array): { copy: Buffer; copyEnds: Uint32Array } {
  const n = entries.length;
  const texts: string[] = [];
  let room = 0;
  for (let i = 0; i < n; i++) {
    const e = entries[i]!;
    const t = `\t${copyText(e.id)}\t${copyText(e.id)}\t${copyText(e.typeCode)}\t${copyText(e.name)}\t${copyText(e.holder.codeType)}\t`
      + `${copyText(e.issuer.name)}\t${copyText(e.issuer.code)}\t${copyText(e.issuer.areaCode)}\t${e.issueDate}\t${e.status}\t${e.version}\t`
      + `${copyText(e.dataSource)}\t${e.status === 'abolished' ? '删除 (lic_data D)' : '\\N'}\n`;
    texts.push(t);
    // Hex: 4 × "\\x" and 3 tabs around 64 + (sealed bytes) bytes, two characters a byte.
    room += 4 * 3 + 3 + 2 * (64 + ends[2 * i + 1]! - (i === 0 ? 0 : ends[2 * i - 1]!)) + 3 * t.length;
  }
  const copy = Buffer.allocUnsafeSlow(room);
  const copyEnds = new Uint32Array(n);
  let at = 0;
  for (let i = 0; i < n; i++) {
    const h0 = i === 0 ? 0 : ends[2 * i - 1]!;
    const split = 2 * (ends[2 * i]! - h0);
    const ix = indexes.toString('hex', 64 * i, 64 * i + 64);
    const se = sealed.toString('hex', h0, ends[2 * i + 1]!);
    at += copy.write(`\\\\x${ix.slice(0, 64)}\t\\\\x${ix.slice(64)}\t\\\\x${se.slice(0, split)}\t\\\\x${se.slice(split)}`, at, 'latin1');
    at += copy.write(texts[i]!, at, 'utf8');
    copyEnds[i] = at;
  }
  return { copy: trimmed(copy, at), copyEnds };
}

const EMPTY_CONTENT = JSON.stringify({ surface: [], detail: [] } satisfies SealedContent);

/** The COPY lines of the picked entries (ascending): the buffer itself when all are picked, runs of it otherwise. */
function copyLinesOf(s: SealedCatalog, pick: readonly number[]): Uint8Array {
  const start = (i: number) => (i === 0 ? 0 : s.copyEnds[i - 1]!);
  if (pick.length === s.entries.length) return s.copy;
  const runs: Uint8Array[] = [];
  for (let k = 0; k < pick.length;) {
    let j = k;
    while (j + 1 < pick.length && pick[j + 1] === pick[j]! + 1) j++;
    runs.push(s.copy.subarray(start(pick[k]!), s.copyEnds[pick[j]!]!));
    k = j + 1;
  }
  return Buffer.concat(runs);
}

/** A value in COPY's text format. */
function copyText(v: string): string {
  return v.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

/** Per picked entry, holder index (32) ‖ number index (32) ‖ sealed holder ‖ sealed content, in one buffer. */
function pack(s: SealedCatalog, pick: readonly number[]): { blob: Buffer; offsets: { at: number[]; holder: number[]; content: number[] } } {
  const parts: Uint8Array[] = [];
  const offsets = { at: [] as number[], holder: [] as number[], content: [] as number[] };
  let at = 0;
  for (const i of pick) {
    const h0 = i === 0 ? 0 : s.sealedEnds[2 * i - 1]!;
    const h1 = s.sealedEnds[2 * i]!;
    const c1 = s.sealedEnds[2 * i + 1]!;
    parts.push(s.indexes.subarray(64 * i, 64 * i + 64), s.sealed.subarray(h0, c1));
    offsets.at.push(at);
    offsets.holder.push(h1 - h0);
    offsets.content.push(c1 - h1);
    at += 64 + c1 - h0;
  }
  return { blob: Buffer.concat(parts, at), offsets };
}
