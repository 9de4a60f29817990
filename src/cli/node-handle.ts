import { existsSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Config } from '../config.js';

/** What a running node leaves in its data directory so commands can reach it instead of opening PGlite. */
export interface NodeHandle { pid: number; url: string; token: string }

const handlePath = (cfg: Config) => join(cfg.dataDir, 'secrets', 'node.json');

export function newAdminToken(): string {
  return randomBytes(24).toString('base64url');
}

export function writeNodeHandle(cfg: Config, url: string, token: string): NodeHandle {
  mkdirSync(join(cfg.dataDir, 'secrets'), { recursive: true, mode: 0o700 });
  const handle = { pid: process.pid, url, token };
  writeFileSync(handlePath(cfg), JSON.stringify(handle) + '\n', { mode: 0o600 });
  return handle;
}

export function removeNodeHandle(cfg: Config): void {
  rmSync(handlePath(cfg), { force: true });
}

/** The handle of a live node on this data directory, if any (a stale file from a killed node is ignored). */
export function liveNodeHandle(cfg: Config): NodeHandle | undefined {
  const path = handlePath(cfg);
  if (!existsSync(path)) return undefined;
  try {
    const h = JSON.parse(readFileSync(path, 'utf8')) as NodeHandle;
    process.kill(h.pid, 0);
    return h;
  } catch {
    return undefined;
  }
}

export async function adminCall<T>(h: NodeHandle, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${h.url}/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${h.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = (await res.json()) as T & { error?: string };
  if (!res.ok) throw new Error(json.error ?? `admin API answered ${res.status}`);
  return json;
}
