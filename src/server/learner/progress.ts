import { sql } from 'kysely';
import type { SiteDb } from '../platform/site-db/open';
import { transaction } from '../platform/site-db/transactions';
import type { QuizAnswers, QuizGrade } from '../../course/quiz-grading';

/*
 * What a learner has done: quiz attempts and lesson visits, keyed by the anonymous learner id.
 * Quiz attempts are the single source of truth for completion; lesson ids and their quizzes come
 * from the content collection, which the caller loads, so this module never reads files.
 *
 * A lesson has three states. It is started ("visited": a `lesson_progress` row, stamped once) when
 * the learner uses its demo, reads it to the end, makes a prediction in it or passes its quiz, and
 * a quiz attempted but not passed counts as started too; it is done once its quiz is passed.
 */

export const lessonStates = ['not-started', 'in-progress', 'done'] as const;
export type LessonState = (typeof lessonStates)[number];

export interface QuizAttempt {
  id: number;
  quizId: string;
  scorePercent: number;
  passed: boolean;
  answers: QuizAnswers;
  createdAt: Date;
}

export interface QuizProgress {
  quizId: string;
  attempts: number;
  bestScorePercent: number;
  passed: boolean;
  lastAttemptAt: Date;
}

export interface LessonProgress {
  lessonId: string;
  visited: boolean;
  firstVisitedAt: Date | null;
  /** Its quiz has been passed at least once. */
  completed: boolean;
  completedAt: Date | null;
  state: LessonState;
}

export interface LearnerProgress {
  quizzes: Record<string, QuizProgress>;
  lessons: Record<string, LessonProgress>;
}

/**
 * Stores an attempt and returns its id (for the result page's URL). Pass `lessonId` when the quiz
 * was taken from its lesson so a pass stamps the lesson's completion time.
 */
export async function recordQuizAttempt(
  db: SiteDb,
  learnerId: string,
  quizId: string,
  grade: QuizGrade,
  now: number,
  { lessonId }: { lessonId?: string } = {},
): Promise<number> {
  // The graded chosen ids are already validated and de-duplicated, so they are what gets stored.
  const answers: QuizAnswers = Object.fromEntries(
    grade.questions.map((question) => [question.id, question.chosen]),
  );
  return transaction(db, async (trx) => {
    const { id } = await trx
      .insertInto('quiz_attempt')
      .values({
        learner_id: learnerId,
        quiz_id: quizId,
        score_percent: grade.scorePercent,
        passed: grade.passed ? 1 : 0,
        answers_json: JSON.stringify(answers),
        created_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (grade.passed && lessonId !== undefined) {
      // A pass also counts as a visit: the learner may have reached the quiz by a direct link.
      await trx
        .insertInto('lesson_progress')
        .values({
          learner_id: learnerId,
          lesson_id: lessonId,
          first_visited_at: now,
          completed_at: now,
        })
        .onConflict((conflict) =>
          conflict.columns(['learner_id', 'lesson_id']).doUpdateSet({
            completed_at: sql<number>`coalesce(lesson_progress.completed_at, excluded.completed_at)`,
          }),
        )
        .execute();
    }
    return Number(id);
  });
}

/**
 * Marks the lesson started (its demo used, read to the end, a prediction made): the first mark is
 * remembered, later ones change nothing.
 */
export async function markLessonVisited(
  db: SiteDb,
  learnerId: string,
  lessonId: string,
  now: number,
): Promise<void> {
  await db
    .insertInto('lesson_progress')
    .values({ learner_id: learnerId, lesson_id: lessonId, first_visited_at: now })
    .onConflict((conflict) => conflict.columns(['learner_id', 'lesson_id']).doNothing())
    .execute();
}

/**
 * One attempt, only when it belongs to this learner: attempt ids are sequential and appear in URLs,
 * so another learner's id must read as "not found", never as their answers.
 */
export async function getAttempt(
  db: SiteDb,
  learnerId: string,
  attemptId: number,
): Promise<QuizAttempt | null> {
  if (!Number.isSafeInteger(attemptId) || attemptId < 1) return null;
  const row = await db
    .selectFrom('quiz_attempt')
    .select(['id', 'quiz_id', 'score_percent', 'passed', 'answers_json', 'created_at'])
    .where('id', '=', attemptId)
    .where('learner_id', '=', learnerId)
    .executeTakeFirst();
  if (!row) return null;
  return {
    id: row.id,
    quizId: row.quiz_id,
    scorePercent: row.score_percent,
    passed: row.passed === 1,
    answers: JSON.parse(row.answers_json) as QuizAnswers,
    createdAt: new Date(row.created_at),
  };
}

/**
 * The learner's standing on every quiz attempted and every lesson in `lessonQuizzes` (lesson id →
 * its quiz id), plus lessons visited that the mapping no longer lists.
 */
export async function getLearnerProgress(
  db: SiteDb,
  learnerId: string,
  lessonQuizzes: Readonly<Record<string, string>>,
): Promise<LearnerProgress> {
  const quizzes: Record<string, QuizProgress> = {};
  const firstPassedAt = new Map<string, number>();
  const summaries = await db
    .selectFrom('quiz_attempt')
    .select((eb) => [
      'quiz_id',
      eb.fn.countAll<number>().as('attempts'),
      eb.fn.max('score_percent').as('best_score_percent'),
      eb.fn.max('passed').as('passed'),
      eb.fn.max('created_at').as('last_attempt_at'),
      sql<number | null>`min(CASE WHEN passed = 1 THEN created_at END)`.as('first_passed_at'),
    ])
    .where('learner_id', '=', learnerId)
    .groupBy('quiz_id')
    .execute();
  for (const row of summaries) {
    quizzes[row.quiz_id] = {
      quizId: row.quiz_id,
      attempts: row.attempts,
      bestScorePercent: row.best_score_percent,
      passed: row.passed === 1,
      lastAttemptAt: new Date(row.last_attempt_at),
    };
    if (row.first_passed_at !== null) firstPassedAt.set(row.quiz_id, row.first_passed_at);
  }

  const visitRows = await db
    .selectFrom('lesson_progress')
    .select(['lesson_id', 'first_visited_at', 'completed_at'])
    .where('learner_id', '=', learnerId)
    .execute();
  const visits = new Map(visitRows.map((row) => [row.lesson_id, row]));
  const lessonIds = new Set([...Object.keys(lessonQuizzes), ...visits.keys()]);
  const lessons: Record<string, LessonProgress> = {};
  for (const lessonId of lessonIds) {
    const visit = visits.get(lessonId);
    const quizId = Object.hasOwn(lessonQuizzes, lessonId) ? lessonQuizzes[lessonId] : undefined;
    const passedAt = quizId === undefined ? undefined : firstPassedAt.get(quizId);
    const attempted = quizId !== undefined && Object.hasOwn(quizzes, quizId);
    lessons[lessonId] = {
      lessonId,
      visited: visit !== undefined,
      firstVisitedAt: visit ? new Date(visit.first_visited_at) : null,
      completed: passedAt !== undefined,
      // The lesson's own stamp when the pass came through its page; else the quiz's first pass.
      completedAt: passedAt === undefined ? null : new Date(visit?.completed_at ?? passedAt),
      state:
        passedAt !== undefined
          ? 'done'
          : visit !== undefined || attempted
            ? 'in-progress'
            : 'not-started',
    };
  }
  return { quizzes, lessons };
}
