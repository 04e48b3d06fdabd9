import { beforeEach, describe, expect, it } from 'vitest';
import { quizSchema, type Quiz } from '../../src/course/schemas';
import { type Database } from '../../src/server/platform/database';
import type { SiteDb } from '../../src/server/platform/site-db/open';
import { memorySiteDb, type TestSiteDb } from '../support/site-db';
import { LearnerSessions } from '../../src/server/learner/learner-sessions';
import {
  getAttempt,
  getLearnerProgress,
  markLessonVisited,
  recordQuizAttempt,
} from '../../src/server/learner/progress';
import { gradeQuiz } from '../../src/course/quiz-grading';

const quiz: Quiz = quizSchema.parse({
  title: 'Memory sessions',
  passPercent: 50,
  questions: [
    {
      id: 'restart',
      kind: 'single',
      prompt: 'What happens on restart?',
      options: [
        { id: 'lost', text: 'Sessions are lost', correct: true, explanation: 'They lived in RAM.' },
        { id: 'kept', text: 'Sessions are kept', explanation: 'Nothing wrote them down.' },
      ],
    },
    {
      id: 'instances',
      kind: 'single',
      prompt: 'Are they shared between instances?',
      options: [
        { id: 'no', text: 'No', correct: true, explanation: 'Each process has its own map.' },
        { id: 'yes', text: 'Yes', explanation: 'Only with a shared store.' },
      ],
    },
  ],
});

const zero = gradeQuiz(quiz, {});
const half = gradeQuiz(quiz, { restart: ['lost'], instances: ['yes'] });
const full = gradeQuiz(quiz, { restart: ['lost'], instances: ['no'] });
const lessonQuizzes = { 'memory-store': 'memory', 'redis-store': 'redis' };

let site: TestSiteDb;
let db: SiteDb;
let file: Database;
let learnerId: string;
let otherLearnerId: string;

beforeEach(async () => {
  site = memorySiteDb();
  ({ db, file } = site);
  const sessions = new LearnerSessions(db, { now: () => 1_000 });
  learnerId = (await sessions.createLearner()).id;
  otherLearnerId = (await sessions.createLearner()).id;
});

describe('learner progress', () => {
  it('keeps the best score over retries and counts attempts', async () => {
    await recordQuizAttempt(db, learnerId, 'memory', half, 10);
    await recordQuizAttempt(db, learnerId, 'memory', full, 20);
    await recordQuizAttempt(db, learnerId, 'memory', zero, 30);

    const { quizzes } = await getLearnerProgress(db, learnerId, lessonQuizzes);
    expect(quizzes.memory).toEqual({
      quizId: 'memory',
      attempts: 3,
      bestScorePercent: 100,
      passed: true,
      lastAttemptAt: new Date(30),
    });
    expect(quizzes.redis).toBeUndefined();
  });

  it('completes a lesson once its quiz is passed, and not before', async () => {
    await markLessonVisited(db, learnerId, 'memory-store', 5);
    await markLessonVisited(db, learnerId, 'memory-store', 6);
    await recordQuizAttempt(db, learnerId, 'memory', zero, 10);

    let { lessons } = await getLearnerProgress(db, learnerId, lessonQuizzes);
    expect(lessons['memory-store']).toEqual({
      lessonId: 'memory-store',
      visited: true,
      firstVisitedAt: new Date(5),
      completed: false,
      completedAt: null,
      state: 'in-progress',
    });
    expect(lessons['redis-store']).toMatchObject({
      visited: false,
      completed: false,
      state: 'not-started',
    });

    await recordQuizAttempt(db, learnerId, 'memory', half, 20, { lessonId: 'memory-store' });
    await recordQuizAttempt(db, learnerId, 'memory', full, 30, { lessonId: 'memory-store' });
    ({ lessons } = await getLearnerProgress(db, learnerId, lessonQuizzes));
    expect(lessons['memory-store']).toMatchObject({
      completed: true,
      completedAt: new Date(20),
      state: 'done',
    });
  });

  it('has three states: not started, in progress (started or quiz tried), done', async () => {
    const stateOf = async (lessonId: string) =>
      (await getLearnerProgress(db, learnerId, lessonQuizzes)).lessons[lessonId]?.state;
    expect(await stateOf('memory-store')).toBe('not-started');
    expect(await stateOf('redis-store')).toBe('not-started');

    // A quiz taken and failed from anywhere: the learner has begun the lesson, not finished it.
    await recordQuizAttempt(db, learnerId, 'redis', zero, 5);
    expect(await stateOf('redis-store')).toBe('in-progress');

    await markLessonVisited(db, learnerId, 'memory-store', 6);
    expect(await stateOf('memory-store')).toBe('in-progress');
    await recordQuizAttempt(db, learnerId, 'memory', full, 7, { lessonId: 'memory-store' });
    expect(await stateOf('memory-store')).toBe('done');
    // Started again later (the demo pressed once more): still done, first start kept.
    await markLessonVisited(db, learnerId, 'memory-store', 8);
    const { lessons } = await getLearnerProgress(db, learnerId, lessonQuizzes);
    expect(lessons['memory-store']).toMatchObject({ state: 'done', firstVisitedAt: new Date(6) });
    // Another learner's marks are theirs alone.
    const theirs = await getLearnerProgress(db, otherLearnerId, lessonQuizzes);
    expect(Object.values(theirs.lessons).map((lesson) => lesson.state)).toEqual([
      'not-started',
      'not-started',
    ]);
  });

  it('completes a lesson from a pass recorded without the lesson id', async () => {
    await recordQuizAttempt(db, learnerId, 'redis', full, 40);
    const { lessons } = await getLearnerProgress(db, learnerId, lessonQuizzes);
    expect(lessons['redis-store']).toMatchObject({
      visited: false,
      completed: true,
      completedAt: new Date(40),
      state: 'done',
    });
  });

  it('keeps each learner to their own attempts and progress', async () => {
    const mine = await recordQuizAttempt(db, learnerId, 'memory', full, 10);
    const theirs = await recordQuizAttempt(db, otherLearnerId, 'memory', zero, 11);
    await markLessonVisited(db, otherLearnerId, 'redis-store', 12);

    expect(await getAttempt(db, learnerId, mine)).toEqual({
      id: mine,
      quizId: 'memory',
      scorePercent: 100,
      passed: true,
      answers: { restart: ['lost'], instances: ['no'] },
      createdAt: new Date(10),
    });
    expect(await getAttempt(db, learnerId, theirs)).toBeNull();
    expect(await getAttempt(db, otherLearnerId, mine)).toBeNull();

    const mineProgress = await getLearnerProgress(db, learnerId, lessonQuizzes);
    expect(mineProgress.quizzes.memory?.attempts).toBe(1);
    expect(mineProgress.lessons['redis-store']?.visited).toBe(false);
    const theirProgress = await getLearnerProgress(db, otherLearnerId, lessonQuizzes);
    expect(theirProgress.quizzes.memory).toMatchObject({ attempts: 1, passed: false });
    expect(theirProgress.lessons['redis-store']?.visited).toBe(true);
  });

  it('reads an unknown or nonsensical attempt id as not found', async () => {
    for (const id of [0, -1, 1.5, Number.NaN, 999])
      expect(await getAttempt(db, learnerId, id)).toBeNull();
  });

  it('lists lessons that were visited but are no longer mapped', async () => {
    await markLessonVisited(db, learnerId, 'retired-lesson', 1);
    const { lessons } = await getLearnerProgress(db, learnerId, lessonQuizzes);
    expect(lessons['retired-lesson']).toMatchObject({ visited: true, completed: false });
  });

  it('deletes a learner’s progress with the learner', async () => {
    await recordQuizAttempt(db, learnerId, 'memory', full, 10, { lessonId: 'memory-store' });
    file.prepare('DELETE FROM learner WHERE id = ?').run(learnerId);
    expect(file.prepare('SELECT count(*) FROM quiz_attempt').pluck().get()).toBe(0);
    expect(file.prepare('SELECT count(*) FROM lesson_progress').pluck().get()).toBe(0);
  });
});
