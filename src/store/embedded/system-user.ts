import { spawnSync } from 'node:child_process';
import { chmodSync, statSync } from 'node:fs';
import { dirname, parse } from 'node:path';

/**
 * Who runs the embedded server. PostgreSQL refuses to run as root (it would give every SQL
 * superuser the machine), so a node started as root runs it as a dedicated system account,
 * created on first need; an ordinary user runs it as itself.
 */
export interface ServerAccount {
  /** undefined: this process's own user. */
  uid?: number;
  gid?: number;
  name: string;
}

export const SYSTEM_USER = 'zhengzhao-pg';

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

function lookup(name: string): { uid: number; gid: number } | undefined {
  const r = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  const g = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  return { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) };
}

/** The account the server runs as; as root, the system user (made when missing, which `notice` reports). */
export function serverAccount(notice: (m: string) => void): ServerAccount {
  if (!isRoot()) return { name: process.env.USER ?? 'this user' };
  let ids = lookup(SYSTEM_USER);
  if (!ids) {
    const r = spawnSync('useradd', ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', '--comment', 'zhengzhao embedded PostgreSQL', SYSTEM_USER], { encoding: 'utf8' });
    if (r.error || r.status !== 0) {
      throw new Error(`running as root, the embedded PostgreSQL needs the system user ${SYSTEM_USER}, and creating it failed (${r.error?.message ?? r.stderr.trim()}); create it, or run as an ordinary user, or give an external server with DATABASE_URL`);
    }
    ids = lookup(SYSTEM_USER);
    if (!ids) throw new Error(`useradd reported success but user ${SYSTEM_USER} is not found`);
    notice(`running as root: PostgreSQL refuses root, so created the system user ${SYSTEM_USER} (uid ${ids.uid}) to run the embedded server`);
  }
  return { ...ids, name: SYSTEM_USER };
}

/**
 * As root, the server's account must be able to pass through every directory above the cluster
 * and the binaries. Directories it cannot pass get the search bit for others (o+x: pass, not
 * list); the changed ones are returned so the first start can say so.
 */
export function letAccountReach(account: ServerAccount, path: string): string[] {
  if (account.uid === undefined) return [];
  const changed: string[] = [];
  const root = parse(path).root;
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    const st = statSync(dir);
    const passes = st.uid === account.uid ? st.mode & 0o100 : st.gid === account.gid ? st.mode & 0o010 : st.mode & 0o001;
    if (!passes) {
      chmodSync(dir, st.mode | 0o001);
      changed.push(dir);
    }
    if (dir === root) break;
  }
  return changed;
}
