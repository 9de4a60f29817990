import type { Db } from '../store/db.js';
import type { Checkpoints } from '../core/checkpoints.js';
import type { NodeKeys } from '../core/node-keys.js';
import { asBuffer } from '../store/db.js';
import { cosign } from '../crypto/cosignature.js';
import { splitNote } from '../crypto/signed-note.js';
import type { SeenLog } from '../core/log-audit.js';
import { auditRemote } from './log-audit-remote.js';
import { collectCosignatures } from './cosignatures.js';

/** What witnessing reads of a node: its log, its key and whom it witnesses. */
export interface WitnessNode {
  db: Db;
  checkpoints: Checkpoints;
  nodeKeys: NodeKeys;
  cfg: { federation: { hopTimeoutMs: number }; witnessOf: string[]; witnesses: string[] };
}

export interface WitnessOutcome { origin: string; size?: number; cosignature?: string; problem?: string }

/**
 * Witnesses another node's log (C2SP tlog-cosignature): its latest checkpoint must carry the
 * signature of the keys pinned the first time, and be consistent with the last one this node
 * cosigned; then this node cosigns it and keeps the cosigned note, served at
 * /log/witness/checkpoint. A checkpoint that fails is refused, kept as evidence and alarmed.
 */
export async function witnessLog(s: WitnessNode, peerUrl: string, alarm: (line: string) => void): Promise<WitnessOutcome> {
  let seen: SeenLog | undefined;
  const result = await auditRemote(peerUrl, (origin) => seen, s.cfg.federation.hopTimeoutMs * 2, async (origin) => {
    const [row] = await s.db.query<{ size: number; root: Uint8Array; keys: string[] }>('select size, root, keys from witness_logs where origin = $1', [origin]);
    seen = row ? { size: Number(row.size), root: asBuffer(row.root).toString('hex'), keys: row.keys } : undefined;
  });
  if (result.problem || !result.checkpoint || !result.note) {
    const problem = result.problem?.message ?? 'no checkpoint';
    await s.db.query('insert into witness_evidence (origin, note, seen_size, seen_root, problem) values ($1, $2, $3, $4, $5)',
      [result.origin, result.note ?? null, seen?.size ?? null, seen ? Buffer.from(seen.root, 'hex') : null, problem]);
    alarm(`witness: REFUSED the checkpoint of ${result.origin} (${peerUrl}): ${problem}; kept as evidence`);
    return { origin: result.origin, problem };
  }
  const { text } = splitNote(result.note);
  const name = await s.checkpoints.origin();
  const signer = s.nodeKeys.fileSigner();
  const line = cosign(text, name, signer.publicKeyHex, signer.sign, Math.floor(Date.now() / 1000));
  await s.db.transaction(async (tx) => {
    await tx.query(
      `insert into witness_logs (origin, size, root, keys) values ($1, $2, $3, $4)
       on conflict (origin) do update set size = excluded.size, root = excluded.root`,
      [result.origin, result.checkpoint!.size, Buffer.from(result.checkpoint!.root, 'hex'), result.keys ?? []]);
    await tx.query('insert into witness_cosignatures (origin, size, note) values ($1, $2, $3) on conflict (origin, size) do nothing',
      [result.origin, result.checkpoint!.size, `${result.note}${line}\n`]);
  });
  return { origin: result.origin, size: result.checkpoint.size, cosignature: line };
}

/** The newest checkpoint of a log this node witnessed, with its cosignature line. */
export async function cosignedCheckpoint(s: WitnessNode, origin: string): Promise<string | undefined> {
  const [row] = await s.db.query<{ note: string }>('select note from witness_cosignatures where origin = $1 order by size desc limit 1', [origin]);
  return row?.note;
}

/** Runs witnessing on a timer: the configured peers' logs cosigned, this node's witnesses' cosignatures collected. */
export function witnessEvery(s: WitnessNode, ms: number, say: (line: string) => void): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  const round = async () => {
    for (const url of s.cfg.witnessOf) await witnessLog(s, url, say).catch((err: Error) => say(`witness: ${url}: ${err.message}`));
    for (const r of await collectCosignatures(s, s.cfg.witnesses, s.cfg.federation.hopTimeoutMs)) if (r.problem) say(`cosignatures from ${r.url}: ${r.problem}`);
  };
  const timer = setInterval(() => { running = running.then(round).catch(() => {}); }, ms);
  timer.unref();
  return { async stop() { clearInterval(timer); await running; } };
}
