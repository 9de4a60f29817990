import type { Command } from 'commander';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadConfig, type ConfigFlags } from '../config.js';
import type { Services } from '../node/services.js';
import { auditLocal, type AuditResult, type SeenLog } from '../core/log-audit.js';
import { auditRemote } from '../federation/log-audit-remote.js';
import { witnessLog } from '../federation/witness.js';

interface Flags extends ConfigFlags { json?: boolean; url?: string; state?: string }

interface Helpers {
  withData(cmd: Command): Command;
  onData<T>(flags: Flags, local: (s: Services) => Promise<T>): Promise<T>;
  out(flags: Flags, value: unknown, human: () => string): void;
}

/** Where a verifier remembers the checkpoints it accepted, by log origin. */
function stateFile(flags: Flags): string {
  if (flags.state) return flags.state;
  if (flags.url) return join(homedir(), '.zhengzhao', 'log-verified.json');
  return join(loadConfig({ data: flags.data }).dataDir, 'log-verified.json');
}

function readState(file: string): Record<string, SeenLog> {
  try { return JSON.parse(readFileSync(file, 'utf8')) as Record<string, SeenLog>; } catch { return {}; }
}

function writeState(file: string, state: Record<string, SeenLog>): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(`${file}.tmp`, JSON.stringify(state, null, 2), { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

/**
 * `log verify`: a node's log checked from its database (every leaf, subtree and record; the latest
 * checkpoint), or with --url over its public HTTP (checkpoint signature, consistency, inclusion);
 * either way consistent with the checkpoint accepted on the previous run. `usage verify` is the same.
 */
export function registerLogCommands(program: Command, usage: Command, h: Helpers): void {
  const action = async (flags: Flags) => {
    const file = stateFile(flags);
    const state = readState(file);
    const seenOf = (origin: string) => state[origin];
    const result: AuditResult & { keys?: string[] } = flags.url
      ? await auditRemote(flags.url, seenOf)
      : await h.onData(flags, (s) => auditLocal(s, seenOf));
    if (!result.problem && result.checkpoint) {
      state[result.origin] = { ...result.checkpoint, ...(result.keys ? { keys: state[result.origin]?.keys ?? result.keys } : {}) };
      writeState(file, state);
    }
    h.out(flags, result, () => result.problem
      ? `log of ${result.origin} BROKEN: ${result.problem.message}${result.checked !== undefined ? ` (${result.checked} leaves before it are intact)` : ''}`
      : `log of ${result.origin} intact${result.checked !== undefined ? `: ${result.checked} leaves recomputed` : ''}; checkpoint ${result.checkpoint ? `size ${result.checkpoint.size}, root ${result.checkpoint.root}` : 'none yet'}`);
    if (result.problem) process.exitCode = 2;
  };
  const log = program.command('log').description("the node's transparency log (RFC 9162 with SM3)");
  h.withData(log.command('witness').description("witness another node's log: check its checkpoint against the last one cosigned, then cosign it; exits 2 and keeps the checkpoint as evidence if it is refused"))
    .requiredOption('--url <url>', "the other node's base URL")
    .action(async (flags: Flags) => {
      const r = await h.onData(flags, (s) => witnessLog(s, flags.url!, (line) => console.error(line)));
      h.out(flags, r, () => (r.problem ? `refused ${r.origin}: ${r.problem}` : `cosigned ${r.origin} at size ${r.size}`));
      if (r.problem) process.exitCode = 2;
    });
  for (const cmd of [log.command('verify'), usage.command('verify')]) {
    h.withData(cmd.description(cmd.parent === log
      ? 'check the log and its latest signed checkpoint, and that it only grew since the last run; exits 2 naming the first problem'
      : 'the same as `log verify` (usage records are leaves of the log)'))
      .option('--url <url>', "check a node over its public HTTP instead of a data directory's database")
      .option('--state <file>', 'where the checkpoints accepted are remembered (default: log-verified.json in the data directory, or ~/.zhengzhao with --url)')
      .action(action);
  }
}
