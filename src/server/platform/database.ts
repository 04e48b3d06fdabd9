import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { createPrivateFile, tightenFile } from './data-dir';
import { migrations as siteMigrations, type Migration } from './migrations';

/** The server's modules prepare their statements the way the SQLite store does. */
export { preparedFor } from '../../sessions/prepared-statements';

export type { Database } from 'better-sqlite3';

/**
 * How long a connection waits for another one's write lock before failing with SQLITE_BUSY. Several
 * processes (the server, a benchmark, a second instance) may share the file; writes here are tiny,
 * so a few seconds is far more than any real wait.
 */
const BUSY_TIMEOUT_MS = 5_000;

/**
 * Opens (creating if needed) the site's database and brings its schema up to date. The file and
 * its -wal and -shm companions are 0600: they hold learners' answers and demo sessions.
 */
export function openDatabase(
  file: string,
  migrations: readonly Migration[] = siteMigrations,
): Database {
  const onDisk = file !== '' && file !== ':memory:';
  // SQLite creates a new database 0644 (less the umask) and gives -wal and -shm the database's
  // mode, so a database that already exists 0600 keeps all three private from the start.
  if (onDisk) createPrivateFile(file);
  const db = new BetterSqlite3(file);
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // WAL lets readers proceed while one writer commits. An in-memory database stays "memory".
    db.pragma('journal_mode = WAL');
    // In WAL mode NORMAL is still crash-safe for the database; at worst the last commits before a
    // power loss roll back, an acceptable price for not syncing on every session touch.
    db.pragma('synchronous = NORMAL');
    // SQLite leaves foreign keys off per connection unless asked, so ON DELETE CASCADE would be inert.
    db.pragma('foreign_keys = ON');
    applyMigrations(db, migrations);
    // Files an older version or another tool created (or left) open to others are tightened.
    if (onDisk) for (const suffix of ['', '-wal', '-shm']) tightenFile(file + suffix);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/** The schema version a database is at: how many migrations it has applied. */
export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Applies the migrations the database lacks, each in its own transaction together with the bump of
 * `user_version`, so a failure leaves the database at the last good version. The version is read
 * again inside a write (IMMEDIATE) transaction: when two processes start at once, the second waits
 * for the first and then sees there is nothing left to do instead of applying a migration twice.
 */
export function applyMigrations(db: Database, migrations: readonly Migration[]): void {
  const applyNext = db.transaction((): boolean => {
    const version = schemaVersion(db);
    if (version > migrations.length) {
      throw new Error(
        `database schema is at version ${version}, newer than this code knows (${migrations.length}); ` +
          'run a newer build or use a fresh database file',
      );
    }
    const next = migrations[version];
    if (!next) return false;
    try {
      db.exec(next.sqlite);
    } catch (error) {
      throw new Error(`migration ${version + 1} ("${next.name}") failed`, { cause: error });
    }
    db.pragma(`user_version = ${version + 1}`);
    return true;
  });
  while (applyNext.immediate()) {
    // One migration per transaction; loop until the database is current.
  }
}
