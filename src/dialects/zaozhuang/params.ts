import { isIP } from 'node:net';
import { ReturnCode, ServiceError } from '../../domain/return-codes.js';
import { parseDate } from '../../domain/dates.js';
import { endOfCstDay } from '../../domain/annotation.js';
import type { CallContext } from '../../core/usage.js';
import { checkReason } from '../../core/sharing.js';
import { LEVEL_OF_INTERFACE_TYPE, type Level } from './envelope.js';

/**
 * The body of a Zaozhuang call (HTTP+JSON, 4.3.2-4.3.7); a form body is read the same way. Names
 * are the document's, case-sensitive, except the reserved paging fields of 4.3.7 (Mode, Page, Size),
 * which are also read in lower case.
 */
export class Params {
  private constructor(readonly body: Readonly<Record<string, unknown>>) {}

  static from(body: unknown): Params {
    if (body === undefined || body === null || body === '') return new Params({});
    if (typeof body !== 'object' || Array.isArray(body) || Buffer.isBuffer(body)) {
      throw new ServiceError(ReturnCode.Unparseable, 'the request body must be a JSON object');
    }
    return new Params(body as Record<string, unknown>);
  }

  has(name: string): boolean {
    const v = this.body[name];
    return v !== undefined && v !== null && !(typeof v === 'string' && v.trim() === '');
  }

  /** A string parameter, trimmed; numbers are read as their decimal text; anything else is 24. */
  text(name: string): string | undefined {
    const v = this.body[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string') return v.trim() === '' ? undefined : v.trim();
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
    throw new ServiceError(ReturnCode.Unparseable, `${name} 应为字符串`);
  }

  /** The first of several spellings present. */
  textOf(...names: string[]): string | undefined {
    for (const n of names) {
      const v = this.text(n);
      if (v !== undefined) return v;
    }
    return undefined;
  }
}

/** 12 naming every required parameter that is missing or empty. */
export function requireAll(p: Params, names: readonly string[]): void {
  const missing = names.filter((n) => !p.has(n));
  if (missing.length > 0) throw new ServiceError(ReturnCode.RequiredMissing, missing.join(', '));
}

/** 24: a parameter is present but not a value the document allows. */
function bad(name: string, rule: string): never {
  throw new ServiceError(ReturnCode.Unparseable, `${name} ${rule}`);
}

/** interfaceType (0 province, 1 city; default 0). */
export function levelOf(p: Params): Level {
  const v = p.text('interfaceType') ?? '0';
  const level = LEVEL_OF_INTERFACE_TYPE[v];
  if (!level) bad('interfaceType', '取值为 0（省级）或 1（市级）');
  return level;
}

/** The county-level divisions of Zaozhuang the document lists for callDistrict. */
const DISTRICTS = ['市中区', '薛城区', '峄城区', '台儿庄区', '山亭区', '滕州市'];
/**
 * 4.3.2-4.3.5 print 峄城区 as 峰城区 and 4.3.2 prints 市中区 as 市市区 (4.3.6 and 4.3.7 have them
 * right). Clients written from those tables send the misprints: they are accepted and recorded
 * as the district they mean.
 */
const DISTRICT_MISPRINTS: Readonly<Record<string, string>> = { 峰城区: '峄城区', 市市区: '市中区' };
/** 枣庄市 itself, for calls made at city level (districtLevel 市级), which the list does not name. */
const CITY = '枣庄市';
const DISTRICT_LEVELS = ['市级', '区级', '街镇级'];

interface FieldRule {
  max: number;
  values?: readonly string[];
  pattern?: RegExp;
  rule?: string;
  /** Returns the value to record, or undefined when it is not acceptable. */
  normalise?: (v: string) => string | undefined;
}

/** Lengths are not given by the document except for the reasons (200, checked by the core); these are generous bounds. */
const CALLER_FIELDS: Readonly<Record<string, FieldRule>> = {
  certificateSystemName: { max: 100 },
  certificateCallCategory: { max: 1, values: ['0', '1'], rule: '取值为 0（事项调用）或 1（非事项调用）' },
  certificateMatterName: { max: 200 },
  certificateEventCode: { max: 64, pattern: /^[0-9A-Za-z_-]+$/, rule: '应为字母、数字、_ 或 -' },
  callDistrict: {
    max: 16, rule: `取值为 ${DISTRICTS.join('、')}（或 ${CITY}）`,
    normalise: (v) => (DISTRICTS.includes(v) || v === CITY ? v : DISTRICT_MISPRINTS[v]),
  },
  callDepartment: { max: 100 },
  districtLevel: { max: 8, values: DISTRICT_LEVELS, rule: `取值为 ${DISTRICT_LEVELS.join('、')}` },
  clientInfo_areaCode: { max: 32, pattern: /^[0-9A-Za-z-]+$/, rule: '应为数字或字母' },
  clientInfo_deptCode: { max: 64 },
  clientInfo_operName: { max: 50 },
  deptName: { max: 100 },
  whose: { max: 1, values: ['0', '1'], rule: '取值为 0（个人）或 1（法人）' },
  category: { max: 1, values: ['0', '1'], rule: '取值为 1（证照）或 0（批文）' },
  licenseTypeCode: { max: 21, pattern: /^[0-9A-Z]{18}\d{3}$/, rule: '应为 21 位证照类型代码' },
  operUserName: { max: 50 },
  operTime: { max: 32, normalise: (v) => (isDateTime(v) ? v : undefined), rule: '应为时间，如 2024-04-27 10:15:30' },
  operUserIp: { max: 45, normalise: (v) => (isIP(v) ? v : undefined), rule: '应为 IP 地址' },
};

/** The caller fields that 4.3.2, 4.3.3, 4.3.6 and 4.3.7 require. */
export const CALLER_REQUIRED = ['certificateSystemName', 'certificateCallCategory', 'certificateMatterName', 'certificateEventCode', 'certificateCopyCause'] as const;

/**
 * Reads and checks the caller fields present (every interface takes those its table lists; the
 * others are checked the same way when sent) into the usage record: the matter (事项) as the
 * record's item, the operator, the reason, and the rest under the document's names in `context`.
 */
export function callerContext(p: Params, ctx: CallContext, reasonName: string): void {
  const context: Record<string, string> = { ...ctx.context };
  for (const [name, rule] of Object.entries(CALLER_FIELDS)) {
    let v = p.text(name);
    if (v === undefined) continue;
    if ([...v].length > rule.max) bad(name, `超过 ${rule.max} 个字符`);
    if (rule.values && !rule.values.includes(v)) bad(name, rule.rule ?? `取值为 ${rule.values.join('、')}`);
    if (rule.pattern && !rule.pattern.test(v)) bad(name, rule.rule ?? '格式不正确');
    if (rule.normalise) {
      const n = rule.normalise(v);
      if (n === undefined) bad(name, rule.rule ?? '格式不正确');
      v = n;
    }
    context[name] = v;
  }
  ctx.itemCode = context.certificateEventCode;
  ctx.itemName = context.certificateMatterName;
  ctx.operator = context.operUserName ?? context.clientInfo_operName;
  ctx.reason = p.text(reasonName);
  delete context.certificateEventCode;
  delete context.certificateMatterName;
  ctx.context = context;
  // The core's rule (at most 200 characters), applied before a call is relayed as well.
  checkReason(ctx.reason, false);
}

/**
 * expiryTime of 4.3.2: "yyyy-MM-dd"; the copy is valid through the end of that day (China
 * Standard Time). Undefined when absent; 24 when not such a date.
 */
export function copyExpiryOf(p: Params): number | undefined {
  const v = p.text('expiryTime');
  if (v === undefined) return undefined;
  const d = /^\d{4}-\d{2}-\d{2}$/.test(v) ? parseDate(v) : undefined;
  if (!d) bad('expiryTime', '格式应为 yyyy-MM-dd（如 2021-08-26）');
  return endOfCstDay(d);
}

/** A positive integer parameter within bounds (the reserved paging fields of 4.3.7). */
export function intOf(p: Params, names: string[], dflt: number, max: number): number {
  const v = p.textOf(...names);
  if (v === undefined) return dflt;
  if (!/^\d{1,9}$/.test(v) || Number(v) < 1 || Number(v) > max) bad(names[0]!, `应为 1-${max} 的整数`);
  return Number(v);
}

const DATE_TIME = /^(\d{4})-?(\d{2})-?(\d{2})(?:[ T]?(\d{2}):?(\d{2})(?::?(\d{2})(?:\.\d{1,6})?)?)?(?:Z|[+-]\d{2}:?\d{2})?$/;

/** The forms seen for operation times: 2024-04-27 10:15:30, 2024-04-27T10:15:30+08:00, 20240427101530, 2024-04-27. */
function isDateTime(v: string): boolean {
  const m = DATE_TIME.exec(v);
  if (!m || !parseDate(`${m[1]}-${m[2]}-${m[3]}`)) return false;
  const [h, min, s] = [m[4], m[5], m[6]].map((x) => (x === undefined ? 0 : Number(x)));
  return h! < 24 && min! < 60 && s! < 60;
}
