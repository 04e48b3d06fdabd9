/**
 * The site's own data on both databases it speaks: the same course history written through the
 * same code into SQLite and into a real PostgreSQL reads back the same. Then what only several
 * processes can show: migrations started by many processes at once, class creation from two
 * processes taking turns, and `npm run db:copy` moving a SQLite DATA_DIR into PostgreSQL.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  serviceSkipReason,
  startPostgres,
  type RunningPostgres,
} from '../../scripts/services/index.ts';
import { quizSchema } from '../../src/course/schemas';
import { gradeQuiz } from '../../src/course/quiz-grading';
import { classActivity, classQuizFigures } from '../../src/server/instructor/class-figures';
import { createClass, joinClass, listClasses } from '../../src/server/instructor/classes';
import { classResultsCsv } from '../../src/server/instructor/results-csv';
import { deleteLearnerData, readLearnerData } from '../../src/server/learner/learner-data';
import { LearnerSessions } from '../../src/server/learner/learner-sessions';
import { commitPrediction, recordPress } from '../../src/server/learner/predictions';
import {
  getLearnerProgress,
  markLessonVisited,
  recordQuizAttempt,
} from '../../src/server/learner/progress';
import { openDatabase } from '../../src/server/platform/database';
import { migrations } from '../../src/server/platform/migrations';
import { postgresSiteDatabase, type SiteDatabase } from '../../src/server/platform/site-db/open';
import { postgresSchemaVersion } from '../../src/server/platform/site-db/postgres-migrations';
import { memorySiteDb } from '../support/site-db';

const skip = serviceSkipReason('postgres');
const run = promisify(execFile);

const quiz = quizSchema.parse({
  title: 'Where sessions live',
  passPercent: 50,
  questions: [
    {
      id: 'restart',
      kind: 'single',
      prompt: 'What happens to memory sessions on restart?',
      options: [
        { id: 'lost', text: 'Lost', correct: true, explanation: 'They lived in RAM.' },
        { id: 'kept', text: 'Kept', explanation: 'Nothing wrote them down.' },
      ],
    },
  ],
});
const quizzes = new Map([['memory', { title: 'Memory', quiz }]]);

let postgres: RunningPostgres;
const opened: SiteDatabase[] = [];

/** A fresh database in the running cluster, so each test starts from nothing. */
let databases = 0;
async function freshPostgresUrl(): Promise<string> {
  const name = `site_${process.pid}_${++databases}`;
  const admin = postgresSiteDatabase({ url: postgres.url, maxConnections: 1 });
  try {
    await sql.raw(`CREATE DATABASE ${name}`).execute(admin.db);
  } finally {
    await admin.close();
  }
  const url = new URL(postgres.url);
  url.pathname = `/${name}`;
  return url.toString();
}

async function openPostgres(url: string): Promise<SiteDatabase> {
  const site = postgresSiteDatabase({ url, maxConnections: 3 });
  opened.push(site);
  await site.ready;
  return site;
}

beforeAll(async () => {
  if (skip) return;
  postgres = await startPostgres();
}, 60_000);

afterAll(async () => {
  await Promise.all(opened.map((site) => site.close()));
  await postgres?.remove();
});

/** A small class's history, written the way the routes write it; what it reads back. */
async function courseHistory(db: SiteDatabase['db']) {
  let clock = Date.UTC(2026, 11, 1);
  const learners = new LearnerSessions(db, { now: () => clock });
  const classroom = await createClass(db, 'Tuesday group', clock);
  const ids: string[] = [];
  for (const answer of ['lost', 'kept', 'lost']) {
    const { learner } = await learners.createLearnerWithSession();
    ids.push(learner.id);
    await joinClass(db, classroom.id, learner.id, clock);
    clock += 1_000;
    await markLessonVisited(db, learner.id, 'memory-store', clock);
    await recordQuizAttempt(
      db,
      learner.id,
      'memory',
      gradeQuiz(quiz, { restart: [answer] }),
      clock,
      {
        lessonId: 'memory-store',
      },
    );
  }
  await commitPrediction(
    db,
    ids[0]!,
    { id: 'memory-restart', lesson: 'memory-store' },
    'lost',
    clock,
  );
  await recordPress(
    db,
    ids[0]!,
    'memory-restart',
    { outcome: 'lost', observed: 'new session', correct: true },
    clock,
  );
  // A second lesson started by its demo or by reading, a third untouched: the three states.
  await markLessonVisited(db, ids[0]!, 'redis-store', clock);
  const progress = await getLearnerProgress(db, ids[0]!, {
    'memory-store': 'memory',
    'redis-store': 'redis',
    'sqlite-store': 'sqlite',
  });
  const data = await readLearnerData(db, ids[0]!, { now: clock });
  const figures = await classQuizFigures(db, classroom.id, quizzes);
  const activity = await classActivity(db, classroom.id, clock);
  const csv = await classResultsCsv(db, classroom.id, { memory: 'Memory' });
  const classes = await listClasses(db);
  const deletion = await deleteLearnerData(
    {
      db,
      stores: new Map(),
      instances: { resolve: () => ({ id: '1', memory: new Map(), directory: '' }) },
    },
    ids[1]!,
  );
  return {
    progress: {
      quiz: progress.quizzes.memory,
      lesson: progress.lessons['memory-store'],
      states: Object.values(progress.lessons).map(({ lessonId, state }) => [lessonId, state]),
    },
    data: {
      sessions: data?.sessions.length,
      attempts: data?.quizAttempts.total,
      lessons: data?.lessons.listed,
      predictions: data?.predictions,
    },
    figures,
    activity,
    csvRows: csv.rows,
    csvLines: csv.csv.split('\r\n').length,
    classes: classes.map(({ name, members }) => ({ name, members })),
    deleted: deletion.rows,
    afterDeletion: (await listClasses(db)).map(({ members }) => members),
  };
}

describe.skipIf(skip)('the site data on SQLite and on PostgreSQL', () => {
  it('reads back the same course history from both', async () => {
    const sqlite = memorySiteDb();
    const fromSqlite = await courseHistory(sqlite.db);
    sqlite.close();
    const fromPostgres = await courseHistory((await openPostgres(await freshPostgresUrl())).db);
    expect(fromSqlite.progress.quiz).toMatchObject({ attempts: 1, passed: true });
    expect(fromSqlite.progress.states).toEqual([
      ['memory-store', 'done'],
      ['redis-store', 'in-progress'],
      ['sqlite-store', 'not-started'],
    ]);
    expect(fromSqlite.figures.quizzes[0]).toMatchObject({ learners: 3, passed: 2 });
    expect(fromSqlite.deleted).toMatchObject({ learner: 1, quizAttempts: 1, classMemberships: 1 });
    expect(fromPostgres).toEqual(fromSqlite);
  });

  it('migrates once when many processes start on a fresh database at once', async () => {
    const url = await freshPostgresUrl();
    const starting = Array.from({ length: 6 }, () =>
      postgresSiteDatabase({ url, maxConnections: 1 }),
    );
    opened.push(...starting);
    await Promise.all(starting.map((site) => site.ready));
    expect(await postgresSchemaVersion(starting[0]!.db)).toBe(migrations.length);
    const { rows } = await sql<{
      count: number;
    }>`SELECT count(*) AS count FROM site_migration`.execute(starting[0]!.db);
    expect(Number(rows[0]!.count)).toBe(migrations.length);
  });

  it('gives classes created by two processes at once distinct codes, every one kept', async () => {
    const url = await freshPostgresUrl();
    const [first, second] = [await openPostgres(url), await openPostgres(url)];
    // Three classes from three codes: each creation must see the others' codes before it picks.
    const codes = () => ['AAAAAA', 'CCCCCC', 'DDDDDD'][Math.floor(Math.random() * 3)]!;
    const made = await Promise.all(
      [first, second, first].map((site, index) =>
        createClass(site.db, `Class ${index}`, Date.now(), codes),
      ),
    );
    expect(new Set(made.map((classroom) => classroom.code))).toEqual(
      new Set(['AAAAAA', 'CCCCCC', 'DDDDDD']),
    );
    expect((await listClasses(second.db)).length).toBe(3);
  });
});

describe.skipIf(skip)('npm run db:copy', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'session-lab-copy-'));
  });
  afterAll(async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const copy = (url: string) =>
    run('npm', ['run', '--silent', 'db:copy'], {
      env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: url },
      timeout: 60_000,
    });

  it('copies a SQLite DATA_DIR into PostgreSQL, prints counts, and copies nothing twice', async () => {
    const file = openDatabase(path.join(dataDir, 'session-lab.sqlite'));
    const sqlite = memorySiteDb(file);
    const learners = new LearnerSessions(sqlite.db);
    const { learner } = await learners.createLearnerWithSession();
    const attemptId = await recordQuizAttempt(
      sqlite.db,
      learner.id,
      'memory',
      gradeQuiz(quiz, { restart: ['lost'] }),
      Date.now(),
      { lessonId: 'memory-store' },
    );
    const classroom = await createClass(sqlite.db, 'Copied class');
    await joinClass(sqlite.db, classroom.id, learner.id);
    const before = await readLearnerData(sqlite.db, learner.id);
    sqlite.close();

    const url = await freshPostgresUrl();
    const first = await copy(url);
    expect(first.stdout).toMatch(/learner\s+1\s+1\s+0/);
    expect(first.stdout).toMatch(/quiz_attempt\s+1\s+1\s+0/);
    expect(first.stdout).toMatch(/classroom_member\s+1\s+1\s+0/);
    const again = await copy(url);
    expect(again.stdout).toMatch(/learner\s+1\s+0\s+1/);
    expect(again.stdout).toMatch(/quiz_attempt\s+1\s+0\s+1/);

    const site = await openPostgres(url);
    expect(await readLearnerData(site.db, learner.id)).toEqual(before);
    // The copied attempt keeps its id (result links carry it); a new one comes after it.
    const next = await recordQuizAttempt(
      site.db,
      learner.id,
      'memory',
      gradeQuiz(quiz, {}),
      Date.now(),
    );
    expect(next).toBeGreaterThan(attemptId);
  });

  it('refuses clearly without DATABASE_URL or without a SQLite file', async () => {
    const missing = await copy('').catch((error: { code: number; stderr: string }) => error);
    expect(missing).toMatchObject({ code: 1 });
    expect((missing as { stderr: string }).stderr).toMatch(/set DATABASE_URL/);
    const empty = await mkdtemp(path.join(tmpdir(), 'session-lab-copy-empty-'));
    const noFile = await run('npm', ['run', '--silent', 'db:copy'], {
      env: { ...process.env, DATA_DIR: empty, DATABASE_URL: postgres.url },
    }).catch((error: { code: number; stderr: string }) => error);
    await rm(empty, { recursive: true, force: true });
    expect(noFile).toMatchObject({ code: 1 });
    expect((noFile as { stderr: string }).stderr).toMatch(/no SQLite database/);
  });
});
