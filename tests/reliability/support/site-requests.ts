/**
 * The requests the site's own pages make, as RawRequests: demo actions, demo reads and quiz
 * submissions, each optionally carrying a Cookie header.
 */
import { correctAnswers, loadQuiz } from '../../e2e/quiz-answers';
import type { RawRequest } from './http-client';

export function demoWrite(
  store: string,
  action: Record<string, unknown>,
  cookie = '',
  query = '',
): RawRequest {
  return {
    method: 'POST',
    path: `/api/demo/${store}${query}`,
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/json',
      ...(cookie ? { Cookie: cookie } : {}),
    },
    body: JSON.stringify(action),
  };
}

export function demoRead(store: string, cookie = '', query = ''): RawRequest {
  return {
    method: 'GET',
    path: `/api/demo/${store}${query}`,
    headers: { Accept: 'application/json', ...(cookie ? { Cookie: cookie } : {}) },
  };
}

/** A quiz's correct answers as the form the quiz page posts. */
export function quizForm(quizId: string): string {
  return new URLSearchParams(
    correctAnswers(loadQuiz(quizId)).flatMap(([question, options]) =>
      options.map((option) => [question, option]),
    ),
  ).toString();
}

export function quizSubmission(quizId: string, cookie = ''): RawRequest {
  return {
    method: 'POST',
    path: `/api/quiz/${quizId}`,
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      Accept: 'application/json',
      ...(cookie ? { Cookie: cookie } : {}),
    },
    body: quizForm(quizId),
  };
}

/** The parsed JSON body of a demo answer. */
export interface DemoBody {
  status: string;
  data: Record<string, unknown>;
  instance: string;
}
