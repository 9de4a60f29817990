import type { Db } from '../store/db.js';
import type { Checkpoints } from '../core/checkpoints.js';
import { verifyCosignature } from '../crypto/cosignature.js';
import { splitNote } from '../crypto/signed-note.js';
import { parseCheckpoint } from '../domain/checkpoint.js';
import { KEYS_PATH } from './published-keys.js';

/** What collecting cosignatures reads of a node. */
export interface CosigningNode { db: Db; checkpoints: Checkpoints }

/**
 * Collects the cosignatures this node's witnesses made of its checkpoints (each witness serves the
 * note it cosigned): a line is kept when it verifies with the witness's key, pinned the first time,
 * over a checkpoint this node signed. /log/checkpoint then carries them.
 */
export async function collectCosignatures(s: CosigningNode, witnessUrls: string[], timeoutMs: number): Promise<{ url: string; size?: number; problem?: string }[]> {
  const origin = await s.checkpoints.origin();
  const out: { url: string; size?: number; problem?: string }[] = [];
  for (const raw of witnessUrls) {
    const url = raw.replace(/\/+$/, '');
    try {
      let [w] = await s.db.query<{ name: string; key: string }>('select name, key from log_witnesses where url = $1', [url]);
      if (!w) {
        const doc = await (await fetch(`${url}${KEYS_PATH}`, { signal: AbortSignal.timeout(timeoutMs) })).json() as { log?: { origin?: string; noteKeys?: { publicKeyHex?: string; retired?: boolean }[] } };
        const key = doc.log?.noteKeys?.find((k) => !k.retired)?.publicKeyHex;
        if (!doc.log?.origin || !key) throw new Error('its keys document names no log key');
        await s.db.query('insert into log_witnesses (url, name, key) values ($1, $2, $3) on conflict (url) do nothing', [url, doc.log.origin, key]);
        [w] = await s.db.query<{ name: string; key: string }>('select name, key from log_witnesses where url = $1', [url]);
      }
      const res = await fetch(`${url}/log/witness/checkpoint?origin=${encodeURIComponent(origin)}`, { signal: AbortSignal.timeout(timeoutMs) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const note = await res.text();
      const { text } = splitNote(note);
      const c = parseCheckpoint(text);
      const [ours] = await s.db.query<{ note: string }>('select note from log_checkpoints where size = $1', [c.size]);
      if (!ours || splitNote(ours.note).text !== text) throw new Error(`it cosigned a checkpoint of size ${c.size} this node did not sign`);
      const line = note.trimEnd().split('\n').find((l) => verifyCosignature(l, text, w!.name, w!.key) !== undefined);
      if (!line) throw new Error(`no cosignature of ${w!.name} verifies`);
      await s.db.query('insert into log_cosignatures (size, witness, line) values ($1, $2, $3) on conflict (size, witness) do update set line = excluded.line', [c.size, w!.name, line]);
      out.push({ url, size: c.size });
    } catch (err) {
      out.push({ url, problem: (err as Error).message });
    }
  }
  return out;
}
