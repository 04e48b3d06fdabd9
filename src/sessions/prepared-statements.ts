import type { Database } from 'better-sqlite3';

/**
 * Prepares a module's statements once per database and hands back the same set afterwards. Modules
 * that take the database as an argument use this so a hot path never re-parses SQL, and a test that
 * opens a fresh database gets statements bound to it.
 */
export function preparedFor<Statements>(
  cache: WeakMap<Database, Statements>,
  db: Database,
  prepare: (db: Database) => Statements,
): Statements {
  let statements = cache.get(db);
  if (!statements) {
    statements = prepare(db);
    cache.set(db, statements);
  }
  return statements;
}
