/**
 * One demo request, start to finish: load the session, carry out the learner's action, save, and
 * report exactly what crossed the wire and how long each part took.
 */
import { isStoreId } from '../../sessions/catalog';
import {
  SessionTooLargeError,
  StoreUnavailableError,
  type DemoContext,
  type Instance,
  type SessionData,
  type SessionStore,
} from '../../sessions/types';
import type { AppContext } from '../platform/app-context';
import {
  assertSameOrigin,
  HttpError,
  jsonError,
  readFields,
  type SerializedAnswer,
} from '../platform/http';
import { clientAddress, requestAsSent, type RequestContext } from '../platform/client';
import { demoLearner } from '../learner/demo-learner';
import { CookieJar, parseCookieHeader } from '../../sessions/cookie-jar';
import { counterFixFor, runIncrement, underFix } from './increment';
import { raceAdmissionsFor, raceHeader } from './race-admission';
import { demoWriter, tooManyDemoWrites } from './demo-write-limit';
import {
  applyDemoAction,
  DemoInputError,
  isDataAction,
  parseDemoAction,
} from '../../lab/demo-actions';
import type { DemoAction, DemoResponse } from '../../lab/demo-api';
import { InstanceError } from '../../lab/instances';
import { servedBy } from '../platform/served-by';
import { Timer } from '../../sessions/timer';
import {
  jsonWithOwnSize,
  requestCookieBytes,
  requestHeaderBytes,
  setCookieBytes,
  utf8Bytes,
} from '../../lab/wire';

export interface DemoRequest {
  storeId: string;
  request: Request;
  /** The client's address, for the rate limit and the stores' per-address share. */
  clientAddress: string;
}

export interface DemoOutcome {
  status: number;
  headers: Headers;
  body: DemoResponse;
}

/**
 * The demo request as the browser sent it: behind a trusted HTTPS proxy its URL is https:, so the
 * origin check matches the browser's Origin and the stores set `Secure` cookies.
 */
export function demoRequestFrom(context: RequestContext, storeId: string): DemoRequest {
  return { storeId, request: requestAsSent(context), clientAddress: clientAddress(context) };
}

/** The JSON API: every outcome as JSON, errors as `{ error }` with a 4xx/5xx status. */
export async function handleDemoRequest(app: AppContext, demo: DemoRequest): Promise<Response> {
  const answer = await serializeDemoRequest(app, demo);
  if (answer instanceof Response) return answer;
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
}

/** The same answer, a report already serialized (an error stays a `Response`: it is rare). */
export async function serializeDemoRequest(
  app: AppContext,
  demo: DemoRequest,
): Promise<SerializedAnswer | Response> {
  try {
    const outcome = await runDemoRequest(app, demo);
    const body = jsonWithOwnSize((bodyBytes) => ({
      ...outcome.body,
      wire: { ...outcome.body.wire, response: { ...outcome.body.wire.response, bodyBytes } },
    }));
    return { status: outcome.status, headers: outcome.headers, body };
  } catch (error) {
    const http = toHttpError(error);
    return jsonError(http.status, http.message, http.headers);
  }
}

/** Maps what the stores and parsers throw to HTTP; anything else is a bug and stays a 500. */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof DemoInputError || error instanceof InstanceError)
    return new HttpError(400, error.message);
  if (error instanceof SessionTooLargeError) return new HttpError(413, error.message);
  if (error instanceof StoreUnavailableError) {
    return new HttpError(503, error.message, { 'Retry-After': '5' });
  }
  throw error;
}

/** Runs a demo request and describes the response; the caller renders it as JSON or HTML. */
export async function runDemoRequest(app: AppContext, demo: DemoRequest): Promise<DemoOutcome> {
  const { request } = demo;
  const store = findStore(app, demo.storeId);
  const method = request.method;
  const incomingCookies = parseCookieHeader(request.headers.get('cookie'));
  const cookies = new CookieJar(incomingCookies);
  const secure = new URL(request.url).protocol === 'https:';
  if (method !== 'GET') {
    assertSameOrigin(request);
    // A race press (N increments at once) is one write: see race-admission.ts. Counted per
    // learner, under a ceiling per address: see demo-write-limit.ts.
    const decision = await raceAdmissionsFor(app.demoWriteLimiter).take(
      await demoWriter(app, cookies, secure, demo.clientAddress),
      request.headers.get(raceHeader),
    );
    if (!decision.allowed) throw tooManyDemoWrites(decision.retryAfterSeconds, cookies);
  }
  const requestBodyBytes = Number(request.headers.get('content-length') ?? '0') || 0;
  const action: DemoAction | undefined =
    method === 'POST'
      ? parseDemoAction(await readFields(request))
      : method === 'DELETE'
        ? { action: 'destroy' }
        : undefined;

  const timer = new Timer();
  // Writes to a server store name the visitor's learner as the owner, so their sessions can be
  // found and revoked together. A visitor without one gets a reserved id, recorded below only once
  // the store holds something under it.
  const learner = await demoLearner(app, cookies, {
    reserve: action !== undefined && createsSession(action) && store.revokeAll !== undefined,
    secure,
  });
  const ctx: DemoContext = {
    cookies,
    instance: app.instances.resolve(new URL(request.url).searchParams.get('instance')),
    timer,
    now: () => Date.now(),
    owner: learner?.id ?? null,
    sizeRule: action?.action === 'grow' && action.sendAnyway ? 'send-anyway' : 'enforce',
    secure,
    // Server stores give each address a fair share of their sessions.
    clientAddress: demo.clientAddress,
  };

  const fix = counterFixFor(store, action);
  const { loaded, data, notice, server } = await withInstance(store, ctx.instance, () =>
    underFix(fix, ctx, async () => {
      const loaded = await timer.measure('load', `${store.info.title}: load`, () =>
        store.load(ctx),
      );
      if (loaded.status === 'unavailable') {
        throw new StoreUnavailableError(loaded.reason ?? `${store.info.title} is not reachable`);
      }
      const { data, notice } =
        action?.action === 'increment'
          ? await runIncrement(store, ctx, loaded, action, fix)
          : await act(app, store, ctx, loaded.data, action);
      const server = store.peek ? await store.peek(ctx) : null;
      return { loaded, data, notice, server };
    }),
  );
  // The store now holds a session under the id (this browser's, or another device's): the visitor
  // becomes a learner. A save the store dropped or refused never gets here, or leaves no session;
  // nor does one on a one-request instance, whose sessions went with it.
  const kept = !ctx.instance.oneRequest || store.info.facts.sharedAcrossInstances;
  if (kept && (server !== null || action?.action === 'second-session')) await learner?.record();

  const headers = new Headers({
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    'Server-Timing': timer.toHeader(),
  });
  for (const line of cookies.setCookieLines()) headers.append('Set-Cookie', line);
  const answeredBy = servedBy(app.config);
  // node:cluster hands out connections, not requests: a browser that keeps its connection open
  // would meet the same worker every time. Closing it after each answer from a store that keeps
  // sessions in one process lets the next request meet another worker, as a load balancer would.
  if (answeredBy.processes > 1 && !store.info.facts.sharedAcrossInstances) {
    headers.set('Connection', 'close');
  }

  return {
    status: 200,
    headers,
    body: {
      store: store.info,
      notice,
      status: loaded.status,
      reason: loaded.reason ?? null,
      data,
      instance: ctx.instance.id,
      timings: timer.toJSON(),
      wire: {
        request: {
          method,
          cookieHeaderBytes: utf8Bytes(request.headers.get('cookie') ?? ''),
          headerBytes: requestHeaderBytes(request),
          cookies: requestCookieBytes(incomingCookies),
          bodyBytes: requestBodyBytes,
        },
        response: { setCookies: cookies.outgoing.map(setCookieBytes), bodyBytes: 0 },
      },
      server,
      counterFixes: (store.counterFixes ?? []).map((fix) => ({
        kind: fix.kind,
        how: fix.how,
        processOnly: fix.kind === 'lock' && fix.scope === 'process',
      })),
      servedBy: answeredBy,
    },
  };
}

/**
 * Runs the request's work on its instance; a one-request ("fresh") instance is then gone, as a
 * serverless platform's would be, and the store lets go of everything it kept for it.
 */
async function withInstance<Result>(
  store: SessionStore,
  instance: Instance,
  work: () => Promise<Result>,
): Promise<Result> {
  try {
    return await work();
  } finally {
    if (instance.oneRequest) await store.releaseInstance?.(instance);
  }
}

/**
 * Only actions that store something give a visitor a learner id, and only in stores that record
 * an owner (server stores); deleting never creates one.
 */
function createsSession(action: DemoAction): boolean {
  return isDataAction(action) || action.action === 'second-session';
}

function findStore(app: AppContext, storeId: string): SessionStore {
  const store = isStoreId(storeId) ? app.stores.get(storeId) : undefined;
  if (store) return store;
  const known = [...app.stores.keys()].join(', ');
  throw new HttpError(404, `unknown store "${storeId.slice(0, 40)}"; live demos: ${known}`);
}

async function act(
  app: AppContext,
  store: SessionStore,
  ctx: DemoContext,
  data: SessionData,
  action: DemoAction | undefined,
): Promise<{ data: SessionData; notice: string | null }> {
  const title = store.info.title;
  if (!action) return { data, notice: null };
  if (isDataAction(action)) {
    const next = applyDemoAction(data, action);
    await ctx.timer.measure('save', `${title}: save`, () => store.save(ctx, next));
    return { data: next, notice: null };
  }
  switch (action.action) {
    case 'destroy':
      await ctx.timer.measure('save', `${title}: destroy`, () => store.destroy(ctx));
      return { data: {}, notice: 'Session destroyed.' };
    case 'revoke-all': {
      if (!store.revokeAll) throw cannotRevoke(store);
      const count = await ctx.timer.measure('save', `${title}: revoke all`, () =>
        store.revokeAll!(ctx),
      );
      return {
        data: {},
        notice: `Signed out everywhere: ${count} ${count === 1 ? 'session' : 'sessions'} deleted.`,
      };
    }
    case 'second-session': {
      if (store.info.where === 'browser') throw cannotRevoke(store);
      // Another device: same learner, its own cookie jar that this browser never sees.
      const device: DemoContext = { ...ctx, cookies: new CookieJar() };
      await store.load(device);
      await ctx.timer.measure('save', `${title}: second session`, () =>
        store.save(device, {
          device: 'another device',
          signedInAt: new Date(ctx.now()).toISOString(),
        }),
      );
      return {
        data,
        notice: 'Started a second session for you, as if signed in on another device.',
      };
    }
    case 'restart-instance':
      app.instances.restart(ctx.instance.id);
      return {
        data,
        notice: `Instance ${ctx.instance.id} restarted: everything it kept in memory is gone.`,
      };
    case 'tamper':
      ctx.cookies.set(action.cookie, action.value, {
        httpOnly: true,
        sameSite: 'Lax',
        path: `/api/demo/${store.info.id}`,
      });
      return {
        data,
        notice: `Planted an edited value in the ${action.cookie} cookie; the next request carries it.`,
      };
  }
}

function cannotRevoke(store: SessionStore): HttpError {
  return new HttpError(
    409,
    `${store.info.title}: the server keeps no list of sessions to delete. The browser holds the whole ` +
      'session, and it stays valid until it expires (or until the key is changed, which signs out everyone).',
  );
}
