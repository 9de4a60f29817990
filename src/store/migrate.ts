import type { Db } from './db.js';
import { sql as initial } from './migrations/001-initial.js';
import { sql as nodeCertificates } from './migrations/002-node-certificates.js';
import { sql as sessions } from './migrations/003-sessions.js';
import { sql as issuing } from './migrations/004-issuing.js';
import { sql as using } from './migrations/005-using.js';
import { sql as seals } from './migrations/006-seals.js';
import { sql as sichuan } from './migrations/007-sichuan.js';
import { sql as zaozhuang } from './migrations/008-zaozhuang.js';
import { sql as frontDb } from './migrations/009-front-db.js';
import { sql as layoutTemplates } from './migrations/011-layout-templates.js';
import { sql as federation } from './migrations/010-federation.js';
import { sql as yrdTrust } from './migrations/012-yrd-trust.js';
import { sql as yrdEnvelope } from './migrations/013-yrd-envelope.js';
import { sql as writeAuthority } from './migrations/014-write-authority.js';
import { sql as licDataErrorSource } from './migrations/015-lic-data-error-source.js';
import { sql as suspendResume } from './migrations/016-suspend-resume.js';
import { sql as rateCounts } from './migrations/017-rate-counts.js';
import { sql as transparencyLog, run as importIntoLog } from './migrations/018-transparency-log.js';
import { sql as consoleOperators } from './migrations/019-console-operators.js';
import { sql as holderPortal } from './migrations/020-holder-portal.js';
import { sql as personalDataSealed } from './migrations/021-personal-data-sealed.js';
import { sql as catalogEvents } from './migrations/022-catalog-events.js';
import type { Queryable } from './db.js';

/**
 * Versioned migrations, applied in order on start; each runs in its own transaction: its SQL, then
 * its `run` step where it has one (data that SQL alone cannot compute, such as SM3 hashes).
 */
export const MIGRATIONS: readonly { version: number; name: string; sql: string; run?: (tx: Queryable) => Promise<void> }[] = [
  { version: 1, name: 'initial', sql: initial },
  { version: 2, name: 'node-certificates', sql: nodeCertificates },
  { version: 3, name: 'sessions', sql: sessions },
  { version: 4, name: 'issuing', sql: issuing },
  { version: 5, name: 'using', sql: using },
  { version: 6, name: 'seals', sql: seals },
  { version: 7, name: 'sichuan', sql: sichuan },
  { version: 8, name: 'zaozhuang', sql: zaozhuang },
  { version: 9, name: 'front-db', sql: frontDb },
  { version: 10, name: 'federation', sql: federation },
  { version: 11, name: 'layout-templates', sql: layoutTemplates },
  { version: 12, name: 'yrd-trust', sql: yrdTrust },
  { version: 13, name: 'yrd-envelope', sql: yrdEnvelope },
  { version: 14, name: 'write-authority', sql: writeAuthority },
  { version: 15, name: 'lic-data-error-source', sql: licDataErrorSource },
  { version: 16, name: 'suspend-resume', sql: suspendResume },
  { version: 17, name: 'rate-counts', sql: rateCounts },
  { version: 18, name: 'transparency-log', sql: transparencyLog, run: importIntoLog },
  { version: 19, name: 'console-operators', sql: consoleOperators },
  { version: 20, name: 'holder-portal', sql: holderPortal },
  { version: 21, name: 'personal-data-sealed', sql: personalDataSealed },
  { version: 22, name: 'catalog-events', sql: catalogEvents },
];

/** The migrations this database has not had (all of them when it has none): empty once it is up to date. */
export async function pendingMigrations(db: Db): Promise<number[]> {
  const [table] = await db.query<{ name: string | null }>(`select to_regclass('schema_migrations')::text as name`);
  if (!table?.name) return MIGRATIONS.map((m) => m.version);
  const done = new Set((await db.query<{ version: number }>('select version from schema_migrations')).map((r) => r.version));
  return MIGRATIONS.filter((m) => !done.has(m.version)).map((m) => m.version);
}

/** @param upTo stop after this version (tests of a migration's data step). */
export async function migrate(db: Db, upTo = Infinity): Promise<number[]> {
  await db.exec(`create table if not exists schema_migrations (
    version int primary key, name text not null, applied_at timestamptz not null default now())`);
  const done = new Set(
    (await db.query<{ version: number }>('select version from schema_migrations')).map((r) => r.version),
  );
  const applied: number[] = [];
  for (const m of MIGRATIONS) {
    if (done.has(m.version) || m.version > upTo) continue;
    await db.transaction(async (tx) => {
      // exec() cannot run inside the transaction callback on both back ends, so split statements.
      for (const statement of splitStatements(m.sql)) await tx.query(statement);
      await m.run?.(tx);
      await tx.query('insert into schema_migrations (version, name) values ($1, $2)', [m.version, m.name]);
    });
    applied.push(m.version);
  }
  return applied;
}

/** Splits on semicolons that end a line; our migrations keep one statement per terminated line. */
function splitStatements(sql: string): string[] {
  return sql
    .split(/;\s*$/m)
    .map((s) => s.replace(/--[^\n]*$/gm, '').trim())
    .filter((s) => s.length > 0);
}
