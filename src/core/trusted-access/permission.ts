import { typeCodeRule } from '../../domain/catalog-rules.js';

/**
 * What a trusted token lets its bearer do (table 9 `permission`, a string the seed leaves undefined):
 *
 *   permission = operations "@" types
 *   operations = "*" | operation *("," operation)
 *   operation  = "retrieve" | "download" | "info" | "usage" | "code"
 *   types      = "*" | type-code *("," type-code)      ; ZWFW C 0123 codes, 18 + 3 characters
 *
 * retrieve: table 1; download: tables 2-3; info: tables 4-5; usage: the holder's view of the uses of
 * their certificates; code: issuing the holder's government service code. Example:
 * `retrieve,info@111000000000131433001` lets the bearer find and read one marriage certificate type.
 * No whitespace, no empty items; operations and types are kept sorted and without repeats.
 */
export const OPERATIONS = ['retrieve', 'download', 'info', 'usage', 'code'] as const;
export type Operation = typeof OPERATIONS[number];

export interface Permission {
  operations: ReadonlySet<Operation> | 'all';
  types: ReadonlySet<string> | 'all';
}

/** What a token gets when the request names no permission: the three sharing operations on every type. */
export const DEFAULT_PERMISSION = 'download,info,retrieve@*';

const MAX_LENGTH = 2048;

export type PermissionParse = { ok: true; permission: Permission; text: string } | { ok: false; message: string };

export function parsePermission(text: string): PermissionParse {
  if (text.length === 0 || text.length > MAX_LENGTH) return { ok: false, message: `must be 1-${MAX_LENGTH} characters` };
  const parts = text.split('@');
  if (parts.length !== 2) return { ok: false, message: 'must be operations@types, e.g. retrieve,info@*' };
  const [ops, types] = parts as [string, string];
  let operations: Set<Operation> | 'all';
  if (ops === '*') operations = 'all';
  else {
    operations = new Set();
    for (const op of ops.split(',')) {
      if (!(OPERATIONS as readonly string[]).includes(op)) return { ok: false, message: `unknown operation "${op}"; use ${OPERATIONS.join(', ')} or *` };
      operations.add(op as Operation);
    }
  }
  let typeSet: Set<string> | 'all';
  if (types === '*') typeSet = 'all';
  else {
    typeSet = new Set();
    for (const t of types.split(',')) {
      if (typeCodeRule(t)) return { ok: false, message: `"${t}" is not a certificate type code (18 + 3 characters, ZWFW C 0123)` };
      typeSet.add(t);
    }
  }
  const permission = { operations, types: typeSet };
  return { ok: true, permission, text: formatPermission(permission) };
}

/** The canonical text (sorted, no repeats): what a token carries. */
export function formatPermission(p: Permission): string {
  const ops = p.operations === 'all' ? '*' : [...p.operations].sort().join(',');
  const types = p.types === 'all' ? '*' : [...p.types].sort().join(',');
  return `${ops}@${types}`;
}

export function allowsOperation(p: Permission, op: Operation): boolean {
  return p.operations === 'all' || p.operations.has(op);
}

export function allowsType(p: Permission, typeCode: string): boolean {
  return p.types === 'all' || p.types.has(typeCode);
}
