/**
 * Counts rows in a running site's own database, from outside, as another process would: the
 * SQLite file in its DATA_DIR, or the PostgreSQL its DATABASE_URL names. Queries use `$1`, `$2` …
 * for parameters, which both databases read (`?1` in SQLite).
 */
import Database from 'better-sqlite3';
import path from 'node:path';
import pg from 'pg';

export async function countSiteRows(
  site: { dataDir: string; databaseUrl: string | null },
  sql: string,
  parameters: unknown[] = [],
): Promise<number> {
  if (site.databaseUrl !== null) {
    const client = new pg.Client({ connectionString: site.databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ count: string }>(
        `SELECT (${sql}) AS count`,
        parameters,
      );
      return Number(rows[0]?.count ?? 0);
    } finally {
      await client.end();
    }
  }
  const db = new Database(path.join(site.dataDir, 'session-lab.sqlite'), {
    readonly: true,
    fileMustExist: true,
  });
  try {
    const statement = db.prepare(`SELECT (${sql.replace(/\$(\d+)/g, '?$1')}) AS count`);
    return Number((statement.get(...parameters) as { count: number }).count);
  } finally {
    db.close();
  }
}
