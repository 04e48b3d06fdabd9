/**
 * The PostgreSQL store's tables, created on first use: the site needs no migration step for an
 * optional demo, and a database it may write to is all DATABASE_URL has to name. Every statement is
 * `IF NOT EXISTS`, and the whole runs in one transaction under an advisory lock, so two processes
 * starting at once do not race each other's `CREATE` (which can fail on the catalog's unique index
 * even with `IF NOT EXISTS`).
 *
 * The columns are the SQLite store's in PostgreSQL types; times are `timestamptz`, written from the
 * store's clock, so tests can move time and every process agrees on what an instant means.
 */
import type pg from 'pg';

/** Any fixed number; it only has to differ from other advisory locks taken in the same database. */
const schemaLockKey = 0x5e55_1a_b;

// #region schema
export const schemaSql = `
CREATE TABLE IF NOT EXISTS demo_session (
  id           text PRIMARY KEY,
  secret_hash  bytea NOT NULL CHECK (octet_length(secret_hash) = 32),
  owner        text,
  visitor      text,
  data         text NOT NULL,
  bytes        integer NOT NULL CHECK (bytes >= 0),
  created_at   timestamptz NOT NULL,
  expires_at   timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  -- Insertion order, for ties in time (SQLite's rowid): the oldest of equals is evicted first.
  seq          bigint GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX IF NOT EXISTS demo_session_by_expiry ON demo_session (expires_at);
CREATE INDEX IF NOT EXISTS demo_session_by_owner ON demo_session (owner) WHERE owner IS NOT NULL;
CREATE INDEX IF NOT EXISTS demo_session_by_visitor ON demo_session (visitor)
  WHERE visitor IS NOT NULL;

-- Sessions evicted before their expiry, so that their next load can say why.
CREATE TABLE IF NOT EXISTS demo_session_eviction (
  id            text PRIMARY KEY,
  secret_hash   bytea NOT NULL CHECK (octet_length(secret_hash) = 32),
  cause         text NOT NULL CHECK (cause IN ('store-full', 'owner-share', 'visitor-share')),
  session_limit integer NOT NULL CHECK (session_limit > 0),
  evicted_at    timestamptz NOT NULL,
  expires_at    timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS demo_session_eviction_by_age ON demo_session_eviction (evicted_at);
CREATE INDEX IF NOT EXISTS demo_session_eviction_by_expiry ON demo_session_eviction (expires_at);
`;
// #endregion schema

/** Creates the tables and indexes unless they exist; safe to run from many processes at once. */
export async function ensureSchema(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    // Held until COMMIT: a second process waits here, then finds everything in place.
    await client.query('SELECT pg_advisory_xact_lock($1)', [schemaLockKey]);
    await client.query(schemaSql);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch((rollbackError: unknown) => {
      broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
    });
    throw error;
  } finally {
    client.release(broken);
  }
}
