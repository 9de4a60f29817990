/** The portal API (docs/portal.md): same-origin fetches; changes carry the session's CSRF token. */
let csrf = '';

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) { super(message); }
}

export function setCsrf(token: string): void {
  csrf = token;
}

async function call<T>(method: string, path: string, body?: unknown): Promise<Response> {
  const res = await fetch(`/portal/api${path}`, {
    method, credentials: 'same-origin',
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(method !== 'GET' ? { 'x-csrf-token': csrf } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) {
    let code = 'error';
    let message = `HTTP ${res.status}`;
    try {
      const j = (await res.json()) as { error?: { code: string; message: string } };
      if (j.error) ({ code, message } = j.error);
    } catch { /* not JSON: the status says it */ }
    throw new ApiError(res.status, code, message);
  }
  return res;
}

export const getJson = async <T>(path: string): Promise<T> => (await (await call('GET', path)).json()) as T;
export const postJson = async <T>(path: string, body: unknown = {}): Promise<T> => (await (await call('POST', path, body)).json()) as T;
export const postBlob = async (path: string, body: unknown): Promise<Blob> => (await call('POST', path, body)).blob();
