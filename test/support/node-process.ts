import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Backend } from './backends.js';

const ROOT = new URL('../..', import.meta.url).pathname;
/**
 * The command line the tests run: the compiled one when the runner has just built it
 * (scripts/run-tests.mjs sets ZHENGZHAO_TEST_COMPILED after `tsc`), which starts about a second
 * sooner than the sources through tsx, a second the suite pays a few hundred times; the sources
 * otherwise, so a test run on its own never meets a stale build.
 */
export const ENTRY = process.env.ZHENGZHAO_TEST_COMPILED === '1' ? [`${ROOT}dist/cli/main.js`] : ['--import', 'tsx', `${ROOT}src/cli/main.ts`];

export interface RunningNode {
  baseUrl: string;
  info: Record<string, unknown>;
  process: ChildProcess;
  stop(): Promise<void>;
}

const dataFlags = (b: Backend) => ['--data', b.dataDir, ...(b.databaseUrl ? ['--database-url', b.databaseUrl] : [])];

/** Starts `zhengzhao serve` as a real process on a free port and waits for its JSON line. */
export function startNode(b: Backend, extra: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<RunningNode> {
  return startProcess([...ENTRY, 'serve', '--port', '0', '--json', ...dataFlags(b), ...extra], env);
}

/** Starts test/support/yrd-peer-node.ts: a node with the YRD peer face on a test handler map. */
export function startYrdPeerNode(b: Backend, env: NodeJS.ProcessEnv = {}): Promise<RunningNode> {
  return startProcess(['--import', 'tsx', `${ROOT}test/support/yrd-peer-node.ts`, ...dataFlags(b)], env);
}

async function startProcess(args: string[], env: NodeJS.ProcessEnv): Promise<RunningNode> {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // A node outlives its test only by mistake (a before hook that failed half way never stops it): it ends with the test process.
  const orphaned = () => child.kill('SIGKILL');
  process.once('exit', orphaned);
  child.once('exit', () => process.off('exit', orphaned));
  let stderr = '';
  child.stderr!.on('data', (d) => { stderr += d; });
  const info = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node did not start in 60 s: ${stderr}`)), 60_000);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`node exited with ${code}: ${stderr}`)); });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.startsWith('{')) return;
      clearTimeout(timer);
      resolve(JSON.parse(line) as Record<string, unknown>);
    });
  });
  child.removeAllListeners('exit');
  return {
    baseUrl: info.baseUrl as string,
    info,
    process: child,
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

/** Runs the command line against the backend's data (opened directly, beside any node running on it), with a node's settings in env. */
export function cli(b: Backend | undefined, args: string[], input?: string, env: NodeJS.ProcessEnv = {}): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [...ENTRY, ...args, ...(b ? dataFlags(b) : [])], {
    cwd: ROOT, encoding: 'utf8', input, env: { ...process.env, LOG_LEVEL: 'warn', ...env }, timeout: 120_000, maxBuffer: 1 << 28,
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** cli() without blocking this process (for a command that calls back a server this process runs). */
export function cliAsync(b: Backend | undefined, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...ENTRY, ...args, ...(b ? dataFlags(b) : [])], {
      cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => { stdout += d; });
    child.stderr!.on('data', (d) => { stderr += d; });
    child.on('exit', (code) => resolve({ status: code ?? -1, stdout, stderr }));
  });
}
