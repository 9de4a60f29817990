import type { FastifyInstance } from 'fastify';
import type { Db } from '../store/db.js';
import { pendingMigrations } from '../store/migrate.js';

/**
 * What a starting node still has to do before it serves (the demo data, when asked for): the
 * command that starts it says what to wait for, and says when each is done.
 */
export class StartupTasks {
  private readonly waiting = new Set<string>();

  expect(task: string): void { this.waiting.add(task); }
  done(task: string): void { this.waiting.delete(task); }
  pending(): string[] { return [...this.waiting]; }
}

export interface Readiness {
  ready: boolean;
  database: 'reachable' | 'unreachable';
  /** Versions not applied yet. */
  migrationsPending: number[];
  startupPending: string[];
}

const DB_TIMEOUT_MS = 2000;

/** Whether the node can serve: its database answers within 2 s, every migration is applied, and its start-up tasks are done. */
export async function readiness(db: Db, startup?: StartupTasks): Promise<Readiness> {
  let database: Readiness['database'] = 'reachable';
  let migrationsPending: number[] = [];
  let timer: NodeJS.Timeout | undefined;
  try {
    migrationsPending = await Promise.race([
      pendingMigrations(db),
      new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${DB_TIMEOUT_MS} ms`)), DB_TIMEOUT_MS); }),
    ]);
  } catch {
    // What failed (an address, a server's message) is not told to whoever asks.
    database = 'unreachable';
  } finally {
    clearTimeout(timer);
  }
  const startupPending = startup?.pending() ?? [];
  return { ready: database === 'reachable' && migrationsPending.length === 0 && startupPending.length === 0, database, migrationsPending, startupPending };
}

/** GET /healthz: the process answers (liveness). GET /readyz: 200 when `readiness` holds, else 503 with what is missing. */
export function healthRoutes(app: FastifyInstance, db: Db, startup?: StartupTasks): void {
  app.get('/healthz', async () => ({ ok: true }));
  app.get('/readyz', async (_req, reply) => {
    const r = await readiness(db, startup);
    return reply.code(r.ready ? 200 : 503).send(r);
  });
}
