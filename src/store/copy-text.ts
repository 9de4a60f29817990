/**
 * Rows in PostgreSQL's COPY text format, as `COPY … TO STDOUT` writes them: one row a line, fields
 * separated by tabs, `\N` for null, and a backslash before b f n r t v, a backslash itself, or an
 * octal or hex byte code (the server writes only the letters and the backslash; the codes are
 * read too, as COPY FROM would read them).
 */
export function parseCopyText(text: string): (string | null)[][] {
  const rows: (string | null)[][] = [];
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const fields: (string | null)[] = text.slice(start, end).split('\t');
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!;
      if (f === '\\N') fields[i] = null;
      else if (f.includes('\\')) fields[i] = unescapeCopy(f);
    }
    rows.push(fields);
    start = end + 1;
  }
  return rows;
}

const ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

function unescapeCopy(field: string): string {
  return field.replace(/\\(?:([0-7]{1,3})|x([0-9A-Fa-f]{1,2})|([\s\S]))/g, (_, octal: string | undefined, hex: string | undefined, c: string | undefined) =>
    octal !== undefined ? String.fromCharCode(parseInt(octal, 8) & 0xff)
      : hex !== undefined ? String.fromCharCode(parseInt(hex, 16))
        : ESCAPES[c!] ?? c!);
}
