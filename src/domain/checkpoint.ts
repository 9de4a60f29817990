/**
 * The checkpoint of a log in the C2SP tlog-checkpoint text format: origin line, tree size in
 * decimal, root hash in standard base64, each ending in a newline (no extension lines).
 */
export interface Checkpoint { origin: string; size: number; root: Buffer }

export function formatCheckpoint(c: Checkpoint): string {
  return `${c.origin}\n${c.size}\n${c.root.toString('base64')}\n`;
}

/** Parses a checkpoint's text; throws naming what is wrong. Extension lines are allowed and ignored. */
export function parseCheckpoint(text: string): Checkpoint {
  const lines = text.split('\n');
  if (lines.length < 4 || lines[lines.length - 1] !== '') throw new Error('a checkpoint has at least three lines, each ending in a newline');
  const [origin, size, root] = lines as [string, string, string];
  if (origin === '') throw new Error('checkpoint: empty origin');
  if (!/^(0|[1-9][0-9]{0,15})$/.test(size)) throw new Error(`checkpoint: not a tree size: ${size}`);
  const hash = Buffer.from(root, 'base64');
  if (hash.length !== 32 || hash.toString('base64') !== root) throw new Error('checkpoint: the root hash is not 32 bytes in standard base64');
  return { origin, size: Number(size), root: hash };
}
