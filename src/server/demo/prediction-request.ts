/**
 * "Predict, then press" over HTTP. A learner commits a prediction (recorded for their learner id,
 * which starts the lesson), then presses: the server performs the checkpoint's real demo requests
 * with the learner's own cookies and reads the outcome from the real responses. JavaScript sends
 * the two stages apart; a form without JavaScript sends both at once and is redirected to a page
 * that shows the outcome (the learner cookie binds it to this browser, as the quiz result pages).
 */
import { findCheckpoint, type Checkpoint, type StepResult } from '../../course/predictions/index';
import {
  predictionAnswer,
  predictionStages,
  type PredictionAnswer,
  type PredictionStage,
} from '../../course/predictions/answer';
import { describeResult } from '../../course/predictions/read-results';
import { BrowserCookieJar } from '../../lab/browser-cookie-jar';
import { CookieJar, parseCookieHeader } from '../../sessions/cookie-jar';
import { runPress } from './press-runner';
import { storeTitles } from '../../sessions/catalog';
import type { AppContext } from '../platform/app-context';
import { clientAddress, requestAsSent, type RequestContext } from '../platform/client';
import { demoLearner } from '../learner/demo-learner';
import { demoWriter, tooManyDemoWrites } from './demo-write-limit';
import { assertSameOrigin, HttpError, jsonError, readFields } from '../platform/http';
import { commitPrediction, getPrediction, recordPress } from '../learner/predictions';

export interface PredictionRequest extends RequestContext {
  params: { store?: string; checkpoint?: string };
}

/** The page a form post without JavaScript comes back to. */
export function resultPage(checkpointId: string): string {
  return `/predictions/${encodeURIComponent(checkpointId)}/`;
}

export async function handlePredictionPost(
  app: AppContext,
  context: PredictionRequest,
): Promise<Response> {
  const trustProxy = app.config.trustProxy;
  const request = requestAsSent(context, trustProxy);
  const form = isFormPostFromPage(request);
  let checkpoint: Checkpoint | undefined;
  try {
    checkpoint = findCheckpointFor(context.params);
    assertSameOrigin(request);
    // The learner's refreshed cookie, if due, goes out with this response: see demoWriter.
    const writerCookies = new CookieJar(parseCookieHeader(request.headers.get('cookie')));
    const secure = new URL(request.url).protocol === 'https:';
    const decision = await app.demoWriteLimiter.take(
      await demoWriter(app, writerCookies, secure, clientAddress(context, trustProxy)),
    );
    if (!decision.allowed) throw tooManyDemoWrites(decision.retryAfterSeconds, writerCookies);
    const input = parsePredictionInput(checkpoint, await readFields(request));
    const { answer, setCookies } = await predictAndPress(app, checkpoint, input, {
      request,
      clientAddress: clientAddress(context, trustProxy),
    });
    const headers = new Headers({ 'Cache-Control': 'no-store' });
    for (const line of [...writerCookies.setCookieLines(), ...setCookies]) {
      headers.append('Set-Cookie', line);
    }
    if (form) {
      headers.set('Location', `${resultPage(checkpoint.id)}#result`);
      return new Response(null, { status: 303, headers });
    }
    headers.set('Content-Type', 'application/json; charset=utf-8');
    return new Response(JSON.stringify(answer), { status: 200, headers });
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    // A form comes back to its page, which says what was refused; an unknown checkpoint has none.
    if (form && checkpoint) {
      return new Response(null, {
        status: 303,
        headers: {
          ...error.headers,
          Location: `${resultPage(checkpoint.id)}?refused=${error.status}#result`,
          'Cache-Control': 'no-store',
        },
      });
    }
    return jsonError(error.status, error.message, error.headers);
  }
}

/**
 * The learner's prediction at this checkpoint (and its press, if any), so a page opened again
 * shows where the learner left off: `{ prediction: null }` for a browser with none.
 */
export async function handlePredictionGet(
  app: AppContext,
  context: PredictionRequest,
): Promise<Response> {
  try {
    const checkpoint = findCheckpointFor(context.params);
    const request = requestAsSent(context, app.config.trustProxy);
    const cookies = new CookieJar(parseCookieHeader(request.headers.get('cookie')));
    const secure = new URL(request.url).protocol === 'https:';
    const learner = await demoLearner(app, cookies, { reserve: false, secure });
    const record = learner ? await getPrediction(app.db, learner.id, checkpoint.id) : null;
    const headers = new Headers({
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control': 'no-store',
    });
    // A learner session due for its refresh gets it here as on any other request.
    for (const line of cookies.setCookieLines()) headers.append('Set-Cookie', line);
    const body = { prediction: record ? predictionAnswer(checkpoint, record) : null };
    return new Response(JSON.stringify(body), { status: 200, headers });
  } catch (error) {
    if (error instanceof HttpError) return jsonError(error.status, error.message, error.headers);
    throw error;
  }
}

function findCheckpointFor(params: PredictionRequest['params']): Checkpoint {
  const id = params.checkpoint ?? '';
  const checkpoint = findCheckpoint(id);
  if (!checkpoint || checkpoint.store !== params.store) {
    throw new HttpError(
      404,
      `unknown checkpoint "${id.slice(0, 64)}" for the store "${(params.store ?? '').slice(0, 40)}"`,
    );
  }
  return checkpoint;
}

export interface PredictionInput {
  stage: PredictionStage;
  /** Required to commit; ignored by a press, which uses the committed prediction. */
  option: string | null;
}

/** Validates the posted fields: `stage` (default: commit and press), and `option` to commit. */
export function parsePredictionInput(
  checkpoint: Checkpoint,
  fields: Record<string, unknown>,
): PredictionInput {
  const stage = fields.stage ?? 'commit-and-press';
  if (typeof stage !== 'string' || !predictionStages.includes(stage as PredictionStage)) {
    throw new HttpError(400, `"stage" must be one of: ${predictionStages.join(', ')}`);
  }
  if (stage === 'press') return { stage, option: null };
  const ids = checkpoint.options.map((option) => option.id);
  const option = fields.option;
  if (typeof option !== 'string' || !ids.includes(option)) {
    throw new HttpError(
      400,
      option === undefined || option === ''
        ? `choose a prediction first: "option" must be one of: ${ids.join(', ')}`
        : `"option" must be one of: ${ids.join(', ')}`,
    );
  }
  return { stage: stage as PredictionStage, option };
}

async function predictAndPress(
  app: AppContext,
  checkpoint: Checkpoint,
  input: PredictionInput,
  { request, clientAddress }: { request: Request; clientAddress: string },
): Promise<{ answer: PredictionAnswer; setCookies: string[] }> {
  const cookieHeader = request.headers.get('cookie');
  const jar = new BrowserCookieJar(cookieHeader);
  const learnerCookies = new CookieJar(parseCookieHeader(cookieHeader));
  const secure = new URL(request.url).protocol === 'https:';
  const committing = input.stage !== 'press';
  const learner = await demoLearner(app, learnerCookies, { reserve: committing, secure });
  const now = Date.now();
  if (committing) {
    await learner!.record();
    await commitPrediction(app.db, learner!.id, checkpoint, input.option!, now);
  }
  // A created or refreshed learner cookie: the press's requests carry it, and so does the browser.
  for (const line of learnerCookies.setCookieLines()) jar.apply(line, now);

  let record = learner ? await getPrediction(app.db, learner.id, checkpoint.id) : null;
  if (!learner || !record) {
    throw new HttpError(409, 'commit a prediction first: this browser has none at this checkpoint');
  }
  if (input.stage !== 'commit') {
    const results = await runPress(
      app,
      { storeId: checkpoint.store, origin: new URL(request.url).origin, clientAddress },
      checkpoint.steps,
      jar,
    );
    await recordPress(
      app.db,
      learner.id,
      checkpoint.id,
      judge(checkpoint, record.predicted, results),
      Date.now(),
    );
    record = (await getPrediction(app.db, learner.id, checkpoint.id))!;
  }
  return { answer: predictionAnswer(checkpoint, record), setCookies: jar.setCookieLines() };
}

/**
 * What the press showed against the prediction. A store whose server is not running here answers
 * 503: the page then says so, and that the result could not be checked, rather than guess.
 */
export function judge(
  checkpoint: Checkpoint,
  predicted: string,
  results: readonly StepResult[],
): { outcome: string | null; observed: string; correct: boolean | null } {
  const unavailable = results.find((result) => !result.ok && result.status === 503);
  if (unavailable && !unavailable.ok) {
    return {
      outcome: null,
      correct: null,
      observed: `${storeTitles[checkpoint.store]} is not running on this server, so the result could not be checked. ${unavailable.error}`,
    };
  }
  const observation = checkpoint.outcome(results);
  if (!observation) {
    return {
      outcome: null,
      correct: null,
      observed: `The server’s answers fit none of the options: ${results.map(describeResult).join('; ')}.`,
    };
  }
  return {
    outcome: observation.option,
    correct: observation.option === predicted,
    observed: observation.observed,
  };
}

/** A browser submitting a form wants a page back; scripts and the island ask for JSON. */
function isFormPostFromPage(request: Request): boolean {
  const type = request.headers.get('content-type') ?? '';
  const accept = request.headers.get('accept') ?? '';
  return (
    type.startsWith('application/x-www-form-urlencoded') &&
    accept.includes('text/html') &&
    !accept.includes('application/json')
  );
}
