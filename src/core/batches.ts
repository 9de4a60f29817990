import { randomUUID } from 'node:crypto';
import type { Db, Queryable } from '../store/db.js';
import type { CertificateRepo } from '../store/certificates.js';
import { IssuingError, type IssuingService, type WriteContext } from './issuing.js';
import type { Signer } from './signer.js';
import type { Keyring } from '../crypto/keyring.js';

export type BatchKind = 'create' | 'sign';
export interface BatchProgress { id: string; kind: BatchKind; typeCode: string; total: number; done: number; state: 'running' | 'finished' | 'failed' }
/** One item's outcome: its certificate, or the core's reason it failed. */
export interface BatchItemResult { seq: number; id?: string; ok: boolean; problem?: string; detail?: string }
export interface BatchResult { progress: BatchProgress; items: BatchItemResult[] }

export interface CreateItem { fields: unknown; licenseGroup?: string }

interface JobRequest { ctx: WriteContext; sealCode?: string }

const itemContext = (jobId: string, seq: number) => `batch-item:${jobId}:${seq}`;
const requestContext = (jobId: string) => `batch-request:${jobId}`;

/** Largest batch one call may submit. */
export const MAX_BATCH_ITEMS = 10_000;

/**
 * Batch create and batch sign (Beijing 6.6). A batch is first written down as a job with one row
 * per item, then worked through in chunks: each chunk's certificates, lifecycle events and item
 * results commit together. A crash loses at most the chunk in flight, which nothing remembers as
 * done; the job resumes from the first unfinished item, and since signing only ever turns a draft
 * into an issued certificate, nothing is signed twice.
 */
export class BatchService {
  /** Told after every chunk; the node prints it. */
  onProgress?: (p: BatchProgress) => void;

  constructor(
    private readonly db: Db,
    private readonly issuing: IssuingService,
    private readonly certs: CertificateRepo,
    /** A signer: on worker threads for big batches, on this thread otherwise. */
    private readonly makeSigner: (threads: boolean) => Signer,
    private readonly chunkSize = 250,
    /**
     * Seals what a batch keeps until it is done (the items' fields with holder names and ID numbers,
     * the operator of the request) under the node's data key; without it they are kept as given.
     */
    private readonly sealer?: Pick<Keyring, 'sealJson' | 'openJson'>,
  ) {}

  async create(typeCode: string, items: CreateItem[], ctx: WriteContext, sealCode?: string): Promise<BatchResult> {
    const { item } = await this.issuing.check(typeCode, ctx);
    checkSize(items.length);
    await this.issuing.checkSeal(item, sealCode);
    const id = await this.start('create', typeCode, { ctx, sealCode }, items.map((i) => ({ input: JSON.stringify(i) })));
    return this.run(id);
  }

  /**
   * Signs the given drafts, or every draft of the type in a division that the caller may sign (its
   * organisation's, made by its app); a given draft the caller may not sign fails with why. A
   * division with no drafts is a batch with nothing in it (an empty result, not a refusal): the
   * caller named no certificate that could be missing, it asked to sign whatever waits there.
   */
  async sign(typeCode: string, target: { ids: string[] } | { divisionCode: string }, ctx: WriteContext): Promise<BatchResult> {
    const { item } = await this.issuing.check(typeCode, ctx);
    const ids = 'ids' in target ? target.ids
      : await this.certs.draftIds(typeCode, target.divisionCode, MAX_BATCH_ITEMS, { issuerCode: item.orgCode, app: ctx.caller.app });
    if ('ids' in target || ids.length > 0) checkSize(ids.length);
    const id = await this.start('sign', typeCode, { ctx }, ids.map((licenseCode) => ({ licenseCode })));
    return this.run(id);
  }

  /** Works through a job's unfinished items, chunk by chunk; returns every item's result. */
  async run(jobId: string): Promise<BatchResult> {
    const job = await this.job(jobId);
    if (!job) throw new Error(`no batch ${jobId}`);
    const checked = await this.issuing.check(job.type_code, job.request.ctx);
    // SM2 signing is the costly step of a big batch sign: it runs on worker threads then.
    const signer = job.kind === 'sign' && job.total - job.done > 2 * this.chunkSize ? this.makeSigner(true) : this.makeSigner(false);
    try {
      await this.work(jobId, job, checked, signer);
    } finally {
      await signer.close();
    }
    await this.db.query(`update batch_jobs set state = 'finished', finished_at = now() where id = $1 and state = 'running'`, [jobId]);
    return this.results(jobId);
  }

  private async work(jobId: string, job: JobRow, checked: Awaited<ReturnType<IssuingService['check']>>, signer: Signer): Promise<void> {
    for (;;) {
      const worked = await this.db.transaction(async (tx) => {
        const stored = await tx.query<{ seq: number; license_code: string | null; input: CreateItem | null; input_sealed: Uint8Array | null }>(
          `select seq, license_code, input, input_sealed from batch_job_items where job_id = $1 and result_code is null
           order by seq limit $2 for update skip locked`, [jobId, this.chunkSize]);
        if (stored.length === 0) return [];
        const rows = stored.map((r) => ({
          seq: r.seq, license_code: r.license_code,
          input: r.input_sealed && this.sealer ? this.sealer.openJson<CreateItem>(r.input_sealed, itemContext(jobId, r.seq)) : r.input,
        }));
        const out: BatchItemResult[] = [];
        if (job.kind === 'sign') {
          const outcome = await this.issuing.signInTransaction(tx, checked.type, checked.item, rows.map((r) => r.license_code!), job.request.ctx, signer);
          rows.forEach((r, i) => {
            const o = outcome[i]!;
            out.push(o === r.license_code ? { seq: r.seq, id: o, ok: true } : { seq: r.seq, id: r.license_code!, ok: false, problem: o });
          });
        } else {
          for (const r of rows) out.push(await this.step(tx, job, checked, r));
        }
        await tx.query(
          `update batch_job_items b set license_code = u.code, result_code = u.result, message = u.message, input = null, input_sealed = null
           from unnest($2::int[], $3::text[], $4::text[], $5::text[]) as u(seq, code, result, message)
           where b.job_id = $1 and b.seq = u.seq`,
          [jobId, out.map((o) => o.seq), out.map((o) => o.id ?? null), out.map((o) => (o.ok ? 'ok' : o.problem!)), out.map((o) => o.detail ?? null)],
        );
        await tx.query('update batch_jobs set done = done + $2 where id = $1', [jobId, rows.length]);
        return out;
      });
      if (worked.length === 0) break;
      await this.issuing.recordRefusals(job.request.ctx, job.kind, worked);
      // The signed certificates' layout files go to the same pool as single signs.
      if (job.kind === 'sign') await this.issuing.scheduleFiles(worked.filter((w) => w.ok && w.id).map((w) => w.id!));
      const p = await this.progress(jobId);
      if (p) this.onProgress?.(p);
    }
  }

  /** Jobs a crash left running, resumed one after another (on start). */
  async resumeAll(): Promise<BatchResult[]> {
    const ids = (await this.db.query<{ id: string }>(`select id from batch_jobs where state = 'running' order by created_at`)).map((r) => r.id);
    const out: BatchResult[] = [];
    for (const id of ids) out.push(await this.run(id));
    return out;
  }

  async progress(jobId: string): Promise<BatchProgress | undefined> {
    const j = await this.job(jobId);
    return j && { id: j.id, kind: j.kind, typeCode: j.type_code, total: j.total, done: j.done, state: j.state };
  }

  async results(jobId: string): Promise<BatchResult> {
    const progress = (await this.progress(jobId))!;
    const rows = await this.db.query<{ seq: number; license_code: string | null; result_code: string | null; message: string | null }>(
      'select seq, license_code, result_code, message from batch_job_items where job_id = $1 order by seq', [jobId]);
    return {
      progress,
      items: rows.map((r) => ({ seq: r.seq, id: r.license_code ?? undefined, ok: r.result_code === 'ok', problem: r.result_code === 'ok' ? undefined : r.result_code ?? 'pending', detail: r.message ?? undefined })),
    };
  }

  /** One item of a batch create. */
  private async step(tx: Queryable, job: JobRow, { type, item }: Awaited<ReturnType<IssuingService['check']>>, r: { seq: number; license_code: string | null; input: CreateItem | null }): Promise<BatchItemResult> {
    const ctx = job.request.ctx;
    try {
      const made = await this.issuing.createInTransaction(tx, type, item, r.input?.fields, ctx, { sealCode: job.request.sealCode, licenseGroup: r.input?.licenseGroup });
      return { seq: r.seq, id: made.id, ok: true };
    } catch (err) {
      if (err instanceof IssuingError) return { seq: r.seq, ok: false, problem: err.problem, detail: err.detail };
      throw err;
    }
  }

  private async start(kind: BatchKind, typeCode: string, request: JobRequest, items: { licenseCode?: string; input?: string }[]): Promise<string> {
    const id = randomUUID();
    await this.db.transaction(async (tx) => {
      const sealer = this.sealer;
      await tx.query('insert into batch_jobs (id, kind, type_code, request, request_sealed, total) values ($1, $2, $3, $4, $5, $6)',
        [id, kind, typeCode, sealer ? null : JSON.stringify(request), sealer ? sealer.sealJson(request, requestContext(id)) : null, items.length]);
      for (let i = 0; i < items.length; i += 2000) {
        const part = items.slice(i, i + 2000);
        await tx.query(
          `insert into batch_job_items (job_id, seq, license_code, input, input_sealed)
           select $1, u.seq, u.code, u.input::jsonb, u.sealed from unnest($2::int[], $3::text[], $4::text[], $5::bytea[]) as u(seq, code, input, sealed)`,
          [id, part.map((_, k) => i + k), part.map((p) => p.licenseCode ?? null), part.map((p) => (sealer ? null : p.input ?? null)),
            part.map((p, k) => (sealer && p.input ? sealer.sealJson(JSON.parse(p.input), itemContext(id, i + k)) : null))],
        );
      }
    });
    return id;
  }

  private async job(id: string): Promise<JobRow | undefined> {
    if (!/^[0-9a-f-]{36}$/.test(id)) return undefined;
    const row = (await this.db.query<JobRow & { request_sealed: Uint8Array | null }>('select * from batch_jobs where id = $1', [id]))[0];
    if (row?.request_sealed && this.sealer) row.request = this.sealer.openJson<JobRequest>(row.request_sealed, requestContext(id));
    return row;
  }
}

interface JobRow { id: string; kind: BatchKind; type_code: string; request: JobRequest; total: number; done: number; state: 'running' | 'finished' | 'failed' }

function checkSize(n: number): void {
  if (n === 0) throw new IssuingError('batch-size', 'empty');
  if (n > MAX_BATCH_ITEMS) throw new IssuingError('batch-size', `more than ${MAX_BATCH_ITEMS}`);
}
