import type { Queryable } from './db.js';
import { asBuffer } from './db.js';
import type { Keyring } from '../crypto/keyring.js';
import type { Certificate, CertificateStatus, CertificateSummary, DetailGroup, SurfaceValue } from '../domain/model.js';

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
}
interface FullRow extends SummaryRow { content_enc: Uint8Array }

const SUMMARY_COLUMNS = `c.id, c.source_id, c.type_code, t.name as type_name, c.name, c.holder_type, c.holder_enc,
  c.issuer_name, c.issuer_code, c.area_code, c.issue_date, c.valid_from, c.valid_to, c.status, c.version,
  c.digital_sign, c.sign_key_id, c.data_source`;

export interface HolderQuery {
  holderCode: string;
  holderType?: string;
  typeCodes?: string[];
  number?: string;
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
    ];
  }

  async get(id: string, q: Queryable = this.db): Promise<Certificate | undefined> {
    const rows = await q.query<FullRow>(
      `select ${SUMMARY_COLUMNS}, c.content_enc from certificates c join certificate_types t on t.code = c.type_code where c.id = $1`,
      [id],
      'certificate-by-id',
    );
    return rows[0] && this.toFull(rows[0]);
  }

  async exists(typeCode: string, issuerCode: string, number: string): Promise<string | undefined> {
    const rows = await this.db.query<{ id: string }>(
      'select id from certificates where type_code = $1 and issuer_code = $2 and number_bidx = $3',
      [typeCode, issuerCode, this.numberIndex(typeCode, number)],
    );
    return rows[0]?.id;
  }

  /** A holder's certificates (drafts excluded); the holder code is compared after decryption too. */
  async findByHolder(query: HolderQuery, withContent: boolean): Promise<Certificate[] | CertificateSummary[]> {
    // One statement shape for every filter combination (null means "any"), so it stays prepared.
    const cols = withContent ? `${SUMMARY_COLUMNS}, c.content_enc` : SUMMARY_COLUMNS;
    const rows = await this.db.query<FullRow>(
      `select ${cols} from certificates c join certificate_types t on t.code = c.type_code
       where c.holder_bidx = $1 and c.status <> 'draft'
         and ($2::text is null or c.holder_type = $2) and ($3::text[] is null or c.type_code = any($3))
       order by c.issue_date desc, c.id limit 500`,
      [this.holderIndex(query.holderCode), query.holderType ?? null, query.typeCodes ?? null],
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
    };
  }

  private toFull(r: FullRow): Certificate {
    const content = this.keys.openJson<SealedContent>(asBuffer(r.content_enc), `content:${r.id}`);
    return { ...this.toSummary(r), surface: content.surface, detail: content.detail };
  }
}

const INSERT_COLUMNS = `id, source_id, type_code, name, holder_type, holder_bidx, number_bidx, holder_enc, content_enc,
  issuer_name, issuer_code, area_code, issue_date, valid_from, valid_to, status, version, digital_sign, sign_key_id, data_source`;
