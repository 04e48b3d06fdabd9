/**
 * What the stores' admin faces work over, as the server knows it: the long-lived simulated
 * instances, the time, and the learners seen recently (for a store that cannot list its keys).
 */
import { maxNamedInstances } from '../../lab/instances';
import type { StoreRegistry } from '../../sessions/registry';
import type { AdminScope } from '../../sessions/store-kind';
import type { Instance } from '../../sessions/types';
import type { SiteDb } from './site-db/open';

export interface AdminDeps {
  db: SiteDb;
  stores: StoreRegistry;
  instances: { resolve(requested: string | null): Instance };
  now?: () => number;
}

export function adminScope(deps: AdminDeps, now = (deps.now ?? Date.now)()): AdminScope {
  return {
    instances: Array.from({ length: maxNamedInstances }, (_, index) =>
      deps.instances.resolve(String(index + 1)),
    ),
    now,
    ownersSeenSince: async (since, limit) => {
      const rows = await deps.db
        .selectFrom('learner_session')
        .select('learner_id')
        .where('last_seen_at', '>=', since)
        .groupBy('learner_id')
        .orderBy((eb) => eb.fn.max('last_seen_at'), 'desc')
        .limit(limit)
        .execute();
      return rows.map((row) => row.learner_id);
    },
  };
}
