import type { APIRoute } from 'astro';
import { findScenario } from '../../../course/scenarios';
import {
  gradeScenario,
  parseScenarioAnswers,
  ScenarioAnswerError,
  type ScenarioAnswers,
} from '../../../course/scenarios/grading';
import { scenarioResultPath } from '../../../course/scenarios/result-url';
import { getAppContext } from '../../../server/platform/app-context';
import { clientAddress, requestAsSent } from '../../../server/platform/client';
import {
  assertSameOrigin,
  HttpError,
  jsonError,
  readBoundedText,
  readFields,
} from '../../../server/platform/http';

export const prerender = false;

/**
 * Grades a learner's answer to a worked scenario. A request that accepts JSON gets the graded
 * result; a plain form post (no JavaScript) is redirected to a page that shows it.
 */
export const POST: APIRoute = async (context) => {
  const { params, redirect } = context;
  const request = requestAsSent(context);
  try {
    assertSameOrigin(request);
    // Grading a scenario is as cheap as grading a quiz, and shares its per-address budget.
    const decision = await getAppContext().quizSubmitLimiter.take(clientAddress(context));
    if (!decision.allowed) {
      throw new HttpError(
        429,
        `too many answers from this address; try again in ${decision.retryAfterSeconds} s`,
        { 'Retry-After': String(decision.retryAfterSeconds) },
      );
    }
    const scenario = findScenario(params.id ?? '');
    if (!scenario) throw new HttpError(404, `unknown scenario "${(params.id ?? '').slice(0, 40)}"`);
    const answers = await readAnswers(request);
    const grade = gradeScenario(scenario, answers);

    if (!(request.headers.get('accept') ?? '').includes('application/json')) {
      return redirect(scenarioResultPath(scenario.id, answers), 303);
    }
    return new Response(JSON.stringify({ grade }), {
      headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' },
    });
  } catch (error) {
    if (error instanceof HttpError) return jsonError(error.status, error.message, error.headers);
    if (error instanceof ScenarioAnswerError) return jsonError(400, error.message);
    throw error;
  }
};

/** A form keeps repeated fields (refused as answered twice); JSON is read as one object. */
async function readAnswers(request: Request): Promise<ScenarioAnswers> {
  const type = (request.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') {
    return parseScenarioAnswers(new URLSearchParams(await readBoundedText(request)));
  }
  return parseScenarioAnswers(await readFields(request));
}
