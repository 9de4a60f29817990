import { ReturnCode, ServiceError } from '../../domain/return-codes.js';
import { sichuanMessage } from './codes.js';

/**
 * The two answer shapes of DB51/T 2942. Most tables answer head/data: head.status and head.message
 * (as the national appendices D-G do). Tables 9 and 11 (encrypted IDs, verification by fields), and
 * by their place table 13, answer ifResult ("0" or the failure's code) and ifResultInfo (the result
 * data on success, the error message otherwise).
 */
export type Shape = 'head' | 'ifResult';

export interface Failure { code: ReturnCode; message: string }

export function failure(code: ReturnCode, detail?: string): Failure {
  const message = sichuanMessage(code);
  return { code, message: detail ? `${message}: ${detail}` : message };
}

/** Canonical input names → the parameter names of the table that was called, for messages. */
export type FieldNames = Readonly<Record<string, string>>;

export function failureFrom(err: unknown, names: FieldNames): Failure {
  if (!(err instanceof ServiceError)) return failure(ReturnCode.Other);
  const about = [err.fields.map((f) => names[f] ?? f).join(', '), err.detail].filter(Boolean).join(' ');
  return failure(err.code, about || undefined);
}

export function render(shape: Shape, f: Failure): Record<string, unknown> {
  return shape === 'head' ? { head: { status: f.code, message: f.message } } : { ifResult: f.code, ifResultInfo: f.message };
}

export const OK_HEAD = { status: ReturnCode.Success, message: sichuanMessage(ReturnCode.Success) } as const;
