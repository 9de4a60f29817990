import { ReturnCode, ServiceError } from '../../domain/return-codes.js';
import type { Scene } from '../../core/scenes.js';
import type { FileFormat } from '../../core/file-tickets.js';

/** A request body's parameters by their table names. Every table types its inputs 字符串: anything else is refused (24), not coerced. */
export type Body = Readonly<Record<string, unknown>>;

export function text(body: Body, name: string, max = 4096): string | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new ServiceError(ReturnCode.Unparseable, 'must be a string (字符串)', [name]);
  const t = v.trim();
  if (t.length > max) throw new ServiceError(ReturnCode.Unparseable, `at most ${max} characters`, [name]);
  return t === '' ? undefined : t;
}

/** The scene fields every sharing call carries (tables 1-7); the core checks they are all there. */
export function sceneOf(body: Body): Scene {
  return {
    reason: text(body, 'UseFor'), itemName: text(body, 'itemName'), itemCode: text(body, 'itemCode'), itemOrg: text(body, 'itemOrg'),
    operator: text(body, 'operator'), bizNum: text(body, 'bizNum'),
  };
}

/** Scene names in refusals, as the tables spell them. */
export const SCENE_NAMES: Readonly<Record<string, string>> = { reason: 'UseFor' };

/**
 * Where two tables spell one thing differently, each interface's own spelling: the service code is
 * `qrcode` in table 7 and `qrCode` in table 9 (the core calls it serviceCode).
 */
export const TABLE_NAMES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  DecodeServiceCode: { serviceCode: 'qrcode' },
  IssueTrustedToken: { serviceCode: 'qrCode' },
  RequestHolderConsent: { serviceCode: 'qrCode' },
};

/** Tables 2 and 3 name no format (the file is "PDF or OFD"): an optional fileFormat asks for OFD, PDF by default. */
export function formatOf(body: Body, required = false): FileFormat {
  const v = text(body, 'fileFormat');
  if (v === undefined) {
    if (required) throw new ServiceError(ReturnCode.RequiredMissing, undefined, ['fileFormat']);
    return 'pdf';
  }
  const f = v.toLowerCase();
  if (f !== 'pdf' && f !== 'ofd') throw new ServiceError(ReturnCode.Unparseable, 'must be PDF or OFD', ['fileFormat']);
  return f;
}

/** Standard base64 (line breaks allowed); undefined when it is not, or decodes to nothing. */
export function base64Bytes(t: string): Buffer | undefined {
  const compact = t.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact) || compact.length % 4 === 1) return undefined;
  const bytes = Buffer.from(compact, 'base64');
  return bytes.length > 0 ? bytes : undefined;
}
