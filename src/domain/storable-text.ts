/** `String.prototype.isWellFormed` (ES2024, Node 20): false when a UTF-16 surrogate stands alone. */
type WellFormed = { isWellFormed(): boolean };

/**
 * Whether PostgreSQL can store a text: not when it holds a NUL character (text and jsonb refuse
 * U+0000) or a lone UTF-16 surrogate (it has no UTF-8 form). Such text in one request once made
 * PostgreSQL refuse a whole group commit of other callers' usage records, so the edge refuses it.
 *
 * @example storableText('王小明') // true
 * @example storableText('a\u0000b') // false
 */
export function storableText(s: string): boolean {
  return !s.includes('\u0000') && (s as unknown as WellFormed).isWellFormed();
}

/**
 * Where in a parsed request value (JSON, a form, a query string, path parameters) lies text that
 * PostgreSQL cannot store, keys included, as a dotted path; undefined when there is none. Bytes
 * (Buffer bodies: posted files) are not text and are skipped. Walks without recursion, so a deeply
 * nested body cannot exhaust the stack.
 *
 * @example unstorableAt({ data: { UseFor: 'x\u0000' } }, 'body') // 'body.data.UseFor'
 */
export function unstorableAt(value: unknown, root: string): string | undefined {
  const stack: [unknown, string][] = [[value, root]];
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      if (!storableText(v)) return path;
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => stack.push([item, `${path}[${i}]`]));
    } else if (typeof v === 'object' && v !== null && !(v instanceof Uint8Array)) {
      for (const [k, item] of Object.entries(v)) {
        if (!storableText(k)) return `${path} (a key)`;
        stack.push([item, `${path}.${k}`]);
      }
    }
  }
  return undefined;
}
