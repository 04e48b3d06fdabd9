/**
 * The stores that have a live demo, in course order. Adding a storage kind means one store file
 * and one line here.
 */
import type { Database } from 'better-sqlite3';
import type { StoreId } from './catalog';
import { createEncryptedCookieStore } from './stores/encrypted-cookie';
import { createFilesystemStore } from './stores/filesystem';
import { createJwtStore } from './stores/jwt';
import { createMemcachedStore } from './stores/memcached';
import { createMemoryStore } from './stores/memory';
import { createPlainCookieStore } from './stores/plain-cookie';
import { createRedisStore } from './stores/redis';
import { createSignedCookieStore } from './stores/signed-cookie';
import { createSqliteStore } from './stores/sqlite';
import type { SessionStore } from './types';

export interface StoreSettings {
  /** The first signs or seals, all verify. */
  secrets: readonly string[];
  /** Send cookies with `Secure`: true when the site is served over HTTPS. */
  secureCookies: boolean;
  dataDir: string;
  db: Database;
  redisUrl: string | null;
  memcachedServers: readonly string[];
  /** Live sessions one network address may keep in each server store (the stores' default if unset). */
  maxSessionsPerVisitor?: number;
}

export type StoreRegistry = ReadonlyMap<StoreId, SessionStore>;

export function createStoreRegistry(settings: StoreSettings): StoreRegistry {
  const { secrets, secureCookies: secure, maxSessionsPerVisitor } = settings;
  const stores: SessionStore[] = [
    createPlainCookieStore({ secure }),
    createSignedCookieStore({ secrets, secure }),
    createEncryptedCookieStore({ secrets, secure }),
    createJwtStore({ secrets, secure }),
    createMemoryStore({ secure, maxSessionsPerVisitor }),
    createFilesystemStore({ secure, dataDir: settings.dataDir, maxSessionsPerVisitor }),
    createSqliteStore({ db: settings.db, secure, maxSessionsPerVisitor }),
    createRedisStore({ url: settings.redisUrl, secure, maxSessionsPerVisitor }),
    createMemcachedStore({ servers: settings.memcachedServers, secure, maxSessionsPerVisitor }),
  ];
  return new Map(stores.map((store) => [store.info.id, store]));
}

/** Closes the stores that hold connections (Redis, Memcached) at shutdown. */
export async function closeStores(stores: StoreRegistry): Promise<void> {
  await Promise.allSettled([...stores.values()].map((store) => store.close?.()));
}
