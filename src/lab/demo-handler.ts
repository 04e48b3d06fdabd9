/**
 * One demo request, start to finish: load the session, apply the learner's action, save, and
 * report exactly what crossed the wire and how long each part took.
 */
import { isStoreId } from '../sessions/catalog';
import {
  SessionTooLargeError,
  StoreFullError,
  StoreUnavailableError,
  type DemoContext,
  type SessionStore,
} from '../sessions/types';
import type { AppContext } from '../server/app-context';
import { assertSameOrigin, HttpError, jsonError, readFields } from '../server/http';
import { CookieJar, parseCookieHeader } from './cookie-jar';
import { applyDemoAction, DemoInputError, parseDemoAction } from './demo-actions';
import type { DemoResponse } from './demo-api';
import { InstanceError } from './instances';
import { Timer } from './timer';
import {
  jsonWithOwnSize,
  requestCookieBytes,
  requestHeaderBytes,
  setCookieBytes,
  utf8Bytes,
} from './wire';

export async function handleDemoRequest(
  app: AppContext,
  storeId: string,
  request: Request,
): Promise<Response> {
  try {
    return await runDemo(app, findStore(app, storeId), request);
  } catch (error) {
    if (error instanceof HttpError) return jsonError(error.status, error.message, error.headers);
    if (error instanceof DemoInputError || error instanceof InstanceError)
      return jsonError(400, error.message);
    if (error instanceof SessionTooLargeError) return jsonError(413, error.message);
    if (error instanceof StoreUnavailableError || error instanceof StoreFullError) {
      return jsonError(503, error.message, { 'Retry-After': '5' });
    }
    throw error;
  }
}

function findStore(app: AppContext, storeId: string): SessionStore {
  const store = isStoreId(storeId) ? app.stores.get(storeId) : undefined;
  if (store) return store;
  const known = [...app.stores.keys()].join(', ');
  throw new HttpError(
    404,
    isStoreId(storeId)
      ? `the ${storeId} demo is not available yet; live demos: ${known}`
      : `unknown store "${storeId.slice(0, 40)}"; live demos: ${known}`,
  );
}

async function runDemo(app: AppContext, store: SessionStore, request: Request): Promise<Response> {
  const method = request.method;
  if (method !== 'GET') assertSameOrigin(request);
  const requestBodyBytes = Number(request.headers.get('content-length') ?? '0') || 0;
  const action = method === 'POST' ? parseDemoAction(await readFields(request)) : undefined;

  const incomingCookies = parseCookieHeader(request.headers.get('cookie'));
  const timer = new Timer();
  const ctx: DemoContext = {
    cookies: new CookieJar(incomingCookies),
    instance: app.instances.resolve(new URL(request.url).searchParams.get('instance')),
    timer,
    now: () => Date.now(),
  };

  const loaded = await timer.measure('load', `${store.info.title}: load`, () => store.load(ctx));
  if (loaded.status === 'unavailable') {
    throw new StoreUnavailableError(loaded.reason ?? `${store.info.title} is not reachable`);
  }
  let data = loaded.data;
  if (method === 'DELETE') {
    await timer.measure('save', `${store.info.title}: destroy`, () => store.destroy(ctx));
    data = {};
  } else if (action) {
    data = applyDemoAction(data, action);
    await timer.measure('save', `${store.info.title}: save`, () => store.save(ctx, data));
  }
  const server = store.peek ? await store.peek(ctx) : null;

  const headers = new Headers({
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    'Server-Timing': timer.toHeader(),
  });
  for (const line of ctx.cookies.setCookieLines()) headers.append('Set-Cookie', line);

  const body = jsonWithOwnSize((bodyBytes): DemoResponse => ({
    store: store.info,
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
      response: { setCookies: ctx.cookies.outgoing.map(setCookieBytes), bodyBytes },
    },
    server,
  }));
  return new Response(body, { status: 200, headers });
}
