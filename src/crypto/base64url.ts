/**
 * The bytes of a sealed token written in base64url (RFC 4648 section 5, no padding), only when the
 * text is the one canonical encoding of those bytes. Node's decoder ignores what it cannot use (a
 * character appended to a text whose length is a multiple of 4, non-zero trailing bits), so one
 * token would have many spellings that all open; a token is refused unless encoding its bytes again
 * gives the text back. Undefined for any other text.
 *
 * @example
 * canonicalBase64url('AQID')  // <Buffer 01 02 03>
 * canonicalBase64url('AQIDx') // undefined: an extra character
 */
export function canonicalBase64url(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}

/** A token's bytes for a sealed-token opener: the canonical decoding, or an error the opener's catch turns into "invalid". */
export function tokenBytes(text: string): Buffer {
  const bytes = canonicalBase64url(text);
  if (!bytes) throw new Error('token: not canonical base64url');
  return bytes;
}
