import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AccountScheme } from '../store/accounts.js';

export interface TokenFlags { id: string; secret?: string; appendixC?: boolean; fromCredentials?: string | boolean }

/** The demo's credentials file: the one named, else DIR/demo-credentials.json of ZHENGZHAO_DATA or ./data. */
function credentialsFile(given: string | boolean): string {
  return typeof given === 'string' ? given : join(resolve(process.env.ZHENGZHAO_DATA ?? './data'), 'demo-credentials.json');
}

/**
 * The scheme (and secret) `zhengzhao token` computes with. The scheme is never guessed: an account
 * without its secret is not taken for an appendix C account (its token is of another kind, and the
 * node answers a bare 11), so it is said with --secret, --appendix-c, or looked up in the demo's
 * credentials file.
 */
export function tokenAccount(flags: TokenFlags): { scheme: AccountScheme; secret?: string } {
  if (flags.secret !== undefined && flags.appendixC) throw new Error('--secret and --appendix-c: give one (an appendix C token has no secret)');
  if (flags.secret !== undefined) {
    if (flags.secret === '') throw new Error(`account ${flags.id}: --secret is empty (is the variable you passed set?)`);
    return { scheme: 'hmac-sm3', secret: flags.secret };
  }
  if (flags.appendixC) return { scheme: 'appendix-c' };
  if (flags.fromCredentials) {
    const file = credentialsFile(flags.fromCredentials);
    if (!existsSync(file)) throw new Error(`${file} does not exist: run \`npm start\` first, or give --secret`);
    const demo = JSON.parse(readFileSync(file, 'utf8')) as { national?: { accountId?: string; secret?: string; appendixC?: { accountId?: string } } };
    if (demo.national?.accountId === flags.id && demo.national.secret) return { scheme: 'hmac-sm3', secret: demo.national.secret };
    if (demo.national?.appendixC?.accountId === flags.id) return { scheme: 'appendix-c' };
    throw new Error(`account ${flags.id} is not in ${file}`);
  }
  throw new Error(`account ${flags.id}: give its secret (--secret, hmac-sm3 accounts), --appendix-c for an appendix C account, or --from-credentials for the demo's`);
}
