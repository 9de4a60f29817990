import type { Certificate, FieldDefinition } from './model.js';
import { formatChineseDate } from './dates.js';

/**
 * How a certificate type's files look (版式模板): the title, which surface fields appear in which
 * order and under which label, and the lines at the foot. Types without one use the default layout:
 * the type name, every surface field as issued, the issuer and the issue date.
 *
 * Footer lines may hold {issuer}, {issueDate}, {validFrom}, {validTo} and {number}.
 */
export interface LayoutTemplate {
  title?: string;
  fields?: { column: string; label?: string }[];
  footer?: string[];
}

const PLACEHOLDERS = ['issuer', 'issueDate', 'validFrom', 'validTo', 'number'] as const;
const MAX_TEXT = 200;

/** Checks a template against the type's fields; answers the template or the reasons it is refused. */
export function parseLayoutTemplate(input: unknown, fields: FieldDefinition[]): { ok: true; template: LayoutTemplate } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  if (!input || typeof input !== 'object' || Array.isArray(input)) return { ok: false, problems: ['a layout template is a JSON object'] };
  const t = input as Record<string, unknown>;
  for (const k of Object.keys(t)) if (!['title', 'fields', 'footer'].includes(k)) problems.push(`unknown key "${k}" (title, fields, footer)`);
  const text = (v: unknown, where: string) => {
    if (typeof v !== 'string' || v.trim() === '' || [...v].length > MAX_TEXT) problems.push(`${where}: text of 1-${MAX_TEXT} characters`);
  };
  if (t.title !== undefined) text(t.title, 'title');
  const columns = new Set(fields.map((f) => f.columnName));
  if (t.fields !== undefined) {
    if (!Array.isArray(t.fields) || t.fields.length === 0) problems.push('fields: a non-empty list of {column, label?}');
    else {
      const seen = new Set<string>();
      t.fields.forEach((f: unknown, i) => {
        const column = f && typeof f === 'object' ? (f as { column?: unknown }).column : undefined;
        if (typeof column !== 'string' || !columns.has(column)) problems.push(`fields[${i}].column: one of the type's fields (${[...columns].join(', ') || 'the type has none'})`);
        else if (seen.has(column)) problems.push(`fields[${i}].column: ${column} appears twice`);
        else seen.add(column);
        const label = (f as { label?: unknown } | undefined)?.label;
        if (label !== undefined) text(label, `fields[${i}].label`);
      });
    }
  }
  if (t.footer !== undefined) {
    if (!Array.isArray(t.footer) || t.footer.length > 4) problems.push('footer: a list of at most 4 lines');
    else t.footer.forEach((line: unknown, i) => {
      text(line, `footer[${i}]`);
      if (typeof line === 'string') for (const m of line.matchAll(/\{(\w+)\}/g)) {
        if (!(PLACEHOLDERS as readonly string[]).includes(m[1]!)) problems.push(`footer[${i}]: unknown placeholder {${m[1]}} (${PLACEHOLDERS.map((p) => `{${p}}`).join(' ')})`);
      }
    });
  }
  return problems.length ? { ok: false, problems } : { ok: true, template: t as LayoutTemplate };
}

export interface LaidOut {
  title: string;
  fields: { name: string; value: string; valueType: 'string' | 'picture' }[];
  footer: string[];
}

/** What the page shows for a certificate, under its type's template or the default layout. */
export function layOut(c: Certificate, template?: LayoutTemplate): LaidOut {
  const byColumn = new Map(c.surface.map((s) => [s.columnName, s]));
  const listed = (template?.fields ?? []).flatMap((f) => {
    const s = byColumn.get(f.column);
    return s ? [{ name: f.label ?? s.name, value: s.value, valueType: s.valueType }] : [];
  });
  // A certificate that has none of the listed fields (one imported with another field set) shows all it has.
  const fields = listed.length > 0 ? listed : c.surface.map((s) => ({ name: s.name, value: s.value, valueType: s.valueType }));
  const values: Record<(typeof PLACEHOLDERS)[number], string> = {
    issuer: c.issuer.name, issueDate: formatChineseDate(c.issueDate), number: c.number,
    validFrom: c.validFrom ? formatChineseDate(c.validFrom) : '', validTo: c.validTo ? formatChineseDate(c.validTo) : '长期',
  };
  const footer = template?.footer
    ? template.footer.map((line) => line.replace(/\{(\w+)\}/g, (_, k: string) => values[k as keyof typeof values] ?? ''))
    : [c.issuer.name, values.issueDate];
  return { title: template?.title ?? c.typeName, fields, footer };
}
