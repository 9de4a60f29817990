import type { FastifyRequest } from 'fastify';
import { ReturnCode, ServiceError } from '../../domain/return-codes.js';
import { unstorableAt } from '../../domain/storable-text.js';

/**
 * The national inputs once the route's schema (schemas.ts) has checked their types. Two steps
 * remain that no schema can say, each a quirk of the clients the standard has in the field:
 * - names with the first letter in lower case (accountId for AccountId), which several provincial
 *   clients send: `upperCaseNames` renames them before validation;
 * - a JSON object (CertificateData) posted in a form body as its JSON text: `object` parses it.
 */
export class Params {
  constructor(private readonly body: Record<string, unknown>) {}

  static of(value: unknown): Params {
    return new Params(value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {});
  }

  /**
   * A text parameter, trimmed. The schema has made it a string (a number as its decimal text); a
   * field of an object posted as JSON text, which no schema saw, is held to the same rule here.
   */
  text(name: string): string | undefined {
    const v = this.body[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string') return v.trim();
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
    throw new ServiceError(ReturnCode.Unparseable, `${name} must be a string`);
  }

  /**
   * A list of names: a JSON array of strings, or one text separated by commas (also 、 and ，) or
   * white space. Undefined when absent or empty.
   */
  list(name: string): string[] | undefined {
    const v = this.body[name];
    if (v === undefined || v === null || v === '') return undefined;
    const items = Array.isArray(v) ? (v as string[]) : String(v).split(/[,，、\s]+/);
    const names = items.map((x) => x.trim()).filter((x) => x !== '');
    return names.length > 0 ? names : undefined;
  }

  /** A JSON object parameter: an object in a JSON body, or a JSON text in a form body. */
  object(name: string): Record<string, unknown> {
    const v = this.body[name];
    if (v === undefined || v === null || v === '') throw new ServiceError(ReturnCode.RequiredMissing, name);
    if (typeof v !== 'string') return v as Record<string, unknown>;
    let parsed: unknown;
    try {
      parsed = JSON.parse(v);
    } catch {
      throw new ServiceError(ReturnCode.Unparseable, `${name} is not valid JSON`);
    }
    // A JSON text escapes what the edge checks in bodies (\u0000): checked again once parsed.
    if (unstorableAt(parsed, name)) throw new ServiceError(ReturnCode.Unparseable, `${name} holds a NUL character or an unpaired surrogate`);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ServiceError(ReturnCode.Unparseable, `${name} must be a JSON object`);
    return parsed as Record<string, unknown>;
  }
}

/** Reads a string field of a nested object (CertificateData), with the same type rules. */
export function field(obj: Record<string, unknown>, name: string): string | undefined {
  return new Params(obj).text(name);
}

/**
 * Appendix C names its parameters AccountId, CertificateHolderCode, …; a name sent with its first
 * letter in lower case is read as the table's (the exact name wins when both are sent).
 */
export async function upperCaseNames(req: FastifyRequest): Promise<void> {
  const body = req.body;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return;
  const b = body as Record<string, unknown>;
  for (const k of Object.keys(b)) {
    const upper = k.charAt(0).toUpperCase() + k.slice(1);
    if (upper !== k && !(upper in b)) b[upper] = b[k];
  }
}
