import type { Db } from './db.js';

/**
 * The advisory lock key every node process takes for its first-start work; any fixed 64-bit number
 * serves, as long as all processes use the same one ('zhzhstrt' in ASCII).
 */
const STARTUP_LOCK_KEY = '8820434459237315188';

/**
 * Runs first-start work (migrations, the node's keys, demo data) while holding a PostgreSQL advisory
 * lock, so processes that start together on one database do it one after another: the first does
 * it, the others find it done. Without the lock two processes racing through `create table` fail on
 * pg_type's unique index, and both make a "current" signing key.
 *
 * The lock belongs to a transaction held open on one connection of the pool while `work` runs on
 * the others (it is released with that transaction, also when the process dies), so the pool needs
 * at least two connections.
 *
 * @example await underStartupLock(db, async () => { await migrate(db); await nodeKeys.init(); });
 */
export async function underStartupLock<T>(db: Db, work: () => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1::bigint)', [STARTUP_LOCK_KEY]);
    return work();
  });
}
