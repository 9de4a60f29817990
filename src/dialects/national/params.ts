import { ReturnCode, ServiceError } from '../../domain/return-codes.js';
import { unstorableAt } from '../../domain/storable-text.js';

/**
 * Request parameters of the national interface. Appendix C posts them form-encoded with the names
 * of the tables (AccountId, CertificateHolderCode, …); JSON callers are accepted too, also with the
 * first letter in lower case (accountId), which several provincial clients send.
 */
export class Params {
  constructor(private readonly body: Record<string, unknown>) {}

  static from(body: unknown): Params {
    if (body === undefined || body === null || body === '') return new Params({});
    if (typeof body !== 'object' || Array.isArray(body)) throw new ServiceError(ReturnCode.Unparseable, 'request body must be a form or a JSON object');
    return new Params(body as Record<string, unknown>);
  }

  private raw(name: string): unknown {
    if (name in this.body) return this.body[name];
    const lower = name[0]!.toLowerCase() + name.slice(1);
    return this.body[lower];
  }

  /** A string parameter; numbers are taken as their decimal text; anything else is a type error (24). */
  text(name: string): string | undefined {
    const v = this.raw(name);
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
    const v = this.raw(name);
    if (v === undefined || v === null || v === '') return undefined;
    const items = Array.isArray(v) ? v : typeof v === 'string' ? v.split(/[,，、\s]+/) : undefined;
    if (!items || !items.every((x) => typeof x === 'string')) throw new ServiceError(ReturnCode.Unparseable, `${name} must be a list of names`);
    const names = (items as string[]).map((x) => x.trim()).filter((x) => x !== '');
    return names.length > 0 ? names : undefined;
  }

  /** A JSON object parameter: an object in a JSON body, or a JSON text in a form body. */
  object(name: string): Record<string, unknown> {
    const v = this.raw(name);
    if (v === undefined || v === null || v === '') throw new ServiceError(ReturnCode.RequiredMissing, name);
    let parsed: unknown = v;
    if (typeof v === 'string') {
      try {
        parsed = JSON.parse(v);
      } catch {
        throw new ServiceError(ReturnCode.Unparseable, `${name} is not valid JSON`);
      }
      // A JSON text escapes what the edge checks in bodies (\u0000): checked again once parsed.
      if (unstorableAt(parsed, name)) throw new ServiceError(ReturnCode.Unparseable, `${name} holds a NUL character or an unpaired surrogate`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ServiceError(ReturnCode.Unparseable, `${name} must be a JSON object`);
    return parsed as Record<string, unknown>;
  }
}

/** Reads a string field of a nested object (CertificateData), with the same type rules. */
export function field(obj: Record<string, unknown>, name: string): string | undefined {
  return new Params(obj).text(name);
}
