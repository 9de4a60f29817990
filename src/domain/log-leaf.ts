import { canonicalJson } from './canonical.js';

/**
 * What a leaf of the node's transparency log says (seed 002 5.4.3 d): which record it stands for
 * and a digest of that record, never the record itself. No plaintext personal data goes in: the
 * holder appears only as the blind index the record is filed under.
 */
export type LeafKind = 'usage' | 'certificate' | 'catalog' | 'operator';

export interface LeafFacts {
  kind: LeafKind;
  /** The record's key in its own table (usage_records.id, certificate_events.id, …). */
  ref: string;
  /** When the record was made, ISO 8601. */
  at: string;
  /** SM3 of the record, hex: a verifier holding the record recomputes it. */
  digest: string;
  /** The holder's blind index, hex, when the record has one: lets a holder's records be found without naming the holder. */
  holder?: string;
}

/** The leaf data: canonical JSON (RFC 8785 ordering) of the facts, UTF-8. */
export function leafBytes(f: LeafFacts): Buffer {
  return Buffer.from(canonicalJson({ v: 1, ...f }), 'utf8');
}

export function parseLeaf(bytes: Uint8Array): LeafFacts & { v: number } {
  return JSON.parse(Buffer.from(bytes).toString('utf8')) as LeafFacts & { v: number };
}
