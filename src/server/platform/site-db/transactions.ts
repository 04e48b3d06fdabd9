/**
 * Transactions on the site's database. Those that read and then write, such as "count the
 * classes, then add one if there is room", must not interleave with another process doing the
 * same, or both see room and the limit is passed. Each database has its own way to say "one at a
 * time":
 *
 * - SQLite: `BEGIN IMMEDIATE` takes the file's write lock at the start instead of at the first
 *   write, so a second process waits (busy_timeout) rather than failing mid-transaction. Every
 *   transaction here writes, so every one begins this way;
 * - PostgreSQL: a transaction-scoped advisory lock named after the work, held until COMMIT, so
 *   every machine's processes take turns on that work and nothing else is blocked.
 *
 * A transaction started inside another joins it (SQLite and PostgreSQL have no nested BEGIN), so
 * "create the learner, then record what they did" stays one unit whatever the second step does.
 */
import { PostgresAdapter, sql } from 'kysely';
import type { SiteDb } from './open';

/** SQLite connections inside BEGIN IMMEDIATE … COMMIT; Kysely marks PostgreSQL's itself. */
const sqliteTransactions = new WeakSet<SiteDb>();

/** All of `work` or none of it. */
export async function transaction<T>(db: SiteDb, work: (trx: SiteDb) => Promise<T>): Promise<T> {
  return writeTransaction(db, null, work);
}

/** All of `work` or none of it, and only one `lockName` at a time across every process. */
export async function writeTransaction<T>(
  db: SiteDb,
  lockName: string | null,
  work: (trx: SiteDb) => Promise<T>,
): Promise<T> {
  if (db.isTransaction || sqliteTransactions.has(db)) {
    if (lockName !== null && isPostgres(db)) await advisoryLock(db, lockName);
    return work(db);
  }
  if (isPostgres(db)) {
    return db.transaction().execute(async (trx) => {
      if (lockName !== null) await advisoryLock(trx, lockName);
      return work(trx);
    });
  }
  // The SQLite driver hands out its one connection under a mutex: nothing else in this process
  // runs on it until the callback returns, so work must use `connection`, never `db`.
  return db.connection().execute(async (connection) => {
    sqliteTransactions.add(connection);
    await sql`BEGIN IMMEDIATE`.execute(connection);
    try {
      const result = await work(connection);
      await sql`COMMIT`.execute(connection);
      return result;
    } catch (error) {
      await sql`ROLLBACK`.execute(connection);
      throw error;
    } finally {
      sqliteTransactions.delete(connection);
    }
  });
}

async function advisoryLock(trx: SiteDb, name: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext(${name}))`.execute(trx);
}

export function isPostgres(db: SiteDb): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** Rows a write changed, from Kysely's result of an UPDATE or DELETE. */
export function changed(result: { numUpdatedRows?: bigint; numDeletedRows?: bigint }): number {
  return Number(result.numUpdatedRows ?? result.numDeletedRows ?? 0n);
}
