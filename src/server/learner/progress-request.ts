/**
 * Lesson progress over HTTP, for lesson pages: they are prerendered, so their pager asks for the
 * learner's lesson states (GET) and a small script marks a lesson started (POST `{lesson, reason}`)
 * when the learner uses its demo or reads it to the end.
 *
 * Who gets a learner: pressing a demo button is something the learner does on purpose, and a
 * demo that saves into a server store creates a learner already, so `reason: 'demo'` creates one
 * for a browser that has none. Reading to the end is only scrolling: `reason: 'read'` is recorded
 * for a learner who already exists, and for anyone else nothing is stored, no row and no cookie.
 */
import { CookieJar, parseCookieHeader } from '../../sessions/cookie-jar';
import type { AppContext } from '../platform/app-context';
import { clientAddress, requestAsSent, type RequestContext } from '../platform/client';
import { assertSameOrigin, HttpError, jsonError, readFields } from '../platform/http';
import { tooManyDemoWrites } from '../demo/demo-write-limit';
import { learnerSessionsFor, sendLearnerCookie, validateLearnerCookie } from './learner-cookie';
import {
  getLearnerProgress,
  markLessonVisited,
  type LearnerProgress,
  type LessonState,
} from './progress';

export const progressReasons = ['demo', 'read'] as const;
export type ProgressReason = (typeof progressReasons)[number];

export interface ProgressMark {
  lesson: string;
  reason: ProgressReason;
}

/** Every lesson's state for the browser that asked; what GET answers. */
export interface LessonStateReport {
  /** Whether the browser has a learner; without one nothing is stored and nothing is started. */
  learner: boolean;
  lessons: Record<string, { state: LessonState; bestScorePercent: number | null }>;
}

/** What POST answers: the states after the mark, and whether the mark was stored. */
export interface ProgressMarkAnswer extends LessonStateReport {
  recorded: boolean;
}

/** Validates a posted mark against the course's lesson ids. */
export function parseProgressMark(
  fields: Record<string, unknown>,
  lessonIds: readonly string[],
): ProgressMark {
  const { lesson, reason } = fields;
  if (typeof lesson !== 'string' || !lessonIds.includes(lesson)) {
    const shown = typeof lesson === 'string' ? ` "${lesson.slice(0, 64)}"` : '';
    throw new HttpError(400, `"lesson"${shown} is not a lesson of this course`);
  }
  if (typeof reason !== 'string' || !progressReasons.includes(reason as ProgressReason)) {
    throw new HttpError(400, `"reason" must be one of: ${progressReasons.join(', ')}`);
  }
  return { lesson, reason: reason as ProgressReason };
}

/** Each lesson of `lessonQuizzes` (lesson id → quiz id) with its state; all unstarted for null. */
export function lessonStateReport(
  progress: LearnerProgress | null,
  lessonQuizzes: Readonly<Record<string, string>>,
): LessonStateReport {
  const lessons: LessonStateReport['lessons'] = {};
  for (const [lessonId, quizId] of Object.entries(lessonQuizzes)) {
    lessons[lessonId] = {
      state: progress?.lessons[lessonId]?.state ?? 'not-started',
      bestScorePercent: progress?.quizzes[quizId]?.bestScorePercent ?? null,
    };
  }
  return { learner: progress !== null, lessons };
}

export async function handleProgressGet(
  app: AppContext,
  context: RequestContext,
  lessonQuizzes: Readonly<Record<string, string>>,
): Promise<Response> {
  const request = requestAsSent(context, app.config.trustProxy);
  const cookies = new CookieJar(parseCookieHeader(request.headers.get('cookie')));
  const secure = new URL(request.url).protocol === 'https:';
  const learner = await validateLearnerCookie(app, cookies, { secure, clearInvalid: true });
  const progress = learner
    ? await getLearnerProgress(app.db, learner.learnerId, lessonQuizzes)
    : null;
  return answer(lessonStateReport(progress, lessonQuizzes), cookies);
}

export async function handleProgressPost(
  app: AppContext,
  context: RequestContext,
  lessonQuizzes: Readonly<Record<string, string>>,
  now: number = Date.now(),
): Promise<Response> {
  const trustProxy = app.config.trustProxy;
  const request = requestAsSent(context, trustProxy);
  try {
    assertSameOrigin(request);
    const cookies = new CookieJar(parseCookieHeader(request.headers.get('cookie')));
    const secure = new URL(request.url).protocol === 'https:';
    // An invalid cookie is left alone, as on a demo write: a 'demo' mark replaces it below.
    const learner = await validateLearnerCookie(app, cookies, { secure, clearInvalid: false });
    // A mark is a small write: it shares the demo writes' allowance (per learner, per address).
    const decision = await app.demoWriteLimiter.take({
      address: clientAddress(context, trustProxy),
      learnerId: learner?.learnerId ?? null,
    });
    if (!decision.allowed) throw tooManyDemoWrites(decision.retryAfterSeconds, cookies);
    const mark = parseProgressMark(await readFields(request), Object.keys(lessonQuizzes));

    let learnerId = learner?.learnerId ?? null;
    if (learnerId !== null) {
      await markLessonVisited(app.db, learnerId, mark.lesson, now);
    } else if (mark.reason === 'demo') {
      // The learner, their session and the mark in one transaction; the cookie once it committed.
      const created = await learnerSessionsFor(app).createLearnerFor((id, trx) =>
        markLessonVisited(trx, id, mark.lesson, now),
      );
      sendLearnerCookie(cookies, created.token, created.session.expiresAt, secure);
      learnerId = created.learner.id;
    }
    const progress =
      learnerId === null ? null : await getLearnerProgress(app.db, learnerId, lessonQuizzes);
    const body: ProgressMarkAnswer = {
      recorded: learnerId !== null,
      ...lessonStateReport(progress, lessonQuizzes),
    };
    return answer(body, cookies);
  } catch (error) {
    if (error instanceof HttpError) return jsonError(error.status, error.message, error.headers);
    throw error;
  }
}

function answer(body: LessonStateReport, cookies: CookieJar): Response {
  const headers = new Headers({
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
  });
  for (const line of cookies.setCookieLines()) headers.append('Set-Cookie', line);
  return new Response(JSON.stringify(body), { status: 200, headers });
}
