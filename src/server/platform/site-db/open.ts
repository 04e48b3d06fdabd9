/**
 * The site's own data (learners, their sessions, quiz attempts, progress, predictions, classes,
 * instructor sessions) behind one query builder, Kysely, on either database:
 *
 * - unset `DATABASE_URL`: the SQLite file in DATA_DIR, the zero-configuration default;
 * - `DATABASE_URL=postgres://…`: PostgreSQL, so several machines can serve one course.
 *
 * Why Kysely: it is a query builder, not an ORM, so the code still reads as the SQL it runs; it
 * ships both dialects over the drivers the site already uses (better-sqlite3 and pg); it types every
 * query against `SiteTables` without generating code; and its SQLite driver serializes queries on
 * the one connection, so a transaction is never interleaved with another request's statements.
 */
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Database as SqliteFile } from 'better-sqlite3';
import { migrations } from '../migrations';
import { applyPostgresMigrations } from './postgres-migrations';
import type { SiteTables } from './tables';

export type SiteDb = Kysely<SiteTables>;

export type SiteDatabaseKind = 'sqlite' | 'postgres';

export interface SiteDatabase {
  readonly kind: SiteDatabaseKind;
  readonly db: SiteDb;
  /** Where the data lives, for logs and /readyz: the SQLite file, or PostgreSQL's host and port. */
  readonly location: string;
  /**
   * Settles once the schema is current. SQLite's is migrated before this object exists; PostgreSQL
   * is migrated over the network, so start-up awaits this before it listens (and fails on it).
   */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * The SQLite side: Kysely over the already opened, already migrated file. Closing the site
 * database leaves the file open, since the SQLite demo store shares it; its owner closes it.
 */
export function sqliteSiteDatabase(file: SqliteFile): SiteDatabase {
  const db = new Kysely<SiteTables>({
    dialect: new SqliteDialect({ database: { prepare: preparedOnce(file), close() {} } }),
  });
  return {
    kind: 'sqlite',
    db,
    location: file.name,
    ready: Promise.resolve(),
    close: () => db.destroy(),
  };
}

/**
 * Kysely asks the driver to prepare every statement it runs; better-sqlite3 compiles each one
 * anew, which costs more than running it. The site's queries are a fixed set of texts (values are
 * bound, not spliced in), so each text is compiled once and kept. Safe because the SQLite driver
 * runs one statement at a time on this connection; bounded in case some text ever varies.
 */
function preparedOnce(file: SqliteFile): (sql: string) => ReturnType<SqliteFile['prepare']> {
  const statements = new Map<string, ReturnType<SqliteFile['prepare']>>();
  return (sql) => {
    let statement = statements.get(sql);
    if (!statement) {
      if (statements.size >= 500) statements.clear();
      statement = file.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
}

export interface PostgresSiteOptions {
  url: string;
  /** Connections this process may hold; × processes must stay under `max_connections`. */
  maxConnections?: number;
}

/**
 * The PostgreSQL side. Its migrations start at once (safe when several processes start together,
 * see `applyPostgresMigrations`) and `ready` says when they are done; it rejects when PostgreSQL
 * cannot be reached, since a site that keeps its learners there cannot serve anyone without it.
 */
export function postgresSiteDatabase(options: PostgresSiteOptions): SiteDatabase {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    // A statement that runs this long is stuck behind a lock, not working: fail it, not the page.
    statement_timeout: 5_000,
    types: { getTypeParser: typeParser },
  });
  // An idle connection the server ended raises 'error' on the pool; the next query replaces it.
  pool.on('error', () => {});
  const db = new Kysely<SiteTables>({ dialect: new PostgresDialect({ pool }) });
  const ready = applyPostgresMigrations(db, migrations);
  // Marked as handled here; whoever awaits `ready` still sees the failure.
  ready.catch(() => {});
  return {
    kind: 'postgres',
    db,
    location: postgresLocation(options.url),
    ready,
    close: () => db.destroy(),
  };
}

/**
 * Times and counts are BIGINT (`count(*)` too), which pg returns as strings to be safe past 2^53.
 * Milliseconds since the epoch and row counts stay far below that, so they are read as numbers,
 * the type SQLite returns, and rows look the same from either database.
 */
function typeParser(oid: number, format?: string): (value: string) => unknown {
  if (oid === pg.types.builtins.INT8) return Number;
  return pg.types.getTypeParser(oid, format as 'text');
}

/** host:port/database, never the password. */
export function postgresLocation(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
}
