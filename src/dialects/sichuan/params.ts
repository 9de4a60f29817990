import { ReturnCode, ServiceError } from '../../domain/return-codes.js';

/**
 * The parts of a DB51/T 2942 request, once the route's schema (schemas.ts) has checked every input
 * is text (字符串) and renamed those spelt with the other case of their first letter. Most tables
 * name head.* and data.* parameters; tables 11, 13 and 14 name theirs without a prefix
 * (CertificateHolderCode, encryptedId, systemName), so a parameter is looked up in data when the
 * body has a data object, else at the top level: the one step here no schema can say.
 */
export class Part {
  constructor(private readonly values: Record<string, unknown>) {}

  /** A text input, trimmed; undefined when absent or blank. */
  text(name: string): string | undefined {
    const v = this.values[name];
    const t = typeof v === 'string' ? v.trim() : undefined;
    return t === '' ? undefined : t;
  }

  /** An optional JSON object (CertificateData); absent is an empty object. */
  object(name: string): Record<string, unknown> {
    const v = this.values[name];
    return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  }
}

export interface Request { head: Part; data: Part }

export function readRequest(body: unknown): Request {
  const b = (body ?? {}) as Record<string, unknown>;
  const head = new Part((b.head ?? {}) as Record<string, unknown>);
  return { head, data: new Part((b.data ?? b) as Record<string, unknown>) };
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
