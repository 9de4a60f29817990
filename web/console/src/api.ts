/**
 * The console's only way to the node: its documented API under /console/api (docs/console.md).
 * The session is an HttpOnly cookie the page never sees; every change carries the CSRF token the
 * session answers with. A failed call throws ApiError with the API's own message, which the form
 * that made the call shows in place.
 */
import { reactive } from 'vue';

export interface Operator { account: string; name: string; role: 'administrator' | 'issuer' | 'auditor'; orgCode?: string; orgName?: string }

export const session = reactive<{ operator?: Operator; csrfToken?: string; checked: boolean; ended: boolean }>({ checked: false, ended: false });

export class ApiError extends Error {
  constructor(readonly status: number, message: string) { super(message); }
}

const ROOT = '/console/api';

export async function call<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && session.csrfToken) headers['x-csrf-token'] = session.csrfToken;
  const res = await fetch(ROOT + path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let data: unknown = undefined;
  try { data = text ? JSON.parse(text) : undefined; } catch { data = text; }
  if (!res.ok) {
    const message = (data as { error?: string } | undefined)?.error ?? `HTTP ${res.status}`;
    if (res.status === 401 && path !== '/session') { session.operator = undefined; session.ended = true; }
    throw new ApiError(res.status, message);
  }
  return data as T;
}

/** A binary answer (a PDF preview, a file, the CSV export) as a Blob. */
export async function blob(method: string, path: string, body?: unknown): Promise<Blob> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && session.csrfToken) headers['x-csrf-token'] = session.csrfToken;
  const res = await fetch(ROOT + path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  if (!res.ok) {
    let message = `HTTP ${res.status}`;
    try { message = ((await res.json()) as { error?: string }).error ?? message; } catch { /* not JSON */ }
    throw new ApiError(res.status, message);
  }
  return res.blob();
}

export async function restoreSession(): Promise<void> {
  try {
    const s = await call<{ operator: Operator | null; csrfToken?: string }>('GET', '/session');
    session.operator = s.operator ?? undefined;
    session.csrfToken = s.csrfToken;
  } catch { session.operator = undefined; }
  session.checked = true;
}

export async function signIn(account: string, password: string): Promise<void> {
  const s = await call<{ operator: Operator; csrfToken: string }>('POST', '/session', { account, password });
  session.operator = s.operator;
  session.csrfToken = s.csrfToken;
  session.ended = false;
}

export async function signOut(): Promise<void> {
  try { await call('DELETE', '/session'); } finally {
    session.operator = undefined;
    session.csrfToken = undefined;
  }
}

export const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));
