import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { quizSchema } from '../../src/course/schemas';
import { InstanceSimulator } from '../../src/lab/instances';
import type { StoreId } from '../../src/sessions/catalog';
import {
  createStoreRegistry,
  readStoreSettings,
  type StoreRegistry,
} from '../../src/sessions/registry';
import { createRedisStore } from '../../src/sessions/stores/redis/store';
import type { Instance } from '../../src/sessions/types';
import { createClass, joinClass } from '../../src/server/instructor/classes';
import { type Database } from '../../src/server/platform/database';
import type { SiteDb } from '../../src/server/platform/site-db/open';
import { memorySiteDb, type TestSiteDb } from '../support/site-db';
import {
  deleteLearnerData,
  expiredStoreCookies,
  readLearnerData,
  readOwnedDemoSessions,
  type LearnerDataDeps,
} from '../../src/server/learner/learner-data';
import { LearnerSessions } from '../../src/server/learner/learner-sessions';
import { commitPrediction } from '../../src/server/learner/predictions';
import { markLessonVisited, recordQuizAttempt } from '../../src/server/learner/progress';
import { gradeQuiz } from '../../src/course/quiz-grading';
import { SimulatedBrowser } from '../support/simulated-browser';

const quiz = quizSchema.parse({
  title: 'Where sessions live',
  passPercent: 50,
  questions: [
    {
      id: 'where',
      kind: 'single',
      prompt: 'Where does a memory session live?',
      options: [
        { id: 'ram', text: 'In one process', correct: true, explanation: 'A Map in RAM.' },
        { id: 'disk', text: 'On disk', explanation: 'That is the filesystem store.' },
      ],
    },
  ],
});

let dataDir: string;
let site: TestSiteDb;
let db: SiteDb;
let file: Database;
let stores: StoreRegistry;
let instances: InstanceSimulator;
let deps: LearnerDataDeps;

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'session-lab-learner-data-'));
  site = memorySiteDb();
  ({ db, file } = site);
  stores = createStoreRegistry(
    {
      secrets: ['learner-data-test-secret-0123456789abcdef'],
      secureCookies: false,
      dataDir,
      db: file,
    },
    readStoreSettings({}),
  );
  instances = new InstanceSimulator(dataDir);
  deps = {
    db,
    stores,
    instances,
  };
});

afterEach(async () => {
  site.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** A learner with progress, a site session, and demo sessions in three server stores. */
async function learnerWithEverything() {
  const learnerSessions = new LearnerSessions(db);
  const learner = (await learnerSessions.createLearner()).id;
  await learnerSessions.createLearnerSession(learner);
  await learnerSessions.createLearnerSession(learner);
  await recordQuizAttempt(db, learner, 'memory', gradeQuiz(quiz, { where: ['disk'] }), 1_000);
  await recordQuizAttempt(db, learner, 'memory', gradeQuiz(quiz, { where: ['ram'] }), 2_000, {
    lessonId: 'memory-store',
  });
  await markLessonVisited(db, learner, 'why-sessions', 500);
  // A lesson already visited, so the prediction adds its own row only.
  await commitPrediction(
    db,
    learner,
    { id: 'memory-restart', lesson: 'why-sessions' },
    'lost',
    600,
  );
  await joinClass(db, (await createClass(db, 'Morning group')).id, learner);

  const fresh = instances.resolve('fresh');
  const places: [StoreId, Instance][] = [
    ['memory', instances.resolve('1')],
    ['memory', instances.resolve('3')],
    ['filesystem', instances.resolve('1')],
    ['filesystem', instances.resolve('4')],
    ['filesystem', fresh],
    ['sqlite', instances.resolve('1')],
    ['sqlite', instances.resolve('2')],
  ];
  const browsers: { storeId: StoreId; instance: Instance; browser: SimulatedBrowser }[] = [];
  for (const [storeId, instance] of places) {
    browsers.push({ storeId, instance, browser: await saveSession(storeId, instance, learner) });
  }
  return { learner, browsers };
}

async function saveSession(storeId: StoreId, instance: Instance, owner: string) {
  const store = stores.get(storeId)!;
  const browser = new SimulatedBrowser();
  const ctx = { ...browser.request(instance, Date.now), owner };
  await store.load(ctx);
  await store.save(ctx, { owner, note: `a session in ${storeId} on ${instance.id}` });
  browser.receive(ctx);
  return browser;
}

async function sessionFiles(): Promise<string[]> {
  const root = path.join(dataDir, 'instances');
  const files: string[] = [];
  for (const instance of await readdir(root).catch(() => [])) {
    for (const name of await readdir(path.join(root, instance))) {
      if (name.endsWith('.json')) files.push(path.join(root, instance, name));
    }
  }
  return files;
}

async function filesOwnedBy(owner: string): Promise<number> {
  let owned = 0;
  for (const file of await sessionFiles()) {
    if ((await readFile(file, 'utf8')).includes(owner)) owned++;
  }
  return owned;
}

function countRows(learner: string) {
  const count = (sql: string) => file.prepare<[string], number>(sql).pluck().get(learner);
  return {
    learner: count('SELECT count(*) FROM learner WHERE id = ?'),
    predictions: count('SELECT count(*) FROM prediction WHERE learner_id = ?'),
    learnerSessions: count('SELECT count(*) FROM learner_session WHERE learner_id = ?'),
    quizAttempts: count('SELECT count(*) FROM quiz_attempt WHERE learner_id = ?'),
    lessonProgress: count('SELECT count(*) FROM lesson_progress WHERE learner_id = ?'),
    classMemberships: count('SELECT count(*) FROM classroom_member WHERE learner_id = ?'),
    demoSessions: count('SELECT count(*) FROM demo_session WHERE owner = ?'),
  };
}

describe('what the site holds about a learner', () => {
  it('lists the learner, their sessions, attempts, lessons and SQLite demo sessions', async () => {
    const { learner } = await learnerWithEverything();
    const data = (await readLearnerData(db, learner))!;
    expect(data.learner.id).toBe(learner);
    expect(data.learner.shortId).toBe(`${learner.slice(0, 8)}…`);
    expect(data.sessions).toHaveLength(2);
    expect(data.quizAttempts.total).toBe(2);
    expect(data.quizAttempts.listed.map((attempt) => attempt.scorePercent)).toEqual([100, 0]);
    expect(data.lessons.listed.map((lesson) => lesson.lessonId).sort()).toEqual([
      'memory-store',
      'why-sessions',
    ]);
    expect(data.predictions).toEqual([
      expect.objectContaining({ checkpointId: 'memory-restart', predicted: 'lost', outcome: null }),
    ]);
    const owned = Object.fromEntries(
      (await readOwnedDemoSessions(deps, learner)).map((store) => [store.storeId, store]),
    );
    expect(owned.sqlite?.sessions).toHaveLength(2);
    expect(owned.sqlite?.problem).toBeNull();
  });

  it('answers null for a learner it does not know', async () => {
    expect(await readLearnerData(db, 'nobody')).toBeNull();
  });
});

describe('deleting a learner', () => {
  it('removes every row and every store session of the learner, and no one else’s', async () => {
    const { learner, browsers } = await learnerWithEverything();
    const other = await learnerWithEverything();
    expect(await filesOwnedBy(learner)).toBe(3);
    expect(countRows(learner)).toEqual({
      learner: 1,
      learnerSessions: 2,
      quizAttempts: 2,
      lessonProgress: 2,
      classMemberships: 1,
      demoSessions: 2,
      predictions: 1,
    });

    const deletion = await deleteLearnerData(deps, learner);

    expect(deletion.complete).toBe(true);
    const byStore = Object.fromEntries(deletion.stores.map((store) => [store.storeId, store]));
    expect(byStore.memory).toMatchObject({ outcome: 'deleted', sessions: 2 });
    expect(byStore.filesystem).toMatchObject({ outcome: 'deleted', sessions: 3 });
    expect(byStore.filesystem!.instances).toEqual(
      expect.arrayContaining(['1', '2', '3', '4', expect.stringMatching(/^fresh-/)]),
    );
    expect(byStore.sqlite).toMatchObject({ outcome: 'deleted', sessions: 2, instances: ['1'] });
    expect(byStore.redis).toMatchObject({ outcome: 'not-configured', sessions: 0 });
    expect(byStore.memcached).toMatchObject({ outcome: 'not-configured', sessions: 0 });
    expect(deletion.rows).toMatchObject({
      learner: 1,
      learnerSessions: 2,
      quizAttempts: 2,
      lessonProgress: 2,
      classMemberships: 1,
      predictions: 1,
    });

    expect(countRows(learner)).toEqual({
      learner: 0,
      learnerSessions: 0,
      quizAttempts: 0,
      lessonProgress: 0,
      classMemberships: 0,
      demoSessions: 0,
      predictions: 0,
    });
    expect(await filesOwnedBy(learner)).toBe(0);
    // The learner's browsers come back to nothing, in every store and on every instance.
    for (const { storeId, instance, browser } of browsers) {
      const loaded = await stores.get(storeId)!.load(browser.request(instance, Date.now));
      expect(loaded.status, `${storeId} on ${instance.id}`).not.toBe('ok');
    }

    // The other learner keeps everything.
    expect(countRows(other.learner)).toMatchObject({ learner: 1, demoSessions: 2 });
    expect(await filesOwnedBy(other.learner)).toBe(3);
    for (const { storeId, instance, browser } of other.browsers) {
      const loaded = await stores.get(storeId)!.load(browser.request(instance, Date.now));
      expect(loaded.status, `${storeId} on ${instance.id}`).toBe('ok');
    }
  });

  it('keeps the learner for a retry when a configured store cannot be reached', async () => {
    const { learner } = await learnerWithEverything();
    const unreachableRedis = createRedisStore({
      url: 'redis://127.0.0.1:9',
      secure: false,
      connectTimeoutMs: 200,
      commandTimeoutMs: 200,
      log: () => {},
    });
    const partial = new Map([
      ['sqlite', stores.get('sqlite')!],
      ['redis', unreachableRedis],
    ]) as StoreRegistry;
    try {
      const deletion = await deleteLearnerData({ ...deps, stores: partial }, learner);
      expect(deletion.complete).toBe(false);
      expect(deletion.stores.find((store) => store.storeId === 'redis')).toMatchObject({
        outcome: 'unreachable',
      });
      // What could be deleted was; the learner stays so a retry can reach Redis.
      expect(countRows(learner)).toMatchObject({ learner: 1, quizAttempts: 2, demoSessions: 0 });
    } finally {
      await unreachableRedis.close?.();
    }
  });

  it('tells the browser to drop the cookie of every store that runs here', async () => {
    const lines = await expiredStoreCookies(deps);
    const names = lines.map((line) => line.split('=')[0]);
    expect(names).toEqual(
      expect.arrayContaining(['plain_session', 'session', 'sealed_session', 'jwt', 'memory_sid']),
    );
    for (const line of lines) {
      expect(line).toMatch(/Max-Age=0/);
      expect(line).toMatch(/Path=\/api\/demo\//);
    }
  });
});
