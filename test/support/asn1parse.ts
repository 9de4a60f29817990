import { spawnSync } from 'node:child_process';

export interface Asn1Line { depth: number; type: string; value: string }

export const hasOpenssl = spawnSync('sh', ['-c', 'command -v openssl']).status === 0;

/** Decodes DER with `openssl asn1parse`: an independent reading of what our asn1js code wrote. */
export function opensslAsn1parse(der: Uint8Array): Asn1Line[] {
  const r = spawnSync('openssl', ['asn1parse', '-inform', 'DER'], { input: der, encoding: 'latin1' });
  if (r.status !== 0) throw new Error(`openssl asn1parse failed: ${r.stderr}`);
  return r.stdout.trim().split('\n').map((line) => {
    const m = /d=(\d+)\s+hl=\d+\s+l=\s*\d+\s+(?:prim|cons):\s+(.+?)\s*(?::(.*))?$/.exec(line);
    if (!m) throw new Error(`unexpected asn1parse line: ${line}`);
    return { depth: Number(m[1]), type: m[2]!.trim(), value: Buffer.from(m[3] ?? '', 'latin1').toString('utf8') };
  });
}
