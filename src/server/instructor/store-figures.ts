/**
 * How many demo sessions each store holds on this server right now, and their bytes: for the
 * instructor's live figures. These count every visitor's sessions, not only one class's: a store
 * is shared by the whole site. Each server store counts itself through its admin face; where a
 * store cannot be counted, the figure says why instead.
 */
import type { StoreId } from '../../sessions/catalog';
import type { RunningStore, StoreCount } from '../../sessions/store-kind';
import { StoreUnavailableError } from '../../sessions/types';
import { adminScope, type AdminDeps } from '../platform/admin-scope';
import type { SiteDb } from '../platform/site-db/open';

export interface StoreFigure {
  id: StoreId;
  title: string;
  where: 'browser' | 'server';
  /** Null when the store cannot be counted from the server; `note` says why. */
  sessions: number | null;
  bytes: number | null;
  averageBytes: number | null;
  note: string | null;
}

export type StoreFigureDeps = AdminDeps;

export async function measureStores(
  deps: StoreFigureDeps,
  now = Date.now(),
): Promise<StoreFigure[]> {
  const scope = adminScope(deps, now);
  const figures: StoreFigure[] = [];
  for (const store of deps.stores.values()) {
    const { id, title, where } = store.info;
    const count = await countStore(store, scope);
    figures.push(
      'uncountable' in count
        ? {
            id,
            title,
            where,
            sessions: null,
            bytes: null,
            averageBytes: null,
            note: count.uncountable,
          }
        : {
            id,
            title,
            where,
            sessions: count.sessions,
            bytes: count.bytes,
            averageBytes: count.sessions === 0 ? null : Math.round(count.bytes / count.sessions),
            note: count.note,
          },
    );
  }
  return figures;
}

async function countStore(
  store: RunningStore,
  scope: ReturnType<typeof adminScope>,
): Promise<StoreCount> {
  if (store.info.where === 'browser' || !store.admin) {
    return {
      uncountable: 'Lives in each browser’s cookie: the server keeps nothing it could count.',
    };
  }
  if (store.notConfigured) return { uncountable: store.notConfigured };
  try {
    return await store.admin.count(scope);
  } catch (error) {
    if (!(error instanceof StoreUnavailableError)) throw error;
    return { uncountable: error.message };
  }
}

const cache = new WeakMap<SiteDb, { at: number; figures: Promise<StoreFigure[]> }>();

/**
 * The figures, measured at most once per `maxAgeMs` however many dashboards poll: counting the
 * filesystem reads every session file, and Redis needs a SCAN.
 */
export function cachedStoreFigures(
  deps: StoreFigureDeps,
  now = Date.now(),
  maxAgeMs = 4_000,
): Promise<StoreFigure[]> {
  const cached = cache.get(deps.db);
  if (cached && now - cached.at < maxAgeMs) return cached.figures;
  const figures = measureStores(deps, now);
  cache.set(deps.db, { at: now, figures });
  figures.catch(() => cache.delete(deps.db));
  return figures;
}

/** Forgets the cached figures, e.g. right after a reset emptied the stores. */
export function forgetStoreFigures(db: SiteDb): void {
  cache.delete(db);
}
