/**
 * Performs the demo requests of a "predict, then press" checkpoint on the server, exactly as the
 * demo API would answer the learner's browser: each step is a real demo request carrying the
 * cookies the browser holds at that moment (see browser-cookie-jar.ts), so the press acts on the
 * same session the lesson's demo shows, and the learner's browser gets every cookie it set.
 */
import type { StepResult, StepSpec } from '../../course/predictions/types';
import type { AppContext } from '../platform/app-context';
import type { DemoWriteLimiter } from './demo-write-limit';
import type { BrowserCookieJar } from '../../lab/browser-cookie-jar';
import { runDemoRequest, toHttpError } from './handler';

/** The most requests one press may send; a race step counts each of its requests. */
export const maxPressRequests = 24;

export interface PressTarget {
  storeId: string;
  /** The site's origin as the browser sees it (https: behind a trusted proxy). */
  origin: string;
  clientAddress: string;
}

/**
 * A press counts as one write against the learner's rate limit (the route takes it), not one per
 * request inside it, so its steps run with a limiter that always allows.
 */
const alreadyCounted = {
  take: async () => ({ allowed: true }),
} as unknown as DemoWriteLimiter;

export async function runPress(
  app: AppContext,
  target: PressTarget,
  steps: readonly StepSpec[],
  jar: BrowserCookieJar,
): Promise<StepResult[]> {
  const pressApp: AppContext = { ...app, demoWriteLimiter: alreadyCounted };
  const results: StepResult[] = [];
  for (const spec of steps) {
    const step = typeof spec === 'function' ? spec(results) : spec;
    const count = step.together ?? 1;
    if (results.length + count > maxPressRequests) {
      throw new Error(`a press may send at most ${maxPressRequests} requests`);
    }
    const url = new URL(`/api/demo/${encodeURIComponent(target.storeId)}`, target.origin);
    url.searchParams.set('instance', step.instance ?? '1');
    const cookie = jar.header();
    const request = () =>
      new Request(url, {
        method: step.method,
        headers: {
          Accept: 'application/json',
          ...(cookie ? { Cookie: cookie } : {}),
          ...(step.action ? { 'Content-Type': 'application/json' } : {}),
        },
        body: step.action ? JSON.stringify(step.action) : undefined,
      });
    // Requests sent together all leave with the cookies the browser holds now. Each starts in its
    // own turn of the event loop, as requests arriving over the network are handled: they then
    // overlap only where a handler really waits (I/O, a timer), as they do when the console's race
    // sends them over HTTP. Started in one turn, they would also interleave at every `await`
    // between load and save, which requests from a client never do on this server.
    const pending: Promise<{ result: StepResult; setCookies: string[] }>[] = [];
    for (let index = 0; index < count; index++) {
      if (index > 0) await new Promise((resolve) => setImmediate(resolve));
      pending.push(send(pressApp, target, request()));
    }
    const batch = await Promise.all(pending);
    // Applied in the order they were sent, as the console logs a race.
    for (const { result, setCookies } of batch) {
      for (const line of setCookies) jar.apply(line);
      results.push(result);
    }
    // A store that is not running answers every later step the same way: stop asking.
    if (results.some((result) => !result.ok && result.status === 503)) break;
  }
  return results;
}

async function send(
  app: AppContext,
  target: PressTarget,
  request: Request,
): Promise<{ result: StepResult; setCookies: string[] }> {
  try {
    const outcome = await runDemoRequest(app, {
      storeId: target.storeId,
      request,
      clientAddress: target.clientAddress,
    });
    return { result: { ok: true, body: outcome.body }, setCookies: outcome.headers.getSetCookie() };
  } catch (error) {
    const http = toHttpError(error);
    return { result: { ok: false, status: http.status, error: http.message }, setCookies: [] };
  }
}
