import { ReturnCode, returnMessage, ServiceError } from '../../domain/return-codes.js';

/** The national head/data envelope (ZWFW C 0124 appendices D-G): status as a string, message from appendix A. */
export interface NationalResponse<T = unknown> {
  head: { status: string; message: string };
  data?: T;
}

export function ok<T>(data: T): NationalResponse<T> {
  return { head: { status: ReturnCode.Success, message: returnMessage(ReturnCode.Success) }, data };
}

export function fail(code: ReturnCode, detail?: string): NationalResponse<never> {
  const message = returnMessage(code);
  return { head: { status: code, message: detail ? `${message}: ${detail}` : message } };
}

/** Canonical input names → this dialect's parameter names, for messages. */
export type FieldNames = Readonly<Record<string, string>>;

export function failFrom(err: unknown, names: FieldNames): NationalResponse<never> {
  if (!(err instanceof ServiceError)) return fail(ReturnCode.Other);
  const about = [err.fields.map((f) => names[f] ?? f).join(', '), err.detail].filter(Boolean).join(' ');
  return fail(err.code, about || undefined);
}
