import type { OperatorInfo, WriteContext } from '../../core/issuing.js';
import type { Session } from '../../core/sessions.js';
import type { FastifyRequest } from 'fastify';
import { ArgumentError, correlation } from './handler.js';
import { unstorableAt } from '../../domain/storable-text.js';

/**
 * Request parameters of the Beijing writes. The examples put them inside a `data` object
 * (D.1, E.1, F.1) or at the top level (G.2); both are read, `data` winning.
 */
export function paramsOf(body: unknown): Record<string, unknown> {
  if (body === null || body === undefined) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new ArgumentError('请求体应为 JSON 对象');
  const b = body as Record<string, unknown>;
  const inner = b.data !== null && typeof b.data === 'object' && !Array.isArray(b.data) ? (b.data as Record<string, unknown>) : {};
  // The examples write some names with a stray leading space (" service_item_code", D.2); accept them trimmed.
  const trimmed = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k.trim(), v]));
  return { ...trimmed(b), ...trimmed(inner) };
}

/**
 * Parameters of a GET (table 18 serves get_license_qr by GET): the query string's names, with
 * `operator` (an object) given as a JSON text or by dotted names (`operator.account=…`).
 */
export function queryParamsOf(query: unknown): Record<string, unknown> {
  const q = (query ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const nested: Record<string, Record<string, unknown>> = {};
  for (const [k, v] of Object.entries(q)) {
    const dot = /^(\w+)\.(\w+)$/.exec(k.trim());
    if (dot) (nested[dot[1]!] ??= {})[dot[2]!] = v;
    else out[k.trim()] = v;
  }
  if (typeof out.operator === 'string') {
    try {
      out.operator = JSON.parse(out.operator);
    } catch {
      throw new ArgumentError('operator 不是合法的 JSON');
    }
  }
  for (const [k, v] of Object.entries(nested)) out[k] = { ...(typeof out[k] === 'object' && out[k] !== null ? (out[k] as object) : {}), ...v };
  return out;
}

export function text(p: Record<string, unknown>, name: string, required: true, max?: number): string;
export function text(p: Record<string, unknown>, name: string, required?: boolean, max?: number): string | undefined;
export function text(p: Record<string, unknown>, name: string, required = false, max = 256): string | undefined {
  const v = p[name];
  if (v === undefined || v === null || v === '') {
    if (required) throw new ArgumentError(`${name} 必填`);
    return undefined;
  }
  if (typeof v !== 'string' && typeof v !== 'number') throw new ArgumentError(`${name} 应为字符串`);
  const s = String(v).trim();
  if (s.length > max) throw new ArgumentError(`${name} 超过 ${max} 个字符`);
  if (required && s === '') throw new ArgumentError(`${name} 必填`);
  return s || undefined;
}

/** data_fields: an object, or (the table's String type) a JSON text of one. */
export function dataFields(p: Record<string, unknown>, name = 'data_fields'): Record<string, unknown> {
  let v = p[name];
  if (v === undefined || v === null || v === '') throw new ArgumentError(`${name} 必填`);
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      throw new ArgumentError(`${name} 不是合法的 JSON`);
    }
    // A JSON text escapes what the edge checks in bodies (\u0000): checked again once parsed.
    if (unstorableAt(v, name)) throw new ArgumentError(`${name} 含有无法存储的字符（NUL 或不成对的代理项）`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new ArgumentError(`${name} 应为对象`);
  return v as Record<string, unknown>;
}

/** The operator (UserInfo) a write records; account and name are required. */
export function operatorOf(p: Record<string, unknown>): OperatorInfo {
  const o = p.operator;
  if (o === undefined || o === null) throw new ArgumentError('operator 必填');
  if (typeof o !== 'object' || Array.isArray(o)) throw new ArgumentError('operator 应为 UserInfo 对象');
  const u = o as Record<string, unknown>;
  const field = (k: string, required = false) => {
    try {
      return required ? text(u, k, true, 128) : text(u, k, false, 128);
    } catch (err) {
      throw new ArgumentError(`operator.${(err as Error).message}`);
    }
  };
  const info: OperatorInfo = {
    account: field('account', true)!, name: field('name', true)!, identityNum: field('identity_num'), role: field('role'),
    serviceOrg: field('service_org'), division: field('division'), divisionCode: field('division_code'),
  };
  if (info.divisionCode && !/^\d{6}$/.test(info.divisionCode)) throw new ArgumentError('operator.division_code 应为 6 位行政区划代码');
  return info;
}

/**
 * Operator, service item and case number: what every write carries; the caller (the session's app
 * and its logged-in operator's division) is what the core's rule of who may write reads, never the
 * operator the body describes. `name` is the interface, as a refused write's usage record names it.
 */
export function writeContext(p: Record<string, unknown>, session: Session, req: FastifyRequest, name: string): WriteContext {
  return {
    operator: operatorOf(p),
    itemCode: text(p, 'service_item_code', true, 64),
    itemName: text(p, 'service_item_name', true),
    bizNum: text(p, 'biz_num', false, 128),
    sessionAccount: session.operator.account,
    caller: { app: session.appKey, divisionCode: session.operator.divisionCode },
    call: { dialect: 'beijing', interface: name, clientIp: req.ip, correlationId: correlation(req) },
  };
}
