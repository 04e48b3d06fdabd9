/**
 * "Reset": empties every demo session in every store, for a class that starts over. Learners keep
 * everything else: their learner record and sign-in, quiz attempts, lesson progress and classes.
 *
 * A sweep is not enough (it deletes only expired sessions), so each store is emptied its own way:
 *
 * - cookie stores: the sessions live in the browsers; the server holds nothing to delete;
 * - memory: every named instance's memory is dropped, as a restart would ("fresh" instances are
 *   gone after their one request anyway);
 * - filesystem: every session file in every instance directory under DATA_DIR/instances. Owned
 *   sessions go through the store's own `revokeAll`, so its running totals stay exact; files with
 *   no owner (the demos always name one) are unlinked, and the store counts them until a restart;
 * - SQLite: every `demo_session` row;
 * - Redis: every key under the store's prefix (sessions and owner indexes), found by SCAN and
 *   deleted with UNLINK in batches, at most `maxRedisKeys` per reset;
 * - Memcached cannot list its keys, and `flush_all` would empty the whole server, other
 *   applications' data included. Instead every learner seen within the session lifetime (24 h)
 *   is signed out of Memcached (`revokeAll`: their generation is bumped, so every session stamped
 *   before is refused wherever it is, and the ones the owner list names are deleted). Every demo
 *   write gives the visitor a learner, so that reaches every demo session the site made.
 */
import { readdir, readFile, rmdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import { CookieJar } from '../sessions/cookie-jar';
import { maxNamedInstances } from '../lab/instances';
import { Timer } from '../sessions/timer';
import type { StoreId } from '../sessions/catalog';
import type { StoreRegistry } from '../sessions/registry';
import { memoryStoreStats } from '../sessions/stores/memory';
import {
  StoreUnavailableError,
  type DemoContext,
  type Instance,
  type SessionStore,
} from '../sessions/types';
import { preparedFor, type Database } from './database';
import {
  prefixPattern,
  redisSessionKeyPrefix,
  RedisUnreachableError,
  withRedis,
} from './instructor-redis';
import { forgetStoreFigures } from './instructor-store-figures';

export type ResetOutcome =
  'emptied' | 'signed-out' | 'in-browsers' | 'not-configured' | 'unreachable' | 'incomplete';

export interface StoreReset {
  storeId: StoreId;
  title: string;
  outcome: ResetOutcome;
  /** Sessions (files, rows, keys, entries) deleted or signed out; what counts is in `detail`. */
  deleted: number;
  detail: string;
}

export interface ResetReport {
  /** False when a configured store could not be reached or was not emptied in one go. */
  complete: boolean;
  stores: StoreReset[];
}

export interface ResetDeps {
  db: Database;
  stores: StoreRegistry;
  instances: { resolve(requested: string | null): Instance; restart(id: string): void };
  redisUrl: string | null;
  memcachedServers: readonly string[];
  now?: () => number;
  /** The Memcached store's session lifetime; learners seen within it are signed out. */
  memcachedLifetimeMs?: number;
  redisKeyPrefix?: string;
}

export const maxRedisKeys = 200_000;
export const maxMemcachedLearners = 20_000;
const memcachedConcurrency = 8;
const defaultMemcachedLifetimeMs = 24 * 60 * 60 * 1000;
/** `last_seen_at` moves at most once a minute, so look a little further back. */
const lastSeenSlackMs = 2 * 60 * 1000;

function prepareStatements(db: Database) {
  return {
    deleteDemoSessions: db.prepare<[]>('DELETE FROM demo_session'),
    recentLearners: db
      .prepare<[number, number], string>(
        `SELECT learner_id FROM learner_session WHERE last_seen_at >= ?
         GROUP BY learner_id ORDER BY max(last_seen_at) DESC LIMIT ?`,
      )
      .pluck(),
  };
}

const statementCache = new WeakMap<Database, ReturnType<typeof prepareStatements>>();

export async function resetDemoSessions(deps: ResetDeps): Promise<ResetReport> {
  const results: StoreReset[] = [];
  for (const store of deps.stores.values()) {
    const { id, title } = store.info;
    const base = { storeId: id, title };
    try {
      results.push({ ...base, ...(await resetStore(deps, store)) });
    } catch (error) {
      if (!(error instanceof StoreUnavailableError) && !(error instanceof RedisUnreachableError)) {
        throw error;
      }
      results.push({ ...base, outcome: 'unreachable', deleted: 0, detail: error.message });
    }
  }
  forgetStoreFigures(deps.db);
  return {
    complete: results.every(
      (result) => result.outcome !== 'unreachable' && result.outcome !== 'incomplete',
    ),
    stores: results,
  };
}

type Result = Omit<StoreReset, 'storeId' | 'title'>;

async function resetStore(deps: ResetDeps, store: SessionStore): Promise<Result> {
  if (store.info.where === 'browser') {
    return {
      outcome: 'in-browsers',
      deleted: 0,
      detail:
        'Each session is the browser’s own cookie; the server holds nothing to delete. Changing ' +
        'SESSION_SECRET would invalidate signed, sealed and JWT cookies (not plain ones), and sign ' +
        'everyone out of everything else signed with it.',
    };
  }
  switch (store.info.id) {
    case 'memory':
      return resetMemory(deps);
    case 'filesystem':
      return resetFiles(deps, store);
    case 'sqlite':
      return resetSqlite(deps);
    case 'redis':
      return resetRedis(deps);
    case 'memcached':
      return resetMemcached(deps, store);
    default:
      throw new Error(`no reset for the ${store.info.id} store`);
  }
}

function resetMemory(deps: ResetDeps): Result {
  let deleted = 0;
  for (let index = 1; index <= maxNamedInstances; index++) {
    const instance = deps.instances.resolve(String(index));
    deleted += memoryStoreStats(instance.memory).entries;
    deps.instances.restart(instance.id);
  }
  return {
    outcome: 'emptied',
    deleted,
    detail: `Dropped the memory of instances 1–${maxNamedInstances}, as a restart would.`,
  };
}

function resetSqlite(deps: ResetDeps): Result {
  const { changes } = preparedFor(
    statementCache,
    deps.db,
    prepareStatements,
  ).deleteDemoSessions.run();
  return { outcome: 'emptied', deleted: changes, detail: 'Deleted every demo_session row.' };
}

function contextFor(deps: ResetDeps, instance: Instance, owner: string): DemoContext {
  return {
    cookies: new CookieJar(),
    instance,
    timer: new Timer(),
    now: deps.now ?? Date.now,
    owner,
  };
}

async function sessionFiles(directory: string): Promise<{ name: string; owner: string | null }[]> {
  const files: { name: string; owner: string | null }[] = [];
  for (const name of await readdir(directory).catch(() => [] as string[])) {
    if (!name.endsWith('.json')) continue;
    const text = await readFile(path.join(directory, name), 'utf8').catch(() => null);
    if (text === null) continue;
    files.push({ name, owner: ownerOf(text) });
  }
  return files;
}

function ownerOf(text: string): string | null {
  try {
    const owner = (JSON.parse(text) as { owner?: unknown }).owner;
    return typeof owner === 'string' && owner !== '' ? owner : null;
  } catch {
    return null;
  }
}

async function resetFiles(deps: ResetDeps, store: SessionStore): Promise<Result> {
  const named = new Map<string, Instance>();
  for (let index = 1; index <= maxNamedInstances; index++) {
    const instance = deps.instances.resolve(String(index));
    named.set(path.resolve(instance.directory), instance);
  }
  const root = path.dirname(deps.instances.resolve('1').directory);
  let entries: string[];
  try {
    entries = (await readdir(root, { withFileTypes: true }))
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    entries = [];
  }
  let deleted = 0;
  for (const name of entries) {
    const directory = path.join(root, name);
    const instance = named.get(path.resolve(directory)) ?? {
      id: name,
      memory: new Map<string, unknown>(),
      directory,
    };
    const before = await sessionFiles(directory);
    const owners = new Set(before.flatMap((file) => (file.owner === null ? [] : [file.owner])));
    for (const owner of owners) {
      await store.revokeAll!(contextFor(deps, instance, owner));
    }
    // What the owners' revocation did not reach: files without an owner, or beyond an index.
    for (const file of await sessionFiles(directory)) {
      await unlink(path.join(directory, file.name)).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
    }
    deleted += before.length;
    // A one-request ("fresh") instance's directory has no further use; named ones stay.
    if (!named.has(path.resolve(directory))) await rmdir(directory).catch(() => undefined);
  }
  return {
    outcome: 'emptied',
    deleted,
    detail: `Deleted every session file in ${entries.length} instance ${
      entries.length === 1 ? 'directory' : 'directories'
    } under DATA_DIR/instances.`,
  };
}

async function resetRedis(deps: ResetDeps): Promise<Result> {
  if (deps.redisUrl === null) {
    return { outcome: 'not-configured', deleted: 0, detail: 'REDIS_URL is not set.' };
  }
  const prefix = deps.redisKeyPrefix ?? redisSessionKeyPrefix;
  const { deleted, stopped } = await withRedis(
    deps.redisUrl,
    async (redis) => {
      let count = 0;
      for await (const keys of redis.scanIterator({ MATCH: prefixPattern(prefix), COUNT: 500 })) {
        if (keys.length === 0) continue;
        // UNLINK frees memory in the background, so a large batch does not block Redis.
        count += await redis.unlink(keys);
        if (count >= maxRedisKeys) return { deleted: count, stopped: true };
      }
      return { deleted: count, stopped: false };
    },
    60_000,
  );
  return stopped
    ? {
        outcome: 'incomplete',
        deleted,
        detail: `Deleted ${deleted} keys under ${prefix}, the most one reset deletes; reset again.`,
      }
    : {
        outcome: 'emptied',
        deleted,
        detail: `Deleted every key under ${prefix} (sessions and owner indexes), found by SCAN.`,
      };
}

async function resetMemcached(deps: ResetDeps, store: SessionStore): Promise<Result> {
  if (deps.memcachedServers.length === 0) {
    return { outcome: 'not-configured', deleted: 0, detail: 'MEMCACHED_SERVERS is not set.' };
  }
  const now = (deps.now ?? Date.now)();
  const since = now - (deps.memcachedLifetimeMs ?? defaultMemcachedLifetimeMs) - lastSeenSlackMs;
  const learners = preparedFor(statementCache, deps.db, prepareStatements).recentLearners.all(
    since,
    maxMemcachedLearners + 1,
  );
  const truncated = learners.length > maxMemcachedLearners;
  const queue = learners.slice(0, maxMemcachedLearners);
  const instance = deps.instances.resolve('1');
  let deleted = 0;
  const worker = async () => {
    for (let owner = queue.pop(); owner !== undefined; owner = queue.pop()) {
      deleted += await store.revokeAll!(contextFor(deps, instance, owner));
    }
  };
  await Promise.all(Array.from({ length: memcachedConcurrency }, worker));
  const signedOut = Math.min(learners.length, maxMemcachedLearners);
  const detail =
    `Memcached cannot list its keys and flush_all would empty the whole server, so the ` +
    `${signedOut} learners seen in the last 24 h were signed out of it: every session stamped ` +
    `for them is refused from now on; ${deleted} listed sessions were deleted at once.`;
  return truncated
    ? {
        outcome: 'incomplete',
        deleted,
        detail: `${detail} Learners seen less recently were not reached; their sessions expire within 24 h.`,
      }
    : { outcome: 'signed-out', deleted, detail };
}
