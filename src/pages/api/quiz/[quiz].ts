import type { APIRoute } from 'astro';
import { getEntry } from 'astro:content';
import type { QuizSubmissionResult } from '../../../course/quiz-api';
import { findLessonByQuiz, getLessonQuizMap } from '../../../course/lesson-index';
import { getAppContext } from '../../../server/platform/app-context';
import { clientAddress, isHttps, requestAsSent } from '../../../server/platform/client';
import {
  assertSameOrigin,
  HttpError,
  jsonError,
  readBoundedText,
} from '../../../server/platform/http';
import { withLearner } from '../../../server/learner/current-learner';
import { getLearnerProgress, recordQuizAttempt } from '../../../server/learner/progress';
import { gradeQuiz, parseQuizForm, QuizAnswerError } from '../../../course/quiz-grading';

export const prerender = false;

/**
 * Grades a quiz. A plain form post gets a redirect to its result page (so reloading does not
 * resubmit); a request that accepts JSON gets the graded result.
 */
export const POST: APIRoute = async (context) => {
  const { params, cookies, redirect } = context;
  const request = requestAsSent(context);
  try {
    assertSameOrigin(request);
    const app = getAppContext();
    const decision = await app.quizSubmitLimiter.take(clientAddress(context));
    if (!decision.allowed) {
      throw new HttpError(
        429,
        `too many quiz submissions from this address; try again in ${decision.retryAfterSeconds} s`,
        { 'Retry-After': String(decision.retryAfterSeconds) },
      );
    }
    const quiz = await getEntry('quizzes', params.quiz ?? '');
    if (!quiz) throw new HttpError(404, `unknown quiz "${(params.quiz ?? '').slice(0, 40)}"`);
    const answers = parseQuizForm(await readForm(request));
    const grade = gradeQuiz(quiz.data, answers);

    const { db } = app;
    const lesson = await findLessonByQuiz(quiz.id);
    // A first submission creates the learner together with the attempt; a refused one, nothing.
    const { learner, result: attemptId } = await withLearner(
      cookies,
      isHttps(context),
      (learnerId, trx) =>
        recordQuizAttempt(trx, learnerId, quiz.id, grade, Date.now(), { lessonId: lesson?.id }),
    );

    if (!(request.headers.get('accept') ?? '').includes('application/json')) {
      return redirect(`/quizzes/${quiz.id}/attempts/${attemptId}/`, 303);
    }
    const progress = await getLearnerProgress(db, learner.learnerId, await getLessonQuizMap());
    const best = progress.quizzes[quiz.id];
    const result: QuizSubmissionResult = {
      attemptId,
      grade,
      best: {
        scorePercent: best?.bestScorePercent ?? grade.scorePercent,
        attempts: best?.attempts ?? 1,
        passed: best?.passed ?? grade.passed,
      },
    };
    return new Response(JSON.stringify(result), {
      headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' },
    });
  } catch (error) {
    if (error instanceof HttpError) return jsonError(error.status, error.message, error.headers);
    if (error instanceof QuizAnswerError) return jsonError(400, error.message);
    throw error;
  }
};

async function readForm(request: Request): Promise<URLSearchParams> {
  const type = (request.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw new HttpError(415, 'send the answers as a form (application/x-www-form-urlencoded)');
  }
  return new URLSearchParams(await readBoundedText(request));
}
