/**
 * The periodic sweep purges learners idle for 30 days with everything they own: rows in the
 * site's real SQLite database and their sessions in the real memory, filesystem and SQLite demo
 * stores (on every instance), while learners who came back keep everything.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { quizSchema } from '../../src/course/schemas';
import type { StoreId } from '../../src/sessions/catalog';
import { createRedisStore } from '../../src/sessions/stores/redis/store';
import type { Instance } from '../../src/sessions/types';
import { createClass, joinClass } from '../../src/server/instructor/classes';
import { learnerInactivityLimitMs, purgeInactiveLearners } from '../../src/server/learner/purge';
import { LearnerSessions } from '../../src/server/learner/learner-sessions';
import { sweepExpired } from '../../src/server/platform/maintenance';
import { commitPrediction } from '../../src/server/learner/predictions';
import { markLessonVisited, recordQuizAttempt } from '../../src/server/learner/progress';
import { gradeQuiz } from '../../src/course/quiz-grading';
import { SimulatedBrowser } from '../support/simulated-browser';
import { createTestApp, type TestApp } from '../support/test-app';

const DAY_MS = 24 * 60 * 60 * 1000;

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

let testApp: TestApp | undefined;

afterEach(async () => {
  await testApp?.close();
  testApp = undefined;
});

/** The sweep runs "now"; learners are made in the past by giving their clock an earlier time. */
const now = Date.now();

async function start() {
  testApp = await createTestApp();
  return testApp.app;
}

/**
 * A learner who last did anything at `lastActiveAt`: a learner session, two quiz attempts, lesson
 * progress, a class membership, and demo sessions saved now (so only the purge can remove them,
 * never their own expiry) in memory, the filesystem (a named and a "fresh" instance) and SQLite.
 */
async function learnerLastActiveAt(lastActiveAt: number, classId: string) {
  const app = testApp!.app;
  const learnerSessions = new LearnerSessions(app.db, { now: () => lastActiveAt });
  const { learner, token } = await learnerSessions.createLearnerWithSession();
  await recordQuizAttempt(
    app.db,
    learner.id,
    'memory',
    gradeQuiz(quiz, { where: ['disk'] }),
    lastActiveAt,
  );
  await recordQuizAttempt(
    app.db,
    learner.id,
    'memory',
    gradeQuiz(quiz, { where: ['ram'] }),
    lastActiveAt,
    {
      lessonId: 'memory-store',
    },
  );
  await markLessonVisited(app.db, learner.id, 'why-sessions', lastActiveAt);
  await commitPrediction(
    app.db,
    learner.id,
    { id: 'memory-restart', lesson: 'why-sessions' },
    'lost',
    lastActiveAt,
  );
  await joinClass(app.db, classId, learner.id, lastActiveAt);

  const places: [StoreId, Instance][] = [
    ['memory', app.instances.resolve('1')],
    ['filesystem', app.instances.resolve('2')],
    ['filesystem', app.instances.resolve('fresh')],
    ['sqlite', app.instances.resolve('1')],
  ];
  const browsers: { storeId: StoreId; instance: Instance; browser: SimulatedBrowser }[] = [];
  for (const [storeId, instance] of places) {
    const store = app.stores.get(storeId)!;
    const browser = new SimulatedBrowser();
    const ctx = { ...browser.request(instance, () => now), owner: learner.id };
    await store.load(ctx);
    await store.save(ctx, { note: `kept by ${storeId}` });
    browser.receive(ctx);
    browsers.push({ storeId, instance, browser });
  }
  return { learner: learner.id, token, browsers };
}

function rowsOf(learner: string) {
  const count = (sql: string) =>
    testApp!.app.sqliteFile.prepare<[string], number>(sql).pluck().get(learner) ?? 0;
  return {
    learner: count('SELECT count(*) FROM learner WHERE id = ?'),
    learnerSessions: count('SELECT count(*) FROM learner_session WHERE learner_id = ?'),
    quizAttempts: count('SELECT count(*) FROM quiz_attempt WHERE learner_id = ?'),
    lessonProgress: count('SELECT count(*) FROM lesson_progress WHERE learner_id = ?'),
    classMemberships: count('SELECT count(*) FROM classroom_member WHERE learner_id = ?'),
    demoSessions: count('SELECT count(*) FROM demo_session WHERE owner = ?'),
    predictions: count('SELECT count(*) FROM prediction WHERE learner_id = ?'),
  };
}

const everything = {
  learner: 1,
  learnerSessions: 1,
  quizAttempts: 2,
  lessonProgress: 2,
  classMemberships: 1,
  demoSessions: 1,
  predictions: 1,
};
const nothing = {
  learner: 0,
  learnerSessions: 0,
  quizAttempts: 0,
  lessonProgress: 0,
  classMemberships: 0,
  demoSessions: 0,
  predictions: 0,
};

async function filesOwnedBy(owner: string): Promise<number> {
  const root = path.join(testApp!.dataDir, 'instances');
  let owned = 0;
  for (const instance of await readdir(root).catch(() => [])) {
    for (const name of await readdir(path.join(root, instance))) {
      if (!name.endsWith('.json')) continue;
      if ((await readFile(path.join(root, instance, name), 'utf8')).includes(owner)) owned++;
    }
  }
  return owned;
}

async function liveSessions(browsers: Awaited<ReturnType<typeof learnerLastActiveAt>>['browsers']) {
  const app = testApp!.app;
  let live = 0;
  for (const { storeId, instance, browser } of browsers) {
    const loaded = await app.stores.get(storeId)!.load(browser.request(instance, () => now));
    if (loaded.status === 'ok') live++;
  }
  return live;
}

describe('purging learners idle for 30 days', () => {
  it('deletes an idle learner with everything they own and keeps one who came back', async () => {
    const app = await start();
    const classroom = await createClass(app.db, 'Morning group');
    const idle = await learnerLastActiveAt(now - 31 * DAY_MS, classroom.id);
    const returning = await learnerLastActiveAt(now - 31 * DAY_MS, classroom.id);
    // The returning learner's browser was seen two days ago (their cookie validated).
    const twoDaysAgo = new LearnerSessions(app.db, { now: () => now - 2 * DAY_MS });
    expect(await twoDaysAgo.validateLearnerSessionToken(returning.token)).not.toBeNull();
    const recent = await learnerLastActiveAt(now - DAY_MS, classroom.id);

    expect(rowsOf(idle.learner)).toEqual(everything);
    expect(await filesOwnedBy(idle.learner)).toBe(2);
    expect(await liveSessions(idle.browsers)).toBe(4);

    const removed = await sweepExpired(app, now);

    expect(removed.inactiveLearners).toBe(1);
    expect(removed['inactiveLearners.quizAttempts']).toBe(2);
    expect(removed['inactiveLearners.classMemberships']).toBe(1);
    expect(removed['inactiveLearners.predictions']).toBe(1);
    // memory 1, filesystem 2 (a named and a fresh instance), sqlite 1
    expect(removed['inactiveLearners.storeSessions']).toBe(4);
    expect(rowsOf(idle.learner)).toEqual(nothing);
    expect(await filesOwnedBy(idle.learner)).toBe(0);
    expect(await liveSessions(idle.browsers)).toBe(0);

    for (const kept of [returning, recent]) {
      expect(rowsOf(kept.learner)).toEqual(everything);
      expect(await filesOwnedBy(kept.learner)).toBe(2);
      expect(await liveSessions(kept.browsers)).toBe(4);
    }
    // Nothing more to purge: a second sweep finds no one.
    expect((await sweepExpired(app, now)).inactiveLearners).toBe(0);
  });

  it('keeps a learner whose session is still valid, whatever their activity stamp says', async () => {
    const app = await start();
    const classroom = await createClass(app.db, 'Evening group');
    const { learner } = await learnerLastActiveAt(now - 31 * DAY_MS, classroom.id);
    new LearnerSessions(app.db, { now: () => now - DAY_MS }).createLearnerSession(learner);
    expect((await sweepExpired(app, now)).inactiveLearners).toBe(0);
    expect(rowsOf(learner).learner).toBe(1);
  });

  it('purges at most `limit` learners a run, the longest idle first', async () => {
    const app = await start();
    const classroom = await createClass(app.db, 'Big group');
    const oldest = await learnerLastActiveAt(now - 40 * DAY_MS, classroom.id);
    const older = await learnerLastActiveAt(now - 35 * DAY_MS, classroom.id);
    const old = await learnerLastActiveAt(now - learnerInactivityLimitMs - 1, classroom.id);
    const deps = {
      db: app.db,
      stores: app.stores,
      instances: app.instances,
    };

    expect(await purgeInactiveLearners(deps, { now, limit: 2 })).toMatchObject({ learners: 2 });
    expect(rowsOf(oldest.learner).learner).toBe(0);
    expect(rowsOf(older.learner).learner).toBe(0);
    expect(rowsOf(old.learner)).toEqual(everything);

    expect(await purgeInactiveLearners(deps, { now, limit: 2 })).toMatchObject({ learners: 1 });
    expect(rowsOf(old.learner)).toEqual(nothing);
    expect(await filesOwnedBy(old.learner)).toBe(0);
  });

  it('keeps the learner for the next sweep when a configured store cannot be reached', async () => {
    const app = await start();
    const classroom = await createClass(app.db, 'Offline group');
    const { learner } = await learnerLastActiveAt(now - 31 * DAY_MS, classroom.id);
    await learnerLastActiveAt(now - 32 * DAY_MS, classroom.id);
    const unreachableRedis = createRedisStore({
      url: 'redis://127.0.0.1:9',
      secure: false,
      connectTimeoutMs: 200,
      commandTimeoutMs: 200,
      log: () => {},
    });
    try {
      const stores = new Map([...app.stores, ['redis', unreachableRedis]]) as typeof app.stores;
      const purge = await purgeInactiveLearners(
        { db: app.db, stores, instances: app.instances },
        { now },
      );
      // The first learner tried was kept and the run stopped there.
      expect(purge).toMatchObject({ learners: 0, kept: 1 });
      expect(rowsOf(learner).learner).toBe(1);
    } finally {
      await unreachableRedis.close?.();
    }
  });
});
