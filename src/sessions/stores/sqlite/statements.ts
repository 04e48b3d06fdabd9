/**
 * The SQL of the SQLite demo store: the rows it reads and every statement on `demo_session` and
 * `demo_session_eviction`, prepared once per database. The tables come from the site's migrations.
 */
import type { Database } from 'better-sqlite3';
import type { EvictionCause } from '../../fair-share';
import { preparedFor } from '../../prepared-statements';

export interface SessionRow {
  id: string;
  secret_hash: Uint8Array;
  data: string;
  bytes: number;
  expires_at: number;
  last_seen_at: number;
  cause: null;
  session_limit: null;
}

/** The record an evicted session left, found by the same lookup as a live row. */
export interface EvictedRow {
  id: string;
  secret_hash: Uint8Array;
  data: null;
  bytes: null;
  expires_at: number;
  last_seen_at: null;
  cause: EvictionCause;
  session_limit: number;
}

export interface NewSession {
  id: string;
  secretHash: Uint8Array;
  owner: string | null;
  visitor: string | null;
  data: string;
  bytes: number;
  now: number;
  expiresAt: number;
}

function prepareStatements(db: Database) {
  return {
    // Both tables in one statement, so a live id, an evicted one and an unknown one all cost
    // the same two index lookups and one hash: the answer's timing tells nothing.
    select: db.prepare<[{ id: string }], SessionRow | EvictedRow>(
      `SELECT id, secret_hash, data, bytes, expires_at, last_seen_at,
              NULL AS cause, NULL AS session_limit
       FROM demo_session WHERE id = @id
       UNION ALL
       SELECT id, secret_hash, NULL, NULL, expires_at, NULL, cause, session_limit
       FROM demo_session_eviction WHERE id = @id`,
    ),
    insert: db.prepare<
      [string, Uint8Array, string | null, string | null, string, number, number, number, number]
    >(
      `INSERT INTO demo_session
         (id, secret_hash, owner, visitor, data, bytes, created_at, expires_at, last_seen_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    // `expires_at > ?` makes a save that raced with expiry or deletion touch nothing. A save
    // without an owner leaves the row's owner as it was.
    update: db.prepare<[string, number, number, number, string | null, string, number]>(
      `UPDATE demo_session
       SET data = ?, bytes = ?, expires_at = ?, last_seen_at = ?, owner = coalesce(?, owner)
       WHERE id = ? AND expires_at > ?`,
    ),
    // The same write for the row a load of this request verified, only while its expiry is still
    // what that load left: if anything else changed it since, the save looks the row up again.
    updateUnchanged: db.prepare<
      [string, number, number, number, string | null, string, number, number]
    >(
      `UPDATE demo_session
       SET data = ?, bytes = ?, expires_at = ?, last_seen_at = ?, owner = coalesce(?, owner)
       WHERE id = ? AND expires_at = ? AND expires_at > ?`,
    ),
    touch: db.prepare<[number, number, string]>(
      'UPDATE demo_session SET expires_at = ?, last_seen_at = ? WHERE id = ?',
    ),
    delete: db.prepare<[string]>('DELETE FROM demo_session WHERE id = ?'),
    deleteExpired: db.prepare<[number]>('DELETE FROM demo_session WHERE expires_at <= ?'),
    count: db.prepare<[], number>('SELECT count(*) FROM demo_session').pluck(),
    // Ties (sessions seen in the same millisecond) go by rowid, the order rows were inserted in.
    liveOwnedOldestFirst: db
      .prepare<[string, number], string>(
        `SELECT id FROM demo_session WHERE owner = ? AND expires_at > ?
         ORDER BY last_seen_at, rowid`,
      )
      .pluck(),
    liveOfVisitorOldestFirst: db
      .prepare<[string, number], string>(
        `SELECT id FROM demo_session WHERE visitor = ? AND expires_at > ?
         ORDER BY last_seen_at, rowid`,
      )
      .pluck(),
    closestToExpiry: db
      .prepare<[number], string>('SELECT id FROM demo_session ORDER BY expires_at, rowid LIMIT ?')
      .pluck(),
    recordEviction: db.prepare<[EvictionCause, number, number, string]>(
      `INSERT OR REPLACE INTO demo_session_eviction
         (id, secret_hash, cause, session_limit, evicted_at, expires_at)
       SELECT id, secret_hash, ?, ?, ?, expires_at FROM demo_session WHERE id = ?`,
    ),
    trimEvictions: db.prepare<[number]>(
      `DELETE FROM demo_session_eviction WHERE id IN (
         SELECT id FROM demo_session_eviction ORDER BY evicted_at DESC, rowid DESC LIMIT -1 OFFSET ?)`,
    ),
    deleteExpiredEvictions: db.prepare<[number]>(
      'DELETE FROM demo_session_eviction WHERE expires_at <= ?',
    ),
    deleteOwned: db.prepare<[string]>('DELETE FROM demo_session WHERE owner = ?'),
    countOwned: db
      .prepare<[string, number], number>(
        'SELECT count(*) FROM demo_session WHERE owner = ? AND expires_at > ?',
      )
      .pluck(),
  };
}

type Statements = ReturnType<typeof prepareStatements>;
const statementCache = new WeakMap<Database, Statements>();

/** The store's statements on this database, prepared once. */
export function sqliteStatements(db: Database): Statements {
  return preparedFor(statementCache, db, prepareStatements);
}
