/**
 * What /readyz reports, for a load balancer deciding whether to send this process traffic: ready
 * when the site's own database answers and carries every migration this code knows. Cheap: one
 * `SELECT 1` and one pragma on the embedded database, no network. The stores' services are not
 * asked (a demo's Redis being down must not take the course off the balancer); /healthz reports
 * them.
 */
import type { AppContext } from './app-context';
import { schemaVersion } from './database';
import { migrations } from './migrations';

export interface ReadinessReport {
  status: 'ready' | 'not-ready';
  database: {
    /** Which database holds the site's own data. */
    kind: 'sqlite';
    answers: boolean;
    /** Migrations applied, and how many this code knows. */
    schemaVersion: number | null;
    migrations: number;
  };
  /** Why the process is not ready, in words; absent when ready. */
  reason?: string;
}

export function checkReadiness(app: Pick<AppContext, 'db'>): ReadinessReport {
  const known = migrations.length;
  let version: number | null = null;
  let answers: boolean;
  try {
    // better-sqlite3 is synchronous: this cannot hang on a network, only fail.
    answers = (app.db.prepare('SELECT 1 AS one').get() as { one: number } | undefined)?.one === 1;
    version = schemaVersion(app.db);
  } catch {
    answers = false;
  }
  const database = { kind: 'sqlite' as const, answers, schemaVersion: version, migrations: known };
  if (!answers) return { status: 'not-ready', database, reason: 'the database does not answer' };
  if (version !== known) {
    return {
      status: 'not-ready',
      database,
      reason: `the database schema is at version ${version}; this code needs ${known}`,
    };
  }
  return { status: 'ready', database };
}
