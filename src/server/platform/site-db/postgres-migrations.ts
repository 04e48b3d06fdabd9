/**
 * Brings a PostgreSQL database up to the site's schema: the `postgres` text of every step in
 * `../migrations.ts` it lacks, each recorded by a row in `site_migration`. All of it runs in one
 * transaction under a transaction-scoped advisory lock, so when several processes (or machines)
 * start at once, one applies the steps and the others wait, then find nothing left to do.
 * PostgreSQL's DDL is transactional: a failing step leaves the database as it was.
 */
import { sql, type Kysely } from 'kysely';
import type { Migration } from '../migrations';

/** Any fixed number; it only has to differ from the other advisory locks in the same database. */
const migrationLockKey = 7_391_204_118;

export async function applyPostgresMigrations<Tables>(
  db: Kysely<Tables>,
  migrations: readonly Migration[],
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(${migrationLockKey})`.execute(trx);
    // Under the lock: two processes running CREATE TABLE IF NOT EXISTS at once can both decide
    // to create it, and the second fails on PostgreSQL's catalog instead of finding it there.
    await sql`CREATE TABLE IF NOT EXISTS site_migration (
      version INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      applied_at BIGINT NOT NULL
    )`.execute(trx);
    const version = await postgresSchemaVersion(trx);
    if (version > migrations.length) {
      throw new Error(
        `the PostgreSQL schema is at version ${version}, newer than this code knows ` +
          `(${migrations.length}); run a newer build`,
      );
    }
    for (let index = version; index < migrations.length; index++) {
      const step = migrations[index]!;
      try {
        if (step.postgres !== null) await sql.raw(step.postgres).execute(trx);
      } catch (error) {
        throw new Error(`migration ${index + 1} ("${step.name}") failed on PostgreSQL`, {
          cause: error,
        });
      }
      await sql`INSERT INTO site_migration (version, name, applied_at)
        VALUES (${index + 1}, ${step.name}, ${Date.now()})`.execute(trx);
    }
  });
}

/** How many steps the database has applied; 0 for a database the site never touched. */
export async function postgresSchemaVersion<Tables>(db: Kysely<Tables>): Promise<number> {
  const { rows } = await sql<{
    version: number | null;
  }>`SELECT max(version) AS version FROM site_migration`.execute(db);
  return rows[0]?.version ?? 0;
}
