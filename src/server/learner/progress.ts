import { preparedFor, type Database } from '../platform/database';
import type { QuizAnswers, QuizGrade } from '../../course/quiz-grading';

/*
 * What a learner has done: quiz attempts and lesson visits, keyed by the anonymous learner id.
 * Quiz attempts are the single source of truth for completion; lesson ids and their quizzes come
 * from the content collection, which the caller loads, so this module never reads files.
 */

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
}

export interface LearnerProgress {
  quizzes: Record<string, QuizProgress>;
  lessons: Record<string, LessonProgress>;
}

interface AttemptRow {
  id: number;
  quiz_id: string;
  score_percent: number;
  passed: number;
  answers_json: string;
  created_at: number;
}

interface QuizSummaryRow {
  quiz_id: string;
  attempts: number;
  best_score_percent: number;
  passed: number;
  last_attempt_at: number;
  first_passed_at: number | null;
}

interface LessonRow {
  lesson_id: string;
  first_visited_at: number;
  completed_at: number | null;
}

function prepareStatements(db: Database) {
  return {
    insertAttempt: db.prepare<[string, string, number, number, string, number]>(
      `INSERT INTO quiz_attempt (learner_id, quiz_id, score_percent, passed, answers_json, created_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    ),
    markVisited: db.prepare<[string, string, number]>(
      `INSERT INTO lesson_progress (learner_id, lesson_id, first_visited_at) VALUES (?, ?, ?)
       ON CONFLICT (learner_id, lesson_id) DO NOTHING`,
    ),
    // A pass also counts as a visit: the learner may have reached the quiz by a direct link.
    markCompleted: db.prepare<[string, string, number, number]>(
      `INSERT INTO lesson_progress (learner_id, lesson_id, first_visited_at, completed_at)
       VALUES (?, ?, ?, ?)
       ON CONFLICT (learner_id, lesson_id)
       DO UPDATE SET completed_at = coalesce(completed_at, excluded.completed_at)`,
    ),
    selectAttempt: db.prepare<[number, string], AttemptRow>(
      `SELECT id, quiz_id, score_percent, passed, answers_json, created_at
       FROM quiz_attempt WHERE id = ? AND learner_id = ?`,
    ),
    selectQuizSummaries: db.prepare<[string], QuizSummaryRow>(
      `SELECT quiz_id, count(*) AS attempts, max(score_percent) AS best_score_percent,
              max(passed) AS passed, max(created_at) AS last_attempt_at,
              min(CASE WHEN passed = 1 THEN created_at END) AS first_passed_at
       FROM quiz_attempt WHERE learner_id = ? GROUP BY quiz_id`,
    ),
    selectLessons: db.prepare<[string], LessonRow>(
      'SELECT lesson_id, first_visited_at, completed_at FROM lesson_progress WHERE learner_id = ?',
    ),
  };
}

const statementCache = new WeakMap<Database, ReturnType<typeof prepareStatements>>();

/**
 * Stores an attempt and returns its id (for the result page's URL). Pass `lessonId` when the quiz
 * was taken from its lesson so a pass stamps the lesson's completion time.
 */
export function recordQuizAttempt(
  db: Database,
  learnerId: string,
  quizId: string,
  grade: QuizGrade,
  now: number,
  { lessonId }: { lessonId?: string } = {},
): number {
  const statements = preparedFor(statementCache, db, prepareStatements);
  // The graded chosen ids are already validated and de-duplicated, so they are what gets stored.
  const answers: QuizAnswers = Object.fromEntries(
    grade.questions.map((question) => [question.id, question.chosen]),
  );
  const record = db.transaction(() => {
    const { lastInsertRowid } = statements.insertAttempt.run(
      learnerId,
      quizId,
      grade.scorePercent,
      grade.passed ? 1 : 0,
      JSON.stringify(answers),
      now,
    );
    if (grade.passed && lessonId !== undefined) {
      statements.markCompleted.run(learnerId, lessonId, now, now);
    }
    return Number(lastInsertRowid);
  });
  return record();
}

/** Remembers the first visit; later visits change nothing. */
export function markLessonVisited(
  db: Database,
  learnerId: string,
  lessonId: string,
  now: number,
): void {
  preparedFor(statementCache, db, prepareStatements).markVisited.run(learnerId, lessonId, now);
}

/**
 * One attempt, only when it belongs to this learner: attempt ids are sequential and appear in URLs,
 * so another learner's id must read as "not found", never as their answers.
 */
export function getAttempt(db: Database, learnerId: string, attemptId: number): QuizAttempt | null {
  if (!Number.isSafeInteger(attemptId) || attemptId < 1) return null;
  const row = preparedFor(statementCache, db, prepareStatements).selectAttempt.get(
    attemptId,
    learnerId,
  );
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
export function getLearnerProgress(
  db: Database,
  learnerId: string,
  lessonQuizzes: Readonly<Record<string, string>>,
): LearnerProgress {
  const statements = preparedFor(statementCache, db, prepareStatements);
  const quizzes: Record<string, QuizProgress> = {};
  const firstPassedAt = new Map<string, number>();
  for (const row of statements.selectQuizSummaries.all(learnerId)) {
    quizzes[row.quiz_id] = {
      quizId: row.quiz_id,
      attempts: row.attempts,
      bestScorePercent: row.best_score_percent,
      passed: row.passed === 1,
      lastAttemptAt: new Date(row.last_attempt_at),
    };
    if (row.first_passed_at !== null) firstPassedAt.set(row.quiz_id, row.first_passed_at);
  }

  const visits = new Map(
    statements.selectLessons.all(learnerId).map((row) => [row.lesson_id, row]),
  );
  const lessonIds = new Set([...Object.keys(lessonQuizzes), ...visits.keys()]);
  const lessons: Record<string, LessonProgress> = {};
  for (const lessonId of lessonIds) {
    const visit = visits.get(lessonId);
    const quizId = Object.hasOwn(lessonQuizzes, lessonId) ? lessonQuizzes[lessonId] : undefined;
    const passedAt = quizId === undefined ? undefined : firstPassedAt.get(quizId);
    lessons[lessonId] = {
      lessonId,
      visited: visit !== undefined,
      firstVisitedAt: visit ? new Date(visit.first_visited_at) : null,
      completed: passedAt !== undefined,
      // The lesson's own stamp when the pass came through its page; else the quiz's first pass.
      completedAt: passedAt === undefined ? null : new Date(visit?.completed_at ?? passedAt),
    };
  }
  return { quizzes, lessons };
}
