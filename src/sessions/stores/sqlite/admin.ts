/**
 * The SQLite store seen from the instructor's and the learner's side: sessions are rows, so they
 * are counted, listed by owner and deleted with plain SQL on the `demo_session` table.
 */
import type { Database } from 'better-sqlite3';
import { preparedFor } from '../../prepared-statements';
import type { StoreAdmin } from '../../store-kind';

export interface SqliteSessionSummary {
  id: string;
  bytes: number;
  createdAt: number;
  expiresAt: number;
  lastSeenAt: number;
}

interface SummaryRow {
  id: string;
  bytes: number;
  created_at: number;
  expires_at: number;
  last_seen_at: number;
}

function prepareStatements(db: Database) {
  return {
    countLive: db.prepare<[number], { sessions: number; bytes: number }>(
      `SELECT count(*) AS sessions, coalesce(sum(bytes), 0) AS bytes
       FROM demo_session WHERE expires_at > ?`,
    ),
    deleteAll: db.prepare<[]>('DELETE FROM demo_session'),
    selectOwned: db.prepare<[string, number], SummaryRow>(
      `SELECT id, bytes, created_at, expires_at, last_seen_at
       FROM demo_session WHERE owner = ? AND expires_at > ?
       ORDER BY last_seen_at DESC, id`,
    ),
    deleteOwned: db.prepare<[string]>('DELETE FROM demo_session WHERE owner = ?'),
  };
}

const statementCache = new WeakMap<Database, ReturnType<typeof prepareStatements>>();

/** Ends every session the owner created ("log out everywhere"); returns how many ended. */
export function revokeAllSqliteSessions(db: Database, owner: string): number {
  return preparedFor(statementCache, db, prepareStatements).deleteOwned.run(owner).changes;
}

/** The owner's unexpired sessions, most recently used first. */
export function listSqliteSessions(
  db: Database,
  owner: string,
  now: number = Date.now(),
): SqliteSessionSummary[] {
  return preparedFor(statementCache, db, prepareStatements)
    .selectOwned.all(owner, now)
    .map((row) => ({
      id: row.id,
      bytes: row.bytes,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
      lastSeenAt: row.last_seen_at,
    }));
}

export function createSqliteAdmin(db: Database): StoreAdmin {
  const statements = () => preparedFor(statementCache, db, prepareStatements);
  return {
    async count(scope) {
      const row = statements().countLive.get(scope.now)!;
      return { sessions: row.sessions, bytes: row.bytes, note: null };
    },

    async empty() {
      const { changes } = statements().deleteAll.run();
      return { outcome: 'emptied', deleted: changes, detail: 'Deleted every demo_session row.' };
    },

    async listOwned(owner, scope) {
      return listSqliteSessions(db, owner, scope.now).map((session) => ({
        bytes: session.bytes,
        createdAt: session.createdAt,
        expiresAt: session.expiresAt,
      }));
    },
  };
}

/** What this store's "log out everywhere" count counts (shown beside the button). */
export const sqliteRevokeCounts =
  'Counts every live row with your learner id, in the same transaction that deletes them: the table can be queried, so the count is exact.';
