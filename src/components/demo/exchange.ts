/**
 * One demo request as the panel records it, and the code that makes it: fetch, then the
 * browser's own resource timing entry for the request.
 *
 * Browser APIs (fetch, performance, PerformanceObserver) are touched only inside
 * `sendDemoRequest`, so the path and header helpers import and run under Node for unit tests.
 */
import type { DemoAction, DemoError, DemoResponse } from '../../lab/demo-api';
import { describeAction } from './exchange-format';

export type DemoMethod = 'GET' | 'POST' | 'DELETE';

/** One `Server-Timing` metric as the browser parsed it. Duration in milliseconds. */
export interface ServerTimingMetric {
  name: string;
  description: string;
  duration: number;
}

export interface Exchange {
  /** 1, 2, 3 … in the order this page sent them, across every demo on the page. */
  seq: number;
  /** The store the request went to, and its name in the page's one request log. */
  storeId: string;
  storeTitle: string;
  method: DemoMethod;
  /** Absolute URL, the name its `PerformanceResourceTiming` entry carries. */
  url: string;
  /** What the learner asked for, in words: "Read", "Set theme", "Grow to 5 KB" … */
  actionLabel: string;
  /** The simulated server instance the request asked for: "1"–"4" or "fresh". */
  instance: string;
  /** `null` when no HTTP response arrived (network failure or timeout). */
  httpStatus: number | null;
  response: DemoResponse | null;
  error: string | null;
  /** Wall-clock time the request started (`Date.now()`), for display. */
  startedAt: number;
  /**
   * When the request started on the page's performance timeline (ms): the timing entry's
   * `startTime`, or `performance.now()` before `fetch`. The waterfall places bars by it.
   */
  startTime: number;
  roundTripMs: number;
  /**
   * `resource-timing`: `responseEnd − startTime` of the browser's own entry for this request.
   * `script-clock`: `performance.now()` around `fetch` and reading the body, which also counts
   * the time the page's script took to get scheduled; used when no entry was found.
   */
  roundTripSource: 'resource-timing' | 'script-clock';
  /** From `PerformanceResourceTiming.serverTiming`; empty when the entry was not found. */
  serverTiming: ServerTimingMetric[];
  /** Bytes on the wire for the response, headers included (0 when served from cache). */
  transferSize: number | null;
  /** Response body bytes before content decoding. */
  encodedBodySize: number | null;
  /** From a `Retry-After` header in seconds (429 and 503 answers); null when absent. */
  retryAfterSeconds: number | null;
}

/** Where a demo request goes: the store's endpoint on the chosen simulated instance. */
export interface DemoTarget {
  storeId: string;
  /** How the page's request log names the store ("Signed cookie (Flask)"). */
  storeTitle: string;
  /** "1"–"4" or "fresh". */
  instance: string;
  /**
   * Distinguishes requests sent at the same time to the same instance: each gets its own URL, so
   * each finds its own resource timing entry.
   */
  tag?: string;
  /** `<id>/<N>` for the requests of one race press, which the server counts as one write. */
  race?: string;
}

export const requestTimeoutMs = 10_000;
/** How long to wait for the browser to publish a timing entry after the body was read. */
const timingEntryWaitMs = 100;

let lastSeq = 0;

/**
 * Sends one demo request and records it. Never throws: failures come back as an exchange with
 * `error` set, so the panel can list them like DevTools lists failed requests.
 */
export async function sendDemoRequest(
  target: DemoTarget,
  method: DemoMethod,
  body?: DemoAction,
): Promise<Exchange> {
  const seq = ++lastSeq;
  const url = new URL(demoPath(target), window.location.href).href;
  const actionLabel = describeAction(method, body);
  const startedAt = Date.now();
  const clockStart = performance.now();
  const timing = watchResourceTiming(url, clockStart);
  const controller = new AbortController();
  const timeout = setTimeout(() => controller.abort(), requestTimeoutMs);

  let httpStatus: number | null = null;
  let retryAfterSeconds: number | null = null;
  let response: DemoResponse | null = null;
  let error: string | null = null;
  try {
    const reply = await fetch(url, {
      method,
      credentials: 'same-origin',
      cache: 'no-store',
      signal: controller.signal,
      headers: {
        Accept: 'application/json',
        ...(body ? { 'Content-Type': 'application/json' } : {}),
        ...(target.race ? { 'X-Demo-Race': target.race } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    httpStatus = reply.status;
    retryAfterSeconds = parseRetryAfter(reply.headers.get('Retry-After'));
    const text = await reply.text();
    const parsed = parseJson(text);
    if (reply.ok && isDemoResponse(parsed)) response = parsed;
    else if (isDemoError(parsed)) error = parsed.error;
    else if (reply.ok) error = 'The server answered, but not with a demo report.';
    else error = `HTTP ${reply.status}${reply.statusText ? ` ${reply.statusText}` : ''}`;
  } catch (failure) {
    error = controller.signal.aborted
      ? `No answer within ${requestTimeoutMs / 1000} s; the request was cancelled.`
      : `The request failed: ${failure instanceof Error ? failure.message : String(failure)}`;
  } finally {
    clearTimeout(timeout);
  }
  const clockEnd = performance.now();
  const entry = await timing.settle();

  return {
    seq,
    storeId: target.storeId,
    storeTitle: target.storeTitle,
    method,
    url,
    actionLabel,
    instance: target.instance,
    httpStatus,
    response,
    error,
    startedAt,
    startTime: entry ? entry.startTime : clockStart,
    roundTripMs: entry ? entry.responseEnd - entry.startTime : clockEnd - clockStart,
    roundTripSource: entry ? 'resource-timing' : 'script-clock',
    serverTiming: entry
      ? entry.serverTiming.map(({ name, description, duration }) => ({
          name,
          description,
          duration,
        }))
      : [],
    transferSize: entry ? entry.transferSize : null,
    encodedBodySize: entry ? entry.encodedBodySize : null,
    retryAfterSeconds,
  };
}

/**
 * Requests sent one after another share a URL, so the entry is told apart by its start time;
 * requests sent together carry a tag in their URL (`DemoTarget.tag`) and are told apart by it.
 * The observer is registered before `fetch`: it still sees entries once the page's resource
 * timing buffer (250 entries by default) is full, when `getEntriesByName` no longer would.
 */
function watchResourceTiming(url: string, notBefore: number) {
  let found: PerformanceResourceTiming | null = null;
  const consider = (entries: PerformanceEntryList) => {
    for (const entry of entries) {
      if (entry.name !== url || entry.startTime < notBefore) continue;
      if (!(entry instanceof PerformanceResourceTiming)) continue;
      if (!found || entry.startTime >= found.startTime) found = entry;
    }
  };
  let observer: PerformanceObserver | null = null;
  let onEntry: (() => void) | null = null;
  if (typeof PerformanceObserver !== 'undefined') {
    observer = new PerformanceObserver((list) => {
      consider(list.getEntries());
      if (found) onEntry?.();
    });
    try {
      observer.observe({ type: 'resource' });
    } catch {
      observer = null;
    }
  }

  return {
    async settle(): Promise<PerformanceResourceTiming | null> {
      consider(performance.getEntriesByName(url, 'resource'));
      if (!found) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, timingEntryWaitMs);
          const frame =
            typeof requestAnimationFrame === 'function'
              ? requestAnimationFrame(() => {
                  consider(performance.getEntriesByName(url, 'resource'));
                  if (found) done();
                })
              : null;
          function done() {
            clearTimeout(timer);
            if (frame !== null) cancelAnimationFrame(frame);
            onEntry = null;
            resolve();
          }
          onEntry = done;
        });
      }
      observer?.disconnect();
      return found;
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function isDemoResponse(value: unknown): value is DemoResponse {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<DemoResponse>;
  return typeof candidate.status === 'string' && typeof candidate.wire === 'object';
}

function isDemoError(value: unknown): value is DemoError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<DemoError>).error === 'string'
  );
}

/* ---------------------------------------------------------------- pure helpers */

/** The path of a demo request: `/api/demo/{store}?instance=…`, plus `&n=…` for a tagged one. */
export function demoPath({
  storeId,
  instance,
  tag,
}: Pick<DemoTarget, 'storeId' | 'instance' | 'tag'>): string {
  const query = new URLSearchParams({ instance });
  if (tag !== undefined) query.set('n', tag);
  return `/api/demo/${encodeURIComponent(storeId)}?${query}`;
}

/** `Retry-After` as seconds; the HTTP-date form is not used by this server and reads as null. */
export function parseRetryAfter(header: string | null): number | null {
  if (header === null || !/^\d{1,6}$/.test(header.trim())) return null;
  return Number(header.trim());
}

/** Bytes of every `Set-Cookie` line in a report, summed as the panel and the strip show them. */
export function setCookieBytes(response: DemoResponse): number {
  return response.wire.response.setCookies.reduce((sum, cookie) => sum + cookie.lineBytes, 0);
}
