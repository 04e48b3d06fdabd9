/**
 * The reset against real stores: real files on disk, a real SQLite file, and real Redis and
 * Memcached processes when they are installed. What is checked is what the stores hold afterwards,
 * read from the disk, the database file and the servers themselves.
 */
import BetterSqlite3 from 'better-sqlite3';
import { Client } from 'memjs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { quizSchema } from '../../src/course/schemas';
import { InstanceSimulator } from '../../src/lab/instances';
import type { StoreId } from '../../src/sessions/catalog';
import {
  closeStores,
  createStoreRegistry,
  readStoreSettings,
  type StoreRegistry,
} from '../../src/sessions/registry';
import type { Environment } from '../../src/sessions/store-kind';
import { defaultRedisKeyPrefix as redisSessionKeyPrefix } from '../../src/sessions/stores/redis/store';
import { memoryStoreStats } from '../../src/sessions/stores/memory/store';
import type { Instance } from '../../src/sessions/types';
import { createClass, joinClass } from '../../src/server/instructor/classes';
import { openDatabase, type Database } from '../../src/server/platform/database';
import type { SiteDb } from '../../src/server/platform/site-db/open';
import { memorySiteDb, type TestSiteDb } from '../support/site-db';
import { measureStores } from '../../src/server/instructor/store-figures';
import { LearnerSessions } from '../../src/server/learner/learner-sessions';
import { markLessonVisited, recordQuizAttempt } from '../../src/server/learner/progress';
import { gradeQuiz } from '../../src/course/quiz-grading';
import { resetDemoSessions, type ResetDeps } from '../../src/server/instructor/reset-demo-sessions';
import {
  serviceSkipReason,
  startMemcached,
  startRedis,
  type RunningRedis,
  type RunningService,
} from '../../scripts/services/index.ts';
import { SimulatedBrowser } from '../support/simulated-browser';

const quiz = quizSchema.parse({
  title: 'Reset',
  passPercent: 50,
  questions: [
    {
      id: 'q',
      kind: 'single',
      prompt: 'Does a reset delete progress?',
      options: [
        { id: 'no', text: 'No', correct: true, explanation: 'Only demo sessions.' },
        { id: 'yes', text: 'Yes', explanation: 'It does not.' },
      ],
    },
  ],
});

const redisSkip = serviceSkipReason('redis');
const memcachedSkip = serviceSkipReason('memcached');
let redis: RunningRedis | null = null;
let memcached: RunningService | null = null;

beforeAll(async () => {
  if (redisSkip === null) redis = await startRedis();
  if (memcachedSkip === null) memcached = await startMemcached();
});

afterAll(async () => {
  await redis?.stop();
  await memcached?.stop();
});

let dataDir: string;
let site: TestSiteDb;
let db: SiteDb;
let file: Database;
let stores: StoreRegistry;
let instances: InstanceSimulator;
let deps: ResetDeps;

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'session-lab-reset-'));
  site = memorySiteDb(openDatabase(path.join(dataDir, 'site.sqlite')));
  ({ db, file } = site);
  stores = registryWith({
    ...(redis && { REDIS_URL: redis.url }),
    ...(memcached && { MEMCACHED_SERVERS: memcached.address }),
  });
  instances = new InstanceSimulator(dataDir);
  deps = { db, stores, instances };
});

/** The site's stores over this test's database and directory, with these service settings. */
function registryWith(env: Environment): StoreRegistry {
  return createStoreRegistry(
    {
      secrets: ['reset-test-secret-0123456789abcdef0123456'],
      secureCookies: false,
      dataDir,
      db: file,
    },
    readStoreSettings(env),
  );
}

afterEach(async () => {
  await closeStores(stores);
  site.close();
  await rm(dataDir, { recursive: true, force: true });
});

interface Saved {
  storeId: StoreId;
  instance: Instance;
  browser: SimulatedBrowser;
}

async function save(storeId: StoreId, instance: Instance, owner: string | null): Promise<Saved> {
  const store = stores.get(storeId)!;
  const browser = new SimulatedBrowser();
  const ctx = { ...browser.request(instance, Date.now), owner };
  await store.load(ctx);
  await store.save(ctx, { note: `kept by ${storeId}`, owner });
  browser.receive(ctx);
  return { storeId, instance, browser };
}

async function sessionFilesOnDisk(): Promise<string[]> {
  const root = path.join(dataDir, 'instances');
  const files: string[] = [];
  for (const instance of await readdir(root).catch(() => [] as string[])) {
    for (const name of await readdir(path.join(root, instance)).catch(() => [] as string[])) {
      if (name.endsWith('.json')) files.push(path.join(instance, name));
    }
  }
  return files;
}

/** Read through a second connection to the database file, as another process would see it. */
function countInFile(sql: string): number {
  const reader = new BetterSqlite3(path.join(dataDir, 'site.sqlite'), { readonly: true });
  try {
    return reader.prepare<[], number>(sql).pluck().get() ?? 0;
  } finally {
    reader.close();
  }
}

const progressCounts = () => ({
  learners: countInFile('SELECT count(*) FROM learner'),
  learnerSessions: countInFile('SELECT count(*) FROM learner_session'),
  attempts: countInFile('SELECT count(*) FROM quiz_attempt'),
  lessons: countInFile('SELECT count(*) FROM lesson_progress'),
  memberships: countInFile('SELECT count(*) FROM classroom_member'),
});

/** Two learners with progress, a class, and sessions in every server store that runs here. */
async function aBusyClass(): Promise<Saved[]> {
  const learnerSessions = new LearnerSessions(db);
  const classroom = await createClass(db, 'Reset me');
  const owners: string[] = [];
  for (let made = 0; made < 2; made++) {
    const id = (await learnerSessions.createLearner()).id;
    await learnerSessions.createLearnerSession(id);
    await joinClass(db, classroom.id, id);
    await recordQuizAttempt(db, id, 'reset', gradeQuiz(quiz, { q: ['no'] }), Date.now());
    await markLessonVisited(db, id, 'why-sessions', Date.now());
    owners.push(id);
  }
  const [first, second] = owners as [string, string];
  const saved: Saved[] = [];
  const places: [StoreId, string, string | null][] = [
    ['memory', '1', first],
    ['memory', '3', second],
    ['filesystem', '1', first],
    ['filesystem', '4', second],
    ['filesystem', 'fresh', first],
    ['filesystem', '2', null],
    ['sqlite', '1', first],
    ['sqlite', '2', null],
  ];
  if (redis) places.push(['redis', '1', first], ['redis', '1', null]);
  if (memcached) places.push(['memcached', '1', first], ['memcached', '2', second]);
  for (const [storeId, instance, owner] of places) {
    saved.push(await save(storeId, instances.resolve(instance), owner));
  }
  return saved;
}

describe('resetting every demo session', () => {
  it('empties every server store for real and keeps everyone’s progress', async () => {
    const saved = await aBusyClass();
    const before = progressCounts();
    expect(await sessionFilesOnDisk()).toHaveLength(4);
    expect(countInFile('SELECT count(*) FROM demo_session')).toBe(2);
    // A stray temporary directory of a one-request instance with an ownerless file in it.
    await mkdir(path.join(dataDir, 'instances', 'fresh-left-over'), { recursive: true });
    await writeFile(
      path.join(dataDir, 'instances', 'fresh-left-over', 'abc.json'),
      JSON.stringify({ expiresAt: Date.now() + 60_000, data: {} }),
    );

    const report = await resetDemoSessions(deps);

    expect(report.complete).toBe(true);
    const byStore = Object.fromEntries(report.stores.map((store) => [store.storeId, store]));
    expect(byStore.memory).toMatchObject({ outcome: 'emptied', deleted: 2 });
    expect(byStore.filesystem).toMatchObject({ outcome: 'emptied', deleted: 5 });
    expect(byStore.sqlite).toMatchObject({ outcome: 'emptied', deleted: 2 });
    expect(byStore['signed-cookie']).toMatchObject({ outcome: 'in-browsers', deleted: 0 });
    expect(byStore.redis!.outcome).toBe(redis ? 'emptied' : 'not-configured');
    expect(byStore.memcached!.outcome).toBe(memcached ? 'signed-out' : 'not-configured');

    // On disk, in the database file, in every instance's memory: nothing left.
    expect(await sessionFilesOnDisk()).toEqual([]);
    expect(countInFile('SELECT count(*) FROM demo_session')).toBe(0);
    for (let index = 1; index <= 4; index++) {
      expect(memoryStoreStats(instances.resolve(String(index)).memory).entries).toBe(0);
    }
    // Every browser that had a session comes back to a new one.
    for (const { storeId, instance, browser } of saved) {
      const loaded = await stores.get(storeId)!.load(browser.request(instance, Date.now));
      expect(loaded.status, `${storeId} on ${instance.id}`).not.toBe('ok');
    }
    // Progress, learners, their sign-ins and the class are untouched.
    expect(progressCounts()).toEqual(before);
    expect(before).toEqual({
      learners: 2,
      learnerSessions: 2,
      attempts: 2,
      lessons: 2,
      memberships: 2,
    });
  });

  it('leaves the stores working: new sessions save and count as before', async () => {
    await aBusyClass();
    await resetDemoSessions(deps);
    await save('filesystem', instances.resolve('1'), null);
    await save('memory', instances.resolve('1'), null);
    await save('sqlite', instances.resolve('1'), null);
    const figures = Object.fromEntries(
      (await measureStores(deps)).map((figure) => [figure.id, figure.sessions]),
    );
    expect(figures).toMatchObject({ filesystem: 1, memory: 1, sqlite: 1 });
  });

  it('reports unconfigured services as such and still empties the rest', async () => {
    const unconfigured = registryWith({});
    const report = await resetDemoSessions({ ...deps, stores: unconfigured });
    const outcomes = Object.fromEntries(
      report.stores.map((store) => [store.storeId, store.outcome]),
    );
    expect(outcomes.redis).toBe('not-configured');
    expect(outcomes.memcached).toBe('not-configured');
    expect(outcomes.sqlite).toBe('emptied');
  });
});

describe.skipIf(redisSkip !== null)('Redis', () => {
  it('deletes every key under the store’s prefix, over many SCAN pages, and nothing else', async () => {
    const raw = createClient({ url: redis!.url });
    await raw.connect();
    try {
      const saved = await save('redis', instances.resolve('1'), 'owner-1');
      const batch = raw.multi();
      for (let index = 0; index < 1500; index++) {
        batch.set(
          `${redisSessionKeyPrefix}${'k'.repeat(39)}${String(index).padStart(4, '0')}`,
          '{}',
        );
      }
      batch.set('another-app:keep-me', 'yes');
      await batch.exec();
      const counted = (await measureStores(deps)).find((figure) => figure.id === 'redis');
      expect(counted?.sessions).toBe(1501);

      const report = await resetDemoSessions(deps);

      expect(report.stores.find((store) => store.storeId === 'redis')).toMatchObject({
        outcome: 'emptied',
      });
      const left: string[] = [];
      for await (const keys of raw.scanIterator({ MATCH: `${redisSessionKeyPrefix}*` })) {
        left.push(...keys);
      }
      expect(left).toEqual([]);
      expect(await raw.get('another-app:keep-me')).toBe('yes');
      const loaded = await stores
        .get('redis')!
        .load(saved.browser.request(saved.instance, Date.now));
      expect(loaded.status).toBe('new');
    } finally {
      await raw.flushAll();
      raw.destroy();
    }
  });

  it('says so when Redis does not answer', async () => {
    const unanswered = registryWith({ REDIS_URL: 'redis://127.0.0.1:9' });
    const report = await resetDemoSessions({ ...deps, stores: unanswered });
    await closeStores(unanswered);
    expect(report.complete).toBe(false);
    expect(report.stores.find((store) => store.storeId === 'redis')).toMatchObject({
      outcome: 'unreachable',
    });
  });
});

describe.skipIf(memcachedSkip !== null)('Memcached', () => {
  it('signs recent learners out, deleting their listed sessions, without flushing', async () => {
    const raw = await Client.create(memcached!.address, { logger: { log: () => {} } });
    try {
      const learnerSessions = new LearnerSessions(db);
      const owner = (await learnerSessions.createLearner()).id;
      await learnerSessions.createLearnerSession(owner);
      const one = await save('memcached', instances.resolve('1'), owner);
      const two = await save('memcached', instances.resolve('2'), owner);
      await raw.set('another-app:keep-me', 'yes', {});
      // The Memcached store's default prefix is the same as Redis's.
      const key = (saved: Saved) =>
        `session-lab:session:${saved.browser.cookies.get('memcached_sid')}`;
      expect((await raw.get(key(one))).value).not.toBeNull();

      const report = await resetDemoSessions(deps);

      expect(report.stores.find((store) => store.storeId === 'memcached')).toMatchObject({
        outcome: 'signed-out',
        deleted: 2,
      });
      expect((await raw.get(key(one))).value).toBeNull();
      expect((await raw.get(key(two))).value).toBeNull();
      expect((await raw.get('another-app:keep-me')).value?.toString()).toBe('yes');
      for (const saved of [one, two]) {
        const loaded = await stores
          .get('memcached')!
          .load({ ...saved.browser.request(saved.instance, Date.now), owner });
        expect(loaded.status).not.toBe('ok');
      }
    } finally {
      await raw.flush();
      raw.close();
    }
  });
});
