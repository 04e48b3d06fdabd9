/**
 * One demo request as the panel records it, the code that makes it, and the pure arithmetic the
 * panel shows (byte formatting, the three size rules, upload estimates).
 *
 * Browser APIs (fetch, performance, PerformanceObserver) are touched only inside
 * `sendDemoRequest`, so the pure helpers import and run under Node for unit tests.
 */
import type { DemoAction, DemoError, DemoResponse } from '../../lab/demo-api';

export type DemoMethod = 'GET' | 'POST' | 'DELETE';

/** One `Server-Timing` metric as the browser parsed it. Duration in milliseconds. */
export interface ServerTimingMetric {
  name: string;
  description: string;
  duration: number;
}

export interface Exchange {
  /** 1, 2, 3 … in the order this page sent them. */
  seq: number;
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

/* ---------------------------------------------------------------- pure helpers for the panel */

/** The path of a demo request: `/api/demo/{store}?instance=…`, plus `&n=…` for a tagged one. */
export function demoPath({ storeId, instance, tag }: DemoTarget): string {
  const query = new URLSearchParams({ instance });
  if (tag !== undefined) query.set('n', tag);
  return `/api/demo/${encodeURIComponent(storeId)}?${query}`;
}

/** `Retry-After` as seconds; the HTTP-date form is not used by this server and reads as null. */
export function parseRetryAfter(header: string | null): number | null {
  if (header === null || !/^\d{1,6}$/.test(header.trim())) return null;
  return Number(header.trim());
}

/**
 * How the panel names an instance: "1"–"4" as they are; a serverless one as "fresh" and the start
 * of its random id, because each of those exists for one request only.
 */
export function instanceLabel(id: string): string {
  const fresh = /^fresh-(.+)$/.exec(id);
  return fresh ? `fresh ${fresh[1]?.slice(0, 8)}` : id;
}

/** The label a request gets in the log. */
export function describeAction(method: DemoMethod, body?: DemoAction): string {
  if (method === 'GET') return 'Read';
  if (method === 'DELETE') return 'Clear';
  switch (body?.action) {
    case 'set':
      return `Set ${body.key}`;
    case 'grow':
      return `Grow to ${formatBytes(body.bytes)}${body.sendAnyway ? ', send anyway' : ''}`;
    case 'increment':
      return `Increment ${body.key ?? 'counter'}${body.workMs ? `, ${body.workMs} ms work` : ''}${body.fix ? `, ${body.fix}` : ''}`;
    case 'clear':
      return 'Clear';
    case 'revoke-all':
      return 'Log out everywhere';
    case 'second-session':
      return 'Sign in from another device';
    case 'restart-instance':
      return 'Restart instance';
    case 'tamper':
      return `Forge ${body.cookie}`;
    default:
      return method;
  }
}

/**
 * "812 B" below 1 KiB; above it the rounded size and the exact count, "3.9 KB (3994 B)",
 * because the limits this course teaches are exact byte counts. KB here means 1024 bytes.
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return 'unknown';
  const exact = Math.round(bytes);
  if (Math.abs(exact) < 1024) return `${exact} B`;
  const units = ['KB', 'MB', 'GB'] as const;
  let scaled = exact / 1024;
  let unit = 0;
  while (Math.abs(Number(scaled.toFixed(1))) >= 1024 && unit < units.length - 1) {
    scaled /= 1024;
    unit++;
  }
  const rounded = scaled.toFixed(1).replace(/\.0$/, '');
  return `${rounded} ${units[unit]} (${exact} B)`;
}

/** Milliseconds with microsecond precision, as `Server-Timing` carries them. */
export function formatMs(ms: number): string {
  return Number.isFinite(ms) ? ms.toFixed(3) : 'unknown';
}

export type Verdict = 'ok' | 'warn' | 'over';

/** A value within this fraction of its limit is a warning: one more key could cross it. */
export const warnFraction = 0.9;

export function verdictFor(value: number, limit: number): Verdict {
  if (value > limit) return 'over';
  if (value >= limit * warnFraction) return 'warn';
  return 'ok';
}

export interface SizeCheck {
  /** What was measured: a cookie, a header line, all headers. */
  subject: string;
  value: number;
  limit: number;
  verdict: Verdict;
}

export type SizeRuleId = 'cookie-name-value' | 'set-cookie-line' | 'request-headers';

export interface SizeRule {
  id: SizeRuleId;
  title: string;
  /** Who enforces the limit and what counts. */
  enforcedBy: string;
  /** What happens past the limit. */
  consequence: string;
  /** True when nothing breaks past the limit in a browser; some libraries refuse. */
  informational: boolean;
  /** The worst verdict among the checks; `ok` when there was nothing to check. */
  verdict: Verdict;
  checks: SizeCheck[];
}

/** RFC 6265bis §5.6 and Chromium's `kMaxCookieNamePlusValueSize`. */
export const cookieNameValueLimit = 4096;
/** iron-session refuses to send a `Set-Cookie` line longer than this. */
export const setCookieLineLimit = 4096;
/** nginx `large_client_header_buffers 4 8k`: one header line must fit one 8 KiB buffer. */
export const proxyHeaderLineLimit = 8192;
/** Node.js `http.maxHeaderSize`: the request line plus all headers; over it, 431. */
export const nodeHeaderLimit = 16384;
const cookieHeaderPrefixBytes = 'Cookie: '.length;

const verdictRank: Record<Verdict, number> = { ok: 0, warn: 1, over: 2 };

function worst(checks: SizeCheck[]): Verdict {
  return checks.reduce<Verdict>(
    (acc, check) => (verdictRank[check.verdict] > verdictRank[acc] ? check.verdict : acc),
    'ok',
  );
}

function check(subject: string, value: number, limit: number): SizeCheck {
  return { subject, value, limit, verdict: verdictFor(value, limit) };
}

function rule(fields: Omit<SizeRule, 'verdict'>): SizeRule {
  return { ...fields, verdict: worst(fields.checks) };
}

/** The three size rules the panel shows side by side, measured against one response's report. */
export function sizeRules(response: DemoResponse): SizeRule[] {
  const { request, response: sent } = response.wire;
  const cookieLine =
    request.cookieHeaderBytes > 0 ? request.cookieHeaderBytes + cookieHeaderPrefixBytes : 0;
  return [
    rule({
      id: 'cookie-name-value',
      title: 'Cookie name + value',
      enforcedBy:
        'Browsers (RFC 6265bis, Chromium, Firefox) count the bytes of the name plus the value.',
      consequence: 'The browser ignores the whole cookie: the next request arrives without it.',
      informational: false,
      checks: [
        ...sent.setCookies.map((cookie) =>
          check(`Set-Cookie ${cookie.name}`, cookie.nameValueBytes, cookieNameValueLimit),
        ),
        ...request.cookies.map((cookie) =>
          check(`Cookie ${cookie.name}`, cookie.nameValueBytes, cookieNameValueLimit),
        ),
      ],
    }),
    rule({
      id: 'set-cookie-line',
      title: 'Whole Set-Cookie line',
      enforcedBy: 'iron-session counts the whole header value, attributes included.',
      consequence:
        'Past the limit, browsers still keep the cookie (they count only name + value), but iron-session refuses to send it.',
      informational: true,
      checks: sent.setCookies.map((cookie) =>
        check(`Set-Cookie ${cookie.name}`, cookie.lineBytes, setCookieLineLimit),
      ),
    }),
    rule({
      id: 'request-headers',
      title: 'Request headers',
      enforcedBy:
        'nginx limits each header line to 8 KiB (large_client_header_buffers); Node.js limits all headers to 16 KiB (maxHeaderSize).',
      consequence:
        'nginx answers 400 "Request Header Or Cookie Too Large"; Node.js answers 431 before the app runs.',
      informational: false,
      checks: [
        check('Cookie header line (nginx)', cookieLine, proxyHeaderLineLimit),
        check('All request headers (Node.js)', request.headerBytes, nodeHeaderLimit),
      ],
    }),
  ];
}

/** Cookies a browser will refuse to store from this response. */
export function oversizedCookies(response: DemoResponse) {
  return response.wire.response.setCookies.filter(
    (cookie) => cookie.nameValueBytes > cookieNameValueLimit,
  );
}

export interface NetworkProfile {
  id: string;
  /** The name Chrome DevTools shows in its throttling menu. */
  label: string;
  /** Upload throughput DevTools applies, in bits per second (its nominal rate × its adjustment). */
  uploadBitsPerSecond: number;
  /** How DevTools derives the number, for the learner to check. */
  derivation: string;
}

/**
 * Chrome DevTools' built-in throttling presets (devtools-frontend, core/sdk/NetworkManager.ts).
 * DevTools multiplies each nominal rate by an adjustment factor; these are the rates it applies.
 * "3G" was called "Slow 3G", and "Slow 4G" was called "Fast 3G", before May 2024.
 */
export const networkProfiles: readonly NetworkProfile[] = [
  {
    id: '3g',
    label: '3G',
    uploadBitsPerSecond: 500_000 * 0.8,
    derivation: '500 kbit/s × 0.8 = 400 kbit/s',
  },
  {
    id: 'slow-4g',
    label: 'Slow 4G',
    uploadBitsPerSecond: 750_000 * 0.9,
    derivation: '750 kbit/s × 0.9 = 675 kbit/s',
  },
  {
    id: 'fast-4g',
    label: 'Fast 4G',
    uploadBitsPerSecond: 1_500_000 * 0.9,
    derivation: '1.5 Mbit/s × 0.9 = 1350 kbit/s',
  },
];

/**
 * Time to push `bytes` up a link of the profile's upload rate: bytes × 8 ÷ bits per second.
 * An estimate: it leaves out latency, TCP/TLS framing and HTTP/2 header compression.
 */
export function estimateUploadMs(bytes: number, profile: NetworkProfile | string): number {
  const found =
    typeof profile === 'string' ? networkProfiles.find((item) => item.id === profile) : profile;
  if (!found) throw new Error(`unknown network profile "${String(profile)}"`);
  return ((bytes * 8) / found.uploadBitsPerSecond) * 1000;
}
