/**
 * What /readyz reports, for a load balancer deciding whether to send this process traffic: ready
 * when the site's own database answers and carries every migration this code knows. Cheap: one
 * `SELECT 1` and one schema-version read, bounded in time, so a PostgreSQL that hangs makes this
 * process "not ready" within `readinessTimeoutMs` instead of holding the balancer's probe. The
 * demo stores' services are not asked (a demo's Redis being down must not take the course off the
 * balancer); /healthz/services reports them.
 */
import { sql } from 'kysely';
import { withDeadline } from '../../sessions/stores/common/remote-service';
import type { AppContext } from './app-context';
import { schemaVersion } from './database';
import { migrations } from './migrations';
import type { SiteDatabaseKind } from './site-db/open';
import { postgresSchemaVersion } from './site-db/postgres-migrations';

export const readinessTimeoutMs = 2_000;

export interface ReadinessReport {
  status: 'ready' | 'not-ready';
  database: {
    /** Which database holds the site's own data. */
    kind: SiteDatabaseKind;
    answers: boolean;
    /** Migrations applied, and how many this code knows. */
    schemaVersion: number | null;
    migrations: number;
  };
  /** Why the process is not ready, in words; absent when ready. */
  reason?: string;
}

export async function checkReadiness(
  app: Pick<AppContext, 'database' | 'sqliteFile'>,
): Promise<ReadinessReport> {
  const known = migrations.length;
  const { kind, db } = app.database;
  let version: number | null = null;
  let answers: boolean;
  try {
    const probe = async () => {
      const { rows } = await sql<{ one: number }>`SELECT 1 AS one`.execute(db);
      const applied =
        kind === 'postgres' ? await postgresSchemaVersion(db) : schemaVersion(app.sqliteFile);
      return { one: Number(rows[0]?.one), applied };
    };
    const result = await withDeadline(probe(), readinessTimeoutMs, 'no answer in time');
    answers = result.one === 1;
    version = result.applied;
  } catch {
    answers = false;
  }
  const database = { kind, answers, schemaVersion: version, migrations: known };
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
