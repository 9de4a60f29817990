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

export function failFrom(err: unknown): NationalResponse<never> {
  if (err instanceof ServiceError) return fail(err.code, err.detail);
  return fail(ReturnCode.Other);
}
