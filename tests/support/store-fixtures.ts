/**
 * Every store in the registry, set up for real for the conformance suite: cookie stores with their
 * keys, server stores with a temporary directory, a SQLite file, or live Redis and Memcached
 * processes. Kinds without a hand-written fixture here are built from the registry as the site
 * builds them (`registry-fixture.ts`), their service started by the shared launcher.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { StoreId } from '../../src/sessions/catalog';
import { storeKinds } from '../../src/sessions/registry';
import { newSessionId } from '../../src/sessions/server-session-id';
import type { Instance, SessionData, SessionStore } from '../../src/sessions/types';
import { openDatabase, type Database } from '../../src/server/platform/database';
import { generateSessionToken } from '../../src/sessions/lucia-token';
import { createEncryptedCookieStore } from '../../src/sessions/stores/encrypted-cookie/store';
import { createFilesystemStore } from '../../src/sessions/stores/filesystem/store';
import { createJwtStore } from '../../src/sessions/stores/jwt/store';
import { createMemoryStore } from '../../src/sessions/stores/memory/store';
import { createPlainCookieStore } from '../../src/sessions/stores/plain-cookie/store';
import { createSignedCookieStore } from '../../src/sessions/stores/signed-cookie/store';
import { createSqliteStore } from '../../src/sessions/stores/sqlite/store';
import { createMemcachedStore } from '../../src/sessions/stores/memcached/store';
import { createRedisStore } from '../../src/sessions/stores/redis/store';
import {
  serviceSkipReason,
  startMemcached,
  startRedis,
  type RunningService,
} from '../../scripts/services/index.ts';
import { registryFixture } from './registry-fixture';
import { SimulatedBrowser, testInstance } from './simulated-browser';

export interface StoreUnderTest {
  store: SessionStore;
  instance: Instance;
  /** The clock the store sees; `advanceBeyondLifetime` moves it (or waits, for server clocks). */
  now: () => number;
  advanceBeyondLifetime(): Promise<void>;
  cookieName: string;
  /** A cookie value minted by the same kind of store under another key (tamper-evident stores). */
  otherKeyCookie?: (data: SessionData) => Promise<string>;
  /** An id of the right shape that this store never issued. */
  wellFormedUnknownId: string;
  /** The store's server drops expired entries itself (Redis, Memcached), so there is no sweep. */
  expiresOnServer?: boolean;
  outage?: { stop(): Promise<void>; start(): Promise<void> };
  teardown(): Promise<void>;
}

export interface StoreFixture {
  id: StoreId;
  kind: 'cookie' | 'server';
  hasOutage?: boolean;
  /** The store's server keeps time (Redis, Memcached): the test cannot move its clock. */
  serverClock?: boolean;
  setup(): Promise<StoreUnderTest>;
}

const lifetimeSeconds = 3600;
const secret = 'conformance-secret-0123456789abcdef';
const otherSecret = 'another-secret-fedcba9876543210xyz';

/** A clock that starts now and jumps past the lifetime on request. */
function injectedClock() {
  let time = Date.now();
  return {
    now: () => time,
    advanceBeyondLifetime: async () => {
      time += (lifetimeSeconds + 60) * 1000;
    },
  };
}

async function tempDirectory(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), 'session-lab-conformance-'));
}

/** Mints a cookie with `store` for a fresh browser and returns its value. */
async function mint(store: SessionStore, data: SessionData): Promise<string> {
  const browser = new SimulatedBrowser();
  const directory = await tempDirectory();
  const ctx = browser.request(testInstance('mint', directory), () => Date.now());
  await store.save(ctx, data);
  browser.receive(ctx);
  await rm(directory, { recursive: true, force: true });
  return [...browser.cookies.values()][0] ?? '';
}

function cookieFixture(
  id: StoreId,
  cookieName: string,
  create: (secrets: string[]) => SessionStore,
  tamperEvident = true,
): StoreFixture {
  return {
    id,
    kind: 'cookie',
    async setup() {
      const directory = await tempDirectory();
      return {
        store: create([secret]),
        instance: testInstance('1', directory),
        ...injectedClock(),
        cookieName,
        otherKeyCookie: tamperEvident ? (data) => mint(create([otherSecret]), data) : undefined,
        wellFormedUnknownId: '',
        teardown: () => rm(directory, { recursive: true, force: true }),
      };
    },
  };
}

function serverFixture(
  id: StoreId,
  cookieName: string,
  create: (resources: { directory: string; db: Database }) => SessionStore,
  wellFormedUnknownId: () => string = newSessionId,
): StoreFixture {
  return {
    id,
    kind: 'server',
    async setup() {
      const directory = await tempDirectory();
      const db = openDatabase(path.join(directory, 'conformance.sqlite'));
      const instanceDirectory = path.join(directory, 'instances', '1');
      return {
        store: create({ directory, db }),
        instance: testInstance('1', instanceDirectory),
        ...injectedClock(),
        cookieName,
        wellFormedUnknownId: wellFormedUnknownId(),
        async teardown() {
          db.close();
          await rm(directory, { recursive: true, force: true });
        },
      };
    },
  };
}

/** Redis and Memcached keep time themselves, so these fixtures use a short TTL and real waiting. */
const serverClockTtlSeconds = 2;

function networkFixture(
  id: 'redis' | 'memcached',
  cookieName: string,
  create: (service: RunningService & { url?: string }) => SessionStore,
): StoreFixture[] {
  const skip = serviceSkipReason(id);
  if (skip) {
    console.warn(skip);
    return [];
  }
  return [
    {
      id,
      kind: 'server',
      hasOutage: true,
      serverClock: true,
      async setup() {
        const service = id === 'redis' ? await startRedis() : await startMemcached();
        const store = create(service);
        const directory = await tempDirectory();
        let offset = 0;
        return {
          store,
          instance: testInstance('1', directory),
          now: () => Date.now() + offset,
          async advanceBeyondLifetime() {
            await new Promise((resolve) => setTimeout(resolve, serverClockTtlSeconds * 1000 + 300));
            offset += 1000;
          },
          cookieName,
          wellFormedUnknownId: newSessionId(),
          expiresOnServer: true,
          outage: { stop: () => service.stop(), start: () => service.start() },
          async teardown() {
            await store.close?.();
            await service.stop();
            await rm(directory, { recursive: true, force: true });
          },
        };
      },
    },
  ];
}

/**
 * Fixtures with settings of their own: short lifetimes on an injected clock, and Redis and
 * Memcached, whose servers keep time themselves, with a TTL short enough to wait out.
 */
const handWritten: Partial<Record<StoreId, StoreFixture[]>> = {
  'plain-cookie': [
    cookieFixture(
      'plain-cookie',
      'plain_session',
      () => createPlainCookieStore({ secure: false, maxAgeSeconds: lifetimeSeconds }),
      false,
    ),
  ],
  'signed-cookie': [
    cookieFixture('signed-cookie', 'session', (secrets) =>
      createSignedCookieStore({ secrets, secure: false, maxAgeSeconds: lifetimeSeconds }),
    ),
  ],
  'encrypted-cookie': [
    cookieFixture('encrypted-cookie', 'sealed_session', (secrets) =>
      createEncryptedCookieStore({ secrets, secure: false, maxAgeSeconds: lifetimeSeconds }),
    ),
  ],
  jwt: [
    cookieFixture('jwt', 'jwt', (secrets) =>
      createJwtStore({ secrets, secure: false, maxAgeSeconds: lifetimeSeconds }),
    ),
  ],
  memory: [
    serverFixture('memory', 'memory_sid', () =>
      createMemoryStore({ secure: false, ttlSeconds: lifetimeSeconds }),
    ),
  ],
  filesystem: [
    serverFixture('filesystem', 'fs_sid', ({ directory }) =>
      createFilesystemStore({ secure: false, ttlSeconds: lifetimeSeconds, dataDir: directory }),
    ),
  ],
  sqlite: [
    serverFixture(
      'sqlite',
      'sqlite_session',
      ({ db }) => createSqliteStore({ db, secure: false, ttlSeconds: lifetimeSeconds }),
      () => generateSessionToken().token,
    ),
  ],
  redis: networkFixture('redis', 'redis_sid', (service) =>
    createRedisStore({
      url: service.url ?? null,
      secure: false,
      ttlSeconds: serverClockTtlSeconds,
    }),
  ),
  memcached: networkFixture('memcached', 'memcached_sid', (service) =>
    createMemcachedStore({
      servers: [service.address],
      secure: false,
      ttlSeconds: serverClockTtlSeconds,
    }),
  ),
};

/** One fixture per registered kind, in course order (none for a kind whose service is missing). */
export const storeFixtures: StoreFixture[] = storeKinds.flatMap(
  (kind) => handWritten[kind.id] ?? registryFixture(kind),
);
