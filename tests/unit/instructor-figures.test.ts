import { mkdtemp, rm } from 'node:fs/promises';
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
import type { Instance } from '../../src/sessions/types';
import {
  activeWindowMs,
  classActivity,
  classQuizFigures,
  type QuizEntry,
} from '../../src/server/instructor/class-figures';
import { createClass, joinClass } from '../../src/server/instructor/classes';
import { type Database } from '../../src/server/platform/database';
import type { SiteDb } from '../../src/server/platform/site-db/open';
import { memorySiteDb, type TestSiteDb } from '../support/site-db';
import { measureStores } from '../../src/server/instructor/store-figures';
import { LearnerSessions } from '../../src/server/learner/learner-sessions';
import { recordQuizAttempt } from '../../src/server/learner/progress';
import { gradeQuiz } from '../../src/course/quiz-grading';
import { SimulatedBrowser } from '../support/simulated-browser';

const quiz = quizSchema.parse({
  title: 'Where sessions live',
  passPercent: 50,
  questions: [
    {
      id: 'memory',
      kind: 'single',
      prompt: 'Where does a memory session live?',
      options: [
        { id: 'ram', text: 'In one process', correct: true, explanation: 'A Map.' },
        { id: 'disk', text: 'On disk', explanation: 'Filesystem.' },
        { id: 'cookie', text: 'In the cookie', explanation: 'Cookie stores.' },
      ],
    },
    {
      id: 'shared',
      kind: 'multiple',
      prompt: 'Which stores do instances share?',
      options: [
        { id: 'redis', text: 'Redis', correct: true, explanation: 'A service.' },
        { id: 'sqlite', text: 'SQLite', correct: true, explanation: 'One file.' },
        { id: 'memory', text: 'Memory', explanation: 'Per process.' },
      ],
    },
  ],
});
const quizzes = new Map<string, QuizEntry>([['where', { title: quiz.title, quiz }]]);

let dataDir: string;
let site: TestSiteDb;
let db: SiteDb;
let file: Database;
let learners: LearnerSessions;
let time: number;

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'session-lab-figures-'));
  site = memorySiteDb();
  ({ db, file } = site);
  time = 10_000_000;
  learners = new LearnerSessions(db, { now: () => time });
});

afterEach(async () => {
  site.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** `count` new learners' ids, made one after another. */
async function newLearners(count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let made = 0; made < count; made++) ids.push((await learners.createLearner()).id);
  return ids;
}

describe('class activity', () => {
  it('counts members seen, quizzing or using a demo within five minutes', async () => {
    const classroom = await createClass(db, 'Activity');
    const ids = await newLearners(4);
    for (const id of ids) await joinClass(db, classroom.id, id, time);
    // 1: a new site session now; 2: a quiz now; 3: a demo request now, which reads (and so
    // touches) the learner's session; 4: idle.
    await learners.createLearnerSession(ids[0]!);
    const { token } = await learners.createLearnerSession(ids[2]!);
    time += 10 * 60_000;
    await learners.createLearnerSession(ids[0]!);
    await recordQuizAttempt(db, ids[1]!, 'where', gradeQuiz(quiz, {}), time);
    expect(await learners.validateLearnerSessionToken(token)).not.toBeNull();
    expect(await classActivity(db, classroom.id, time)).toEqual({ members: 4, active: 3 });
    expect(await classActivity(db, classroom.id, time + activeWindowMs + 1)).toEqual({
      members: 4,
      active: 0,
    });
  });
});

describe('quiz figures', () => {
  it('grades each member’s latest attempt since joining and finds the commonest wrong answer', async () => {
    const classroom = await createClass(db, 'Quiz figures');
    const [a, b, c, outsider] = await newLearners(4);
    for (const id of [a, b, c]) await joinClass(db, classroom.id, id!, 1_000);
    const attempt = (id: string, answers: Record<string, string[]>, at: number) =>
      recordQuizAttempt(db, id, 'where', gradeQuiz(quiz, answers), at);
    await attempt(a!, { memory: ['disk'] }, 500); // before joining: not counted
    await attempt(a!, { memory: ['disk'], shared: ['redis'] }, 2_000); // superseded
    await attempt(a!, { memory: ['ram'], shared: ['redis', 'sqlite'] }, 3_000);
    await attempt(b!, { memory: ['cookie'], shared: ['redis', 'memory'] }, 3_000);
    await attempt(c!, { memory: ['cookie'], shared: ['redis', 'sqlite'] }, 3_000);
    await attempt(outsider!, { memory: ['disk'] }, 3_000);

    const { quizzes: figures, ungradable } = await classQuizFigures(db, classroom.id, quizzes);
    expect(ungradable).toBe(0);
    expect(figures).toHaveLength(1);
    const [figure] = figures;
    expect(figure).toMatchObject({ quizId: 'where', learners: 3, passed: 2 });
    expect(figure!.averageScorePercent).toBe(Math.round((100 + 0 + 50) / 3));
    const [memory, shared] = figure!.questions;
    expect(memory).toMatchObject({ answered: 3, right: 1 });
    expect(memory!.rightShare).toBeCloseTo(1 / 3);
    expect(memory!.mostChosenWrong).toEqual({
      optionId: 'cookie',
      text: 'In the cookie',
      count: 2,
    });
    expect(shared).toMatchObject({ answered: 3, right: 2 });
    expect(shared!.mostChosenWrong).toEqual({ optionId: 'memory', text: 'Memory', count: 1 });
    // Aggregates only: no learner id anywhere in what the dashboard receives.
    for (const id of [a, b, c]) expect(JSON.stringify(figures)).not.toContain(id);
  });

  it('leaves out attempts at quizzes it does not know', async () => {
    const classroom = await createClass(db, 'Unknown quiz');
    const id = (await learners.createLearner()).id;
    await joinClass(db, classroom.id, id, 0);
    await recordQuizAttempt(db, id, 'gone', gradeQuiz(quiz, {}), 10);
    expect(await classQuizFigures(db, classroom.id, quizzes)).toEqual({
      quizzes: [],
      ungradable: 1,
    });
  });
});

describe('store figures', () => {
  let stores: StoreRegistry;
  let instances: InstanceSimulator;

  beforeEach(async () => {
    stores = createStoreRegistry(
      {
        secrets: ['figures-test-secret-0123456789abcdef0123'],
        secureCookies: false,
        dataDir,
        db: file,
      },
      readStoreSettings({}),
    );
    instances = new InstanceSimulator(dataDir);
  });

  async function save(storeId: StoreId, instance: Instance, bytes: number) {
    const browser = new SimulatedBrowser();
    const ctx = { ...browser.request(instance, Date.now), owner: 'someone' };
    await stores.get(storeId)!.save(ctx, { pad: 'x'.repeat(bytes) });
  }

  it('counts live sessions and bytes in the server stores it can list', async () => {
    await save('sqlite', instances.resolve('1'), 100);
    await save('sqlite', instances.resolve('2'), 300);
    await save('memory', instances.resolve('1'), 50);
    await save('memory', instances.resolve('3'), 50);
    await save('filesystem', instances.resolve('2'), 10);
    await save('filesystem', instances.resolve('fresh'), 10);

    const figures = Object.fromEntries(
      (await measureStores({ db, stores, instances })).map((figure) => [figure.id, figure]),
    );
    expect(figures.sqlite).toMatchObject({ sessions: 2 });
    expect(figures.sqlite!.bytes).toBe(
      JSON.stringify({ pad: 'x'.repeat(100) }).length +
        JSON.stringify({ pad: 'x'.repeat(300) }).length,
    );
    expect(figures.sqlite!.averageBytes).toBe(Math.round(figures.sqlite!.bytes! / 2));
    expect(figures.memory).toMatchObject({ sessions: 2 });
    expect(figures.filesystem).toMatchObject({ sessions: 2 });
    expect(figures.filesystem!.bytes).toBeGreaterThan(20);
    expect(figures['signed-cookie']).toMatchObject({ sessions: null });
    expect(figures['signed-cookie']!.note).toMatch(/browser/);
    expect(figures.redis).toMatchObject({
      sessions: null,
      note: expect.stringMatching(/REDIS_URL/),
    });
    expect(figures.memcached!.note).toMatch(/MEMCACHED_SERVERS/);
  });
});
