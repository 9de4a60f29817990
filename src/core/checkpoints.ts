import type { Db } from '../store/db.js';
import { formatCheckpoint } from '../domain/checkpoint.js';
import { noteKeyId, noteVerifierKey, signNote } from '../crypto/signed-note.js';
import { fixOrigin, latestCheckpoint, storedOrigin, saveCheckpoint, type StoredCheckpoint } from '../store/transparency-log.js';
import type { NodeKeys } from './node-keys.js';
import type { TransparencyLog } from './transparency-log.js';

/**
 * The log's origin, which is also the name of the key that signs its checkpoints: the node's public
 * URL without its scheme, then /log (a schema-less URL, as C2SP signed-note recommends); a node
 * without a public URL names itself by its data source or area code.
 */
export function logOrigin(cfg: { publicUrl?: string; dataSource?: string; areaCode?: string }): string {
  if (cfg.publicUrl) return `${cfg.publicUrl.replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '')}/log`;
  return `zhengzhao.invalid/${cfg.dataSource ?? cfg.areaCode ?? 'node'}/log`;
}

/** A signing key of the node as a checkpoint verifier knows it. */
export interface NoteKey { kid: string; keyName: string; keyId: string; verifierKey: string; publicKeyHex: string; retired: boolean }

/** Signed checkpoints of the node's log (C2SP tlog-checkpoint in a C2SP signed note, SM2). */
export class Checkpoints {
  private fixed?: string;

  /** @param proposed the origin this process would give the log; the first one stored stays, so every process of the node signs under one name. */
  constructor(private readonly db: Db, private readonly log: TransparencyLog, private readonly nodeKeys: NodeKeys, private readonly proposed: string) {}

  async origin(): Promise<string> {
    this.fixed ??= await fixOrigin(this.db, this.proposed);
    return this.fixed;
  }

  /** The origin without fixing it (a verifier writes nothing): the stored one, else this process's. */
  async knownOrigin(): Promise<string> {
    return this.fixed ?? (await storedOrigin(this.db)) ?? this.proposed;
  }

  /** Signs a checkpoint of the log as it is, unless the latest one already has its size. */
  async make(): Promise<StoredCheckpoint> {
    const size = await this.log.size();
    const last = await latestCheckpoint(this.db);
    if (last && last.size >= size) return last;
    const root = await this.log.root(size);
    const signer = this.nodeKeys.fileSigner();
    const origin = await this.origin();
    const note = signNote(formatCheckpoint({ origin, size, root }), origin, signer.publicKeyHex, signer.sign);
    await saveCheckpoint(this.db, { size, root, note });
    // Another process may have signed this size first: serve the one the database kept.
    return (await latestCheckpoint(this.db))!;
  }

  /** The newest checkpoint, made now if the log has none yet, with the cosignatures its witnesses made. */
  async latest(): Promise<StoredCheckpoint> {
    const c = (await latestCheckpoint(this.db)) ?? await this.make();
    const lines = await this.db.query<{ line: string }>('select line from log_cosignatures where size = $1 order by witness', [c.size]);
    return lines.length === 0 ? c : { ...c, note: `${c.note}${lines.map((l) => `${l.line}\n`).join('')}` };
  }

  /** Every signing key of the node (retired ones too) with its note key ID. */
  async noteKeys(): Promise<NoteKey[]> {
    const origin = await this.knownOrigin();
    return (await this.nodeKeys.published()).map((k) => ({
      kid: k.kid, keyName: origin, keyId: noteKeyId(origin, k.publicKeyHex).toString('hex'),
      verifierKey: noteVerifierKey(origin, k.publicKeyHex), publicKeyHex: k.publicKeyHex, retired: k.validTo !== undefined,
    }));
  }

  /** Makes a checkpoint every `ms` when the log grew; stop() waits for one under way. */
  every(ms: number, onError: (err: Error) => void): { stop(): Promise<void> } {
    let running: Promise<unknown> = Promise.resolve();
    const timer = setInterval(() => { running = this.make().catch(onError); }, ms);
    timer.unref();
    return { async stop() { clearInterval(timer); await running; } };
  }
}
