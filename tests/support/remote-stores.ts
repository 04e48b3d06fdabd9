/**
 * The stores that keep sessions on a server of their own (Redis, Memcached), as their integration
 * tests see them: how to start the server (the shared launcher), make a store on it, read what it
 * holds with a client of the test's own, and the words their messages use. The contract they share
 * runs once per kind in `tests/integration/remote-stores.test.ts`; each store's own file keeps
 * what only that store does.
 */
import { Client } from 'memjs';
import { expect } from 'vitest';
import { createClient, type RedisClientType } from 'redis';
import { CookieJar } from '../../src/sessions/cookie-jar';
import { Timer } from '../../src/sessions/timer';
import { createMemcachedStore } from '../../src/sessions/stores/memcached/store';
import { memcachedNotConfiguredMessage } from '../../src/sessions/stores/memcached/connection';
import { createRedisStore, redisNotConfiguredMessage } from '../../src/sessions/stores/redis/store';
import type { DemoContext, SessionData, SessionStore } from '../../src/sessions/types';
import {
  serviceSkipReason,
  startMemcached,
  startRedis,
  type RunningService,
} from '../../scripts/services/index.ts';
import { SimulatedBrowser } from './simulated-browser';

export const PREFIX = 'session-lab:session:';
export const DAY = 24 * 60 * 60;
/** A hang check, not a benchmark: the stores aim for well under a second. */
export const UNAVAILABLE_WITHIN_MS = 3000;

/** A bare request carrying `cookies`, with no learner and no address. */
export function context(cookies: Map<string, string> = new Map(), now = Date.now()): DemoContext {
  return {
    cookies: new CookieJar(cookies),
    instance: { id: 'test', memory: new Map(), directory: '' },
    timer: new Timer(),
    now: () => now,
  };
}

/** The browser of these tests: the real clock, a learner and an address when given. */
export function newBrowser(owner: string | null = null, address: string | null = null) {
  return new SimulatedBrowser({ owner, address });
}

export async function waitFor(
  condition: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} did not happen within ${timeoutMs} ms`);
}

/** What the server holds, read past the store. */
export interface RawReader {
  /** The stored value under `key`, or null when there is none. */
  get(key: string): Promise<string | null>;
  /** How many keys the server holds, where it can say (Memcached cannot). */
  count?(): Promise<number>;
  close(): void;
}

interface StoreSettings {
  secure: boolean;
  log?: (line: string) => void;
}

export interface RemoteKind {
  id: 'redis' | 'memcached';
  /** As the store's messages name it. */
  title: string;
  cookieName: string;
  /** The program its messages say to start. */
  program: string;
  /** The environment variable that points the site at the server. */
  setting: string;
  notConfiguredMessage: string;
  /** The message in full, as a learner reads it. */
  notConfiguredText: string;
  skipReason: string | null;
  start(): Promise<RunningService>;
  /** A store on `server`, or an unconfigured one when `server` is null. */
  createStore(server: RunningService | null, settings: StoreSettings): SessionStore;
  connect(server: RunningService): Promise<RawReader>;
  /** What the stored value should parse to for a session holding `data`. */
  storedShape(data: SessionData): unknown;
  /** The session data inside a stored value. */
  dataIn(stored: string): SessionData;
  /** A word of its summary that says what sets it apart. */
  summaryMentions: RegExp;
  /** Why a load gives up on a frozen server. */
  frozenReason: RegExp;
  /** After a freeze the client reconnects before answering again (memjs), or answers at once. */
  reconnectsAfterFreeze: boolean;
}

const redis: RemoteKind = {
  id: 'redis',
  title: 'Redis',
  cookieName: 'redis_sid',
  program: 'redis-server',
  setting: 'REDIS_URL',
  notConfiguredMessage: redisNotConfiguredMessage,
  notConfiguredText:
    'Redis is not configured: set REDIS_URL=redis://127.0.0.1:6379 and start redis-server ' +
    '(npm run services starts one locally)',
  skipReason: serviceSkipReason('redis'),
  start: () => startRedis(),
  createStore: (server, settings) =>
    createRedisStore({ url: server ? `redis://${server.address}` : null, ...settings }),
  async connect(server) {
    const client: RedisClientType = createClient({ url: `redis://${server.address}` });
    client.on('error', () => {});
    await client.connect();
    return {
      get: (key) => client.get(key),
      count: () => client.dbSize(),
      close: () => client.destroy(),
    };
  },
  summaryMentions: /persistence/,
  storedShape: (data) => data,
  dataIn: (stored) => JSON.parse(stored) as SessionData,
  // The connection survives the freeze; late replies go to the abandoned commands.
  frozenReason: /not answering \(no reply within 500 ms\)/,
  reconnectsAfterFreeze: false,
};

const memcached: RemoteKind = {
  id: 'memcached',
  title: 'Memcached',
  cookieName: 'memcached_sid',
  program: 'memcached',
  setting: 'MEMCACHED_SERVERS',
  notConfiguredMessage: memcachedNotConfiguredMessage,
  notConfiguredText:
    'Memcached is not configured: set MEMCACHED_SERVERS=127.0.0.1:11211 and start memcached ' +
    '(npm run services starts one locally)',
  skipReason: serviceSkipReason('memcached'),
  start: () => startMemcached(),
  createStore: (server, settings) =>
    createMemcachedStore({ servers: server ? [server.address] : [], ...settings }),
  async connect(server) {
    const client = Client.create(server.address, { logger: { log: () => {} } });
    return {
      get: async (key) => (await client.get(key)).value?.toString('utf8') ?? null,
      close: () => client.close(),
    };
  },
  summaryMentions: /evict/,
  storedShape: (data) => ({ expiresAt: expect.any(Number), data }),
  dataIn: (stored) => (JSON.parse(stored) as { data: SessionData }).data,
  frozenReason: /not answering/,
  reconnectsAfterFreeze: true,
};

export const remoteKinds: readonly RemoteKind[] = [redis, memcached];
