import { ReturnCode, ServiceError } from '../../domain/return-codes.js';

/**
 * The parts of a DB51/T 2942 request. Most tables name head.* and data.* parameters; tables 11, 13
 * and 14 name theirs without a prefix (CertificateHolderCode, encryptedId, systemName), so a
 * parameter is looked up in data when the body has a data object, else at the top level. Every table
 * types its inputs 字符串: a number or an object where a string belongs is refused (24), not coerced.
 */
export class Part {
  constructor(private readonly values: Record<string, unknown>, private readonly prefix: string) {}

  /** The names the tables use differ in the case of their first letter (head.AccountId in table 3, head.accountId elsewhere). */
  private raw(name: string): unknown {
    if (name in this.values) return this.values[name];
    const other = name[0] === name[0]!.toLowerCase() ? name[0]!.toUpperCase() + name.slice(1) : name[0]!.toLowerCase() + name.slice(1);
    return this.values[other];
  }

  text(name: string): string | undefined {
    const v = this.raw(name);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw new ServiceError(ReturnCode.Unparseable, `${this.prefix}${name} must be a string (字符串)`);
    const t = v.trim();
    return t === '' ? undefined : t;
  }

  /** An optional JSON object (CertificateData); absent is an empty object. */
  object(name: string): Record<string, unknown> {
    const v = this.raw(name);
    if (v === undefined || v === null) return {};
    if (typeof v !== 'object' || Array.isArray(v)) throw new ServiceError(ReturnCode.Unparseable, `${this.prefix}${name} must be a JSON object`);
    return v as Record<string, unknown>;
  }
}

export interface Request { head: Part; data: Part }

export function readRequest(body: unknown): Request {
  if (body === undefined || body === null || body === '') return { head: new Part({}, 'head.'), data: new Part({}, '') };
  if (typeof body !== 'object' || Array.isArray(body) || Buffer.isBuffer(body)) throw new ServiceError(ReturnCode.Unparseable, 'the body must be a JSON object');
  const b = body as Record<string, unknown>;
  const head = b.head ?? {};
  if (typeof head !== 'object' || head === null || Array.isArray(head)) throw new ServiceError(ReturnCode.Unparseable, 'head must be a JSON object');
  if (b.data === undefined || b.data === null) return { head: new Part(head as Record<string, unknown>, 'head.'), data: new Part(b, '') };
  if (typeof b.data !== 'object' || Array.isArray(b.data)) throw new ServiceError(ReturnCode.Unparseable, 'data must be a JSON object');
  return { head: new Part(head as Record<string, unknown>, 'head.'), data: new Part(b.data as Record<string, unknown>, 'data.') };
}

/**
 * useFor (查询事由 / 下载事由): 01 共享应用, 02 亮证应用, 03 证照核验, 99 其他. Table 2 (retrieval) allows all
 * four; tables 3-6 and 8 list 01, 02 and 99 only.
 */
export const USE_FOR: Readonly<Record<string, string>> = { '01': '共享应用', '02': '亮证应用', '03': '证照核验', '99': '其他' };
export const ALL_USES = ['01', '02', '03', '99'] as const;
export const NO_CHECKING = ['01', '02', '99'] as const;

/**
 * The purpose of a call, as the core records it (and prints on an annotated copy): the name of the
 * code. Required where the table marks useFor 是; where a table lists no useFor it may still be sent.
 */
export function purpose(p: Part, name: string, allowed: readonly string[], required: boolean): string | undefined {
  const code = p.text(name);
  if (code === undefined) {
    if (required) throw new ServiceError(ReturnCode.RequiredMissing, undefined, ['reason']);
    return undefined;
  }
  if (!allowed.includes(code)) {
    const list = allowed.map((c) => `${c} ${USE_FOR[c]}`).join(', ');
    throw new ServiceError(ReturnCode.Unparseable, USE_FOR[code] ? `${code} (${USE_FOR[code]}) is not allowed here; use ${list}` : `must be one of ${list}`, ['reason']);
  }
  return USE_FOR[code];
}
