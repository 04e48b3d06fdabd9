/**
 * The storage kinds, in course order. Adding a kind is its module under `stores/`, one line in
 * `storeKinds`, and its lesson; everything that lists, configures, counts, resets or checks the
 * stores loops over this registry.
 */
import type { StoreId } from './catalog';
import {
  StoreSettingError,
  type Environment,
  type RunningStore,
  type SiteResources,
  type StoreKind,
} from './store-kind';
import { encryptedCookieKind } from './stores/encrypted-cookie';
import { filesystemKind } from './stores/filesystem';
import { jwtKind } from './stores/jwt';
import { memcachedKind } from './stores/memcached';
import { memoryKind } from './stores/memory';
import { plainCookieKind } from './stores/plain-cookie';
import { postgresKind } from './stores/postgres';
import { redisKind } from './stores/redis';
import { signedCookieKind } from './stores/signed-cookie';
import { sqliteKind } from './stores/sqlite';

// prettier-ignore
export const storeKinds = [plainCookieKind, signedCookieKind, encryptedCookieKind, jwtKind, memoryKind, filesystemKind, sqliteKind, postgresKind, redisKind, memcachedKind] as const;

/** Each kind's settings, read from the environment once at start-up. */
export type StoreSettings = ReadonlyMap<string, unknown>;

/** Reads every kind's settings; throws `StoreSettingError` naming the first unusable variable. */
export function readStoreSettings(env: Environment): StoreSettings {
  return new Map(storeKinds.map((kind) => [kind.id, kind.readSettings(env)]));
}

export type StoreRegistry = ReadonlyMap<StoreId, RunningStore>;

export function createStoreRegistry(site: SiteResources, settings: StoreSettings): StoreRegistry {
  return new Map(
    storeKinds.map((kind) => {
      // Each kind reads back exactly what its own readSettings returned.
      const own = settings.get(kind.id) ?? kind.readSettings({});
      return [kind.id, (kind as StoreKind<StoreId, unknown>).create(site, own)];
    }),
  );
}

/** Closes the stores that hold connections (Redis, Memcached) at shutdown. */
export async function closeStores(stores: StoreRegistry): Promise<void> {
  await Promise.allSettled([...stores.values()].map((store) => store.close?.()));
}

export { StoreSettingError };
