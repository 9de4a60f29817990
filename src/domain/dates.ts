/** Calendar dates, stored as ISO 'YYYY-MM-DD' and rendered per dialect. */
export type IsoDate = string;

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function isRealDate(y: number, m: number, d: number): boolean {
  if (y < 1000 || y > 9999 || m < 1 || m > 12 || d < 1) return false;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d <= days;
}

const FORMS: RegExp[] = [
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$/,
  /^(\d{4})\/(\d{1,2})\/(\d{1,2})$/,
  /^(\d{4})(\d{2})(\d{2})$/,
  /^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$/,
];

/** Accepts the written forms seen in the standards; undefined when not a real calendar date. */
export function parseDate(input: string): IsoDate | undefined {
  const s = input.trim();
  for (const re of FORMS) {
    const m = re.exec(s);
    if (!m) continue;
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    return isRealDate(y, mo, d) ? `${y}-${pad(mo)}-${pad(d)}` : undefined;
  }
  return undefined;
}

const LONG_TERM = new Set(['长期', '长期有效', '永久', '永久有效', '9999-12-31', '99991231']);

export function isLongTerm(input: string): boolean {
  return LONG_TERM.has(input.trim());
}

/** National rendering: '2014年3月4日'. */
export function formatChineseDate(d: IsoDate): string {
  const [y, m, day] = d.split('-');
  return `${Number(y)}年${Number(m)}月${Number(day)}日`;
}

/** The tables' form 'YYYY年MM月DD日', zero-padded (DB51/T 2942 tables 2-8, DB3704/T 0042 city level): '2014年03月04日'. */
export function formatPaddedChineseDate(d: IsoDate): string {
  const [y, m, day] = d.split('-');
  return `${y}年${m}月${day}日`;
}

const CST_OFFSET_MS = 8 * 3600 * 1000;

/** The calendar date in China Standard Time (UTC+8, no daylight saving). */
export function cstDate(instant: Date): IsoDate {
  return new Date(instant.getTime() + CST_OFFSET_MS).toISOString().slice(0, 10);
}

/** 'yyyyMMdd' in China Standard Time, as the national AccessToken uses. */
export function cstCompactDate(instant: Date): string {
  return cstDate(instant).replaceAll('-', '');
}

export function addDays(d: IsoDate, days: number): IsoDate {
  const t = Date.parse(`${d}T00:00:00Z`) + days * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

export function compareDates(a: IsoDate, b: IsoDate): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
