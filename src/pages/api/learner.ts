/**
 * What the site holds about the learner behind this browser (GET) and its deletion (DELETE, or a
 * form POST with `action=delete` from the data page, which gets a 303 back to that page).
 */
import type { APIRoute } from 'astro';
import { serializeSetCookie } from '../../sessions/cookie-jar';
import { getAppContext } from '../../server/platform/app-context';
import {
  clientAddress,
  isHttps,
  requestAsSent,
  type RequestContext,
} from '../../server/platform/client';
import { learnerSessionsFor } from '../../server/learner/learner-cookie';
import { assertSameOrigin, HttpError, jsonError, readFields } from '../../server/platform/http';
import { readLearner } from '../../server/learner/current-learner';
import {
  deleteLearnerData,
  expiredStoreCookies,
  readLearnerData,
  shortenId,
  type LearnerDeletion,
} from '../../server/learner/learner-data';
import {
  blankLearnerSessionCookie,
  LEARNER_SESSION_COOKIE,
} from '../../server/learner/learner-sessions';

export const prerender = false;

const dataPage = '/your-data/';

export const GET: APIRoute = async (context) => {
  const learner = await readLearner(context.cookies, isHttps(context));
  const data = learner
    ? await readLearnerData(getAppContext().db, learner.learnerId, {
        currentSessionId: learner.sessionId,
      })
    : null;
  return json(200, { learner: data });
};

export const DELETE: APIRoute = async (context) => {
  try {
    assertSameOrigin(requestAsSent(context));
    return await deleteAll(context.cookies.get(LEARNER_SESSION_COOKIE)?.value, context);
  } catch (error) {
    if (error instanceof HttpError) return jsonError(error.status, error.message, error.headers);
    throw error;
  }
};

/** The no-JavaScript path: a form on the data page posts `action=delete`. */
export const POST: APIRoute = async (context) => {
  const { cookies } = context;
  const request = requestAsSent(context);
  const wantsJson = (request.headers.get('accept') ?? '').includes('application/json');
  try {
    assertSameOrigin(request);
    const fields = await readFields(request);
    if (fields.action !== 'delete') {
      throw new HttpError(400, 'post action=delete to delete everything this site holds for you');
    }
    const token = cookies.get(LEARNER_SESSION_COOKIE)?.value;
    const response = await deleteAll(token, context);
    if (wantsJson) return response;
    const outcome = (await response.json()) as DeletionResponse;
    return backToPage(response.headers, outcomeQuery(outcome));
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    if (wantsJson) return jsonError(error.status, error.message, error.headers);
    return backToPage(new Headers(), `deleted=refused&status=${error.status}`);
  }
};

export interface DeletionResponse {
  /** The shortened id of the learner that was deleted; null when the browser had none. */
  learner: string | null;
  deletion: LearnerDeletion | null;
  /** How many `Set-Cookie` lines told the browser to drop a demo store's cookie. */
  expiredCookies: number;
  error?: string;
}

async function deleteAll(token: string | undefined, context: RequestContext): Promise<Response> {
  const app = getAppContext();
  const decision = await app.demoWriteLimiter.take({ address: clientAddress(context) });
  if (!decision.allowed) {
    throw new HttpError(
      429,
      `too many requests from this address; try again in ${decision.retryAfterSeconds} s`,
      { 'Retry-After': String(decision.retryAfterSeconds) },
    );
  }
  // Read without refreshing: this response ends the session, it must not also extend it.
  const validated = await learnerSessionsFor(app).validateLearnerSessionToken(token);
  const deps = {
    db: app.db,
    stores: app.stores,
    instances: app.instances,
  };
  const deletion = validated ? await deleteLearnerData(deps, validated.learner.id) : null;
  const headers = new Headers();
  const cookieLines = await expiredStoreCookies(deps);
  for (const line of cookieLines) headers.append('Set-Cookie', line);
  const complete = deletion?.complete ?? true;
  if (complete && token !== undefined) {
    const secure = isHttps(context);
    headers.append('Set-Cookie', serializeSetCookie(blankLearnerSessionCookie({ secure })));
  }
  const body: DeletionResponse = {
    learner: validated ? shortenId(validated.learner.id) : null,
    deletion,
    expiredCookies: cookieLines.length,
  };
  if (!complete) {
    const missed = deletion!.stores.filter((store) => store.outcome === 'unreachable');
    body.error =
      `${missed.map((store) => store.title).join(' and ')} could not be reached, so your ` +
      'learner record was kept for a retry; sessions in every other store were deleted.';
    headers.set('Retry-After', '5');
  }
  return json(complete ? 200 : 503, body, headers);
}

function outcomeQuery(outcome: DeletionResponse): string {
  if (outcome.deletion && !outcome.deletion.complete) {
    const missed = outcome.deletion.stores
      .filter((store) => store.outcome === 'unreachable')
      .map((store) => store.storeId);
    return `deleted=incomplete&unreachable=${missed.join(',')}`;
  }
  return 'deleted=everything';
}

function backToPage(from: Headers, query: string): Response {
  const headers = new Headers({ Location: `${dataPage}?${query}`, 'Cache-Control': 'no-store' });
  for (const line of from.getSetCookie()) headers.append('Set-Cookie', line);
  return new Response(null, { status: 303, headers });
}

function json(status: number, body: unknown, headers = new Headers()): Response {
  headers.set('Content-Type', 'application/json; charset=utf-8');
  headers.set('Cache-Control', 'no-store');
  return new Response(JSON.stringify(body), { status, headers });
}
