/**
 * What the stores' admin faces work over, as the server knows it: the long-lived simulated
 * instances, the time, and the learners seen recently (for a store that cannot list its keys).
 */
import type { Database } from 'better-sqlite3';
import { maxNamedInstances } from '../../lab/instances';
import type { StoreRegistry } from '../../sessions/registry';
import type { AdminScope } from '../../sessions/store-kind';
import type { Instance } from '../../sessions/types';
import { preparedFor } from './database';

export interface AdminDeps {
  db: Database;
  stores: StoreRegistry;
  instances: { resolve(requested: string | null): Instance };
  now?: () => number;
}

function prepareStatements(db: Database) {
  return {
    recentLearners: db
      .prepare<[number, number], string>(
        `SELECT learner_id FROM learner_session WHERE last_seen_at >= ?
         GROUP BY learner_id ORDER BY max(last_seen_at) DESC LIMIT ?`,
      )
      .pluck(),
  };
}

const statementCache = new WeakMap<Database, ReturnType<typeof prepareStatements>>();

export function adminScope(deps: AdminDeps, now = (deps.now ?? Date.now)()): AdminScope {
  return {
    instances: Array.from({ length: maxNamedInstances }, (_, index) =>
      deps.instances.resolve(String(index + 1)),
    ),
    now,
    ownersSeenSince: (since, limit) =>
      preparedFor(statementCache, deps.db, prepareStatements).recentLearners.all(since, limit),
  };
}
