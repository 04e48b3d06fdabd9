/**
 * Moving a course up from one machine to several: copies the site's own data from a SQLite file
 * (a DATA_DIR's session-lab.sqlite) into PostgreSQL. Every row keeps its key, and a row already
 * there is left alone (ON CONFLICT DO NOTHING), so the copy can run again, after a failure or a
 * last-minute change, and only adds what is missing. Quiz attempt ids are kept, since result links
 * carry them; the id sequence is then moved past the highest, so new attempts do not collide.
 *
 * The SQLite lesson's demo sessions are not copied: that demo keeps them in each machine's own
 * file by design.
 */
import { sql } from 'kysely';
import type { Database as SqliteFile } from 'better-sqlite3';
import type { SiteDb } from './open';
import { siteTableNames, type SiteTables } from './tables';

export interface TableCopy {
  table: keyof SiteTables;
  /** Rows in the SQLite file. */
  source: number;
  /** Rows this run added to PostgreSQL. */
  copied: number;
  /** Rows PostgreSQL had already, from an earlier run or its own use. */
  alreadyThere: number;
}

/** Rows per INSERT: well under PostgreSQL's 65,535 parameters for the widest table. */
const batchRows = 500;

export async function copySqliteToPostgres(
  file: SqliteFile,
  postgres: SiteDb,
): Promise<TableCopy[]> {
  const report: TableCopy[] = [];
  // One transaction: an interrupted copy leaves PostgreSQL as it was, and the rerun starts clean.
  await postgres.transaction().execute(async (trx) => {
    for (const table of siteTableNames) {
      const rows = file.prepare(`SELECT * FROM ${table}`).all() as Record<string, unknown>[];
      let copied = 0;
      for (let start = 0; start < rows.length; start += batchRows) {
        const batch = rows.slice(start, start + batchRows);
        const result = await trx
          .insertInto(table)
          .values(batch as never)
          .onConflict((conflict) => conflict.doNothing())
          .executeTakeFirst();
        copied += Number(result.numInsertedOrUpdatedRows ?? 0n);
      }
      report.push({ table, source: rows.length, copied, alreadyThere: rows.length - copied });
    }
    await sql`SELECT setval(pg_get_serial_sequence('quiz_attempt', 'id'),
                            greatest((SELECT max(id) FROM quiz_attempt), 1))`.execute(trx);
  });
  return report;
}
