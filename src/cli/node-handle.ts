import { existsSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Config } from '../config.js';

/**
 * How a remote operator (and later the console) reaches a node's admin API: its address and bearer
 * token, in `DATA/secrets/node.json` (0600). Local commands do not use it: they open the database
 * directly, beside any running node.
 */
export interface NodeHandle { pid: number; url: string; token: string }

const handlePath = (cfg: Config) => join(cfg.dataDir, 'secrets', 'node.json');

/**
 * The admin API's token: ZHENGZHAO_ADMIN_TOKEN, or one generated once per data directory and kept in
 * `DATA/secrets/admin-token` (0600), so every node process of the directory accepts the same one.
 */
export function adminToken(cfg: Config, env: NodeJS.ProcessEnv = process.env): string {
  if (env.ZHENGZHAO_ADMIN_TOKEN) return env.ZHENGZHAO_ADMIN_TOKEN;
  mkdirSync(join(cfg.dataDir, 'secrets'), { recursive: true, mode: 0o700 });
  const file = join(cfg.dataDir, 'secrets', 'admin-token');
  try {
    writeFileSync(file, randomBytes(24).toString('base64url') + '\n', { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return readFileSync(file, 'utf8').trim();
}

/**
 * The log auditors' credential (GET /log/leaf/<index>): ZHENGZHAO_AUDITOR_TOKEN, or one generated
 * once per data directory in `DATA/secrets/auditor-token` (0600), to be handed to the auditors.
 */
export function auditorToken(cfg: Config, env: NodeJS.ProcessEnv = process.env): string {
  if (env.ZHENGZHAO_AUDITOR_TOKEN) return env.ZHENGZHAO_AUDITOR_TOKEN;
  mkdirSync(join(cfg.dataDir, 'secrets'), { recursive: true, mode: 0o700 });
  const file = join(cfg.dataDir, 'secrets', 'auditor-token');
  try {
    writeFileSync(file, randomBytes(24).toString('base64url') + '\n', { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return readFileSync(file, 'utf8').trim();
}

/** Written by each node as it starts listening: with several nodes on one directory, the latest one's address. */
export function writeNodeHandle(cfg: Config, url: string, token: string): NodeHandle {
  mkdirSync(join(cfg.dataDir, 'secrets'), { recursive: true, mode: 0o700 });
  const handle = { pid: process.pid, url, token };
  writeFileSync(handlePath(cfg), JSON.stringify(handle) + '\n', { mode: 0o600 });
  return handle;
}

/** Removes the handle if it is this process's own (another node may have written its address since). */
export function removeNodeHandle(cfg: Config): void {
  const path = handlePath(cfg);
  try {
    if (existsSync(path) && (JSON.parse(readFileSync(path, 'utf8')) as NodeHandle).pid === process.pid) rmSync(path, { force: true });
  } catch { /* unreadable: leave it */ }
}
