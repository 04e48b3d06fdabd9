/**
 * How many demo sessions each store holds on this server right now, and their bytes: for the
 * instructor's live figures. These count every visitor's sessions, not only one class's: a store
 * is shared by the whole site. Where a store cannot be counted, the figure says why instead.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { maxNamedInstances } from '../lab/instances';
import type { StoreId } from '../sessions/catalog';
import type { StoreRegistry } from '../sessions/registry';
import { memoryStoreStats } from '../sessions/stores/memory';
import type { Instance } from '../sessions/types';
import { preparedFor, type Database } from './database';
import {
  isSessionKey,
  prefixPattern,
  redisSessionKeyPrefix,
  RedisUnreachableError,
  withRedis,
} from './instructor-redis';

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

export interface StoreFigureDeps {
  db: Database;
  stores: StoreRegistry;
  instances: { resolve(requested: string | null): Instance };
  redisUrl: string | null;
  memcachedServers: readonly string[];
}

/** Counting stops here; the figure is then marked as a lower bound. */
export const maxCountedSessions = 20_000;

function prepareStatements(db: Database) {
  return {
    sqlite: db.prepare<[number], { sessions: number; bytes: number }>(
      `SELECT count(*) AS sessions, coalesce(sum(bytes), 0) AS bytes
       FROM demo_session WHERE expires_at > ?`,
    ),
  };
}

const statementCache = new WeakMap<Database, ReturnType<typeof prepareStatements>>();

type Count = { sessions: number; bytes: number; note: string | null };

export async function measureStores(
  deps: StoreFigureDeps,
  now = Date.now(),
): Promise<StoreFigure[]> {
  const figures: StoreFigure[] = [];
  for (const store of deps.stores.values()) {
    const { id, title, where } = store.info;
    const count = await countStore(deps, id, where, now);
    figures.push(
      'unavailable' in count
        ? { id, title, where, sessions: null, bytes: null, averageBytes: null, note: count.why }
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
  deps: StoreFigureDeps,
  id: StoreId,
  where: 'browser' | 'server',
  now: number,
): Promise<Count | { unavailable: true; why: string }> {
  if (where === 'browser') {
    return {
      unavailable: true,
      why: 'Lives in each browser’s cookie: the server keeps nothing it could count.',
    };
  }
  switch (id) {
    case 'sqlite': {
      const row = preparedFor(statementCache, deps.db, prepareStatements).sqlite.get(now)!;
      return { sessions: row.sessions, bytes: row.bytes, note: null };
    }
    case 'memory':
      return countMemory(deps);
    case 'filesystem':
      return countFiles(deps, now);
    case 'redis':
      if (deps.redisUrl === null) return { unavailable: true, why: 'Not configured (REDIS_URL).' };
      try {
        return await countRedis(deps.redisUrl);
      } catch (error) {
        if (!(error instanceof RedisUnreachableError)) throw error;
        return { unavailable: true, why: error.message };
      }
    case 'memcached':
      if (deps.memcachedServers.length === 0) {
        return { unavailable: true, why: 'Not configured (MEMCACHED_SERVERS).' };
      }
      return {
        unavailable: true,
        why: 'Memcached cannot list its keys, so its sessions cannot be counted.',
      };
    default:
      return { unavailable: true, why: 'No way to count this store’s sessions.' };
  }
}

function countMemory(deps: StoreFigureDeps): Count {
  let sessions = 0;
  let bytes = 0;
  for (let index = 1; index <= maxNamedInstances; index++) {
    const stats = memoryStoreStats(deps.instances.resolve(String(index)).memory);
    sessions += stats.entries;
    bytes += stats.bytes;
  }
  return {
    sessions,
    bytes,
    note: `Instances 1–${maxNamedInstances}; an expired entry counts until the next sweep.`,
  };
}

async function countFiles(deps: StoreFigureDeps, now: number): Promise<Count> {
  const root = path.dirname(deps.instances.resolve('1').directory);
  let directories: string[];
  try {
    directories = (await readdir(root, { withFileTypes: true }))
      .filter((entry) => entry.isDirectory())
      .map((entry) => path.join(root, entry.name));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return { sessions: 0, bytes: 0, note: null };
    }
    throw error;
  }
  let sessions = 0;
  let bytes = 0;
  let read = 0;
  for (const directory of directories) {
    const names = await readdir(directory).catch(() => [] as string[]);
    for (const name of names) {
      if (!name.endsWith('.json')) continue;
      if (++read > maxCountedSessions) {
        return { sessions, bytes, note: `Stopped counting after ${maxCountedSessions} files.` };
      }
      const content = await readFile(path.join(directory, name)).catch(() => null);
      if (content === null) continue;
      const expiresAt = expiryOf(content.toString('utf8'));
      if (expiresAt !== null && expiresAt > now) {
        sessions++;
        bytes += content.byteLength;
      }
    }
  }
  return {
    sessions,
    bytes,
    note: directories.length > 1 ? `Files in ${directories.length} instance directories.` : null,
  };
}

function expiryOf(text: string): number | null {
  try {
    const parsed = JSON.parse(text) as { expiresAt?: unknown };
    return typeof parsed.expiresAt === 'number' ? parsed.expiresAt : null;
  } catch {
    return null;
  }
}

async function countRedis(url: string): Promise<Count> {
  return withRedis(url, async (redis) => {
    let sessions = 0;
    let bytes = 0;
    for await (const keys of redis.scanIterator({
      MATCH: prefixPattern(redisSessionKeyPrefix),
      COUNT: 500,
    })) {
      const sessionKeys = keys.filter((key) => isSessionKey(key));
      const lengths = await Promise.all(sessionKeys.map((key) => redis.strLen(key)));
      for (const length of lengths) {
        // A key that expired between SCAN and STRLEN reads as 0 bytes: not a session any more.
        if (length > 0) {
          sessions++;
          bytes += length;
        }
      }
      if (sessions >= maxCountedSessions) {
        return { sessions, bytes, note: `Stopped counting after ${maxCountedSessions} keys.` };
      }
    }
    return { sessions, bytes, note: null };
  });
}

const cache = new WeakMap<Database, { at: number; figures: Promise<StoreFigure[]> }>();

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
export function forgetStoreFigures(db: Database): void {
  cache.delete(db);
}
