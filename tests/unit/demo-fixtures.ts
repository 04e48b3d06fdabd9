/** Builders for demo reports and exchanges, shared by the demo console's unit tests. */
import type { Exchange } from '../../src/components/demo/exchange';
import type { DemoResponse, SetCookieBytes } from '../../src/lab/demo-api';
import type { LoadStatus, ServerView, SessionData } from '../../src/sessions/types';

export function setCookie(
  name: string,
  nameValueBytes: number,
  options: { lineBytes?: number; value?: string; attributes?: Record<string, string | true> } = {},
): SetCookieBytes {
  return {
    name,
    nameValueBytes,
    lineBytes: options.lineBytes ?? nameValueBytes + 40,
    value: options.value ?? 'x'.repeat(Math.max(0, nameValueBytes - name.length - 1)),
    attributes: options.attributes ?? { Path: '/', HttpOnly: true, SameSite: 'Lax' },
  };
}

export interface ReportOptions {
  where?: 'browser' | 'server';
  status?: LoadStatus;
  reason?: string | null;
  notice?: string | null;
  data?: SessionData;
  setCookies?: SetCookieBytes[];
  cookies?: { name: string; nameValueBytes: number }[];
  cookieHeaderBytes?: number;
  headerBytes?: number;
  server?: ServerView | null;
  instance?: string;
}

export function report(options: ReportOptions = {}): DemoResponse {
  const where = options.where ?? 'browser';
  return {
    store: {
      id: where === 'browser' ? 'plain-cookie' : 'memory',
      title: where === 'browser' ? 'Plain cookie' : 'Server memory',
      where,
      summary: '',
      facts: {
        sharedAcrossInstances: where === 'browser',
        survivesRestart: where === 'browser',
        revocable: where === 'server',
        readableByClient: where === 'browser',
        tamperEvident: false,
        sizeLimit: { bytes: 4096, counts: 'name + value' },
      },
    },
    notice: options.notice ?? null,
    status: options.status ?? 'ok',
    reason: options.reason ?? null,
    data: options.data ?? {},
    instance: options.instance ?? '1',
    timings: { load: 0.042 },
    wire: {
      request: {
        method: 'GET',
        cookieHeaderBytes: options.cookieHeaderBytes ?? 0,
        headerBytes: options.headerBytes ?? 600,
        cookies: options.cookies ?? [],
        bodyBytes: 0,
      },
      response: { setCookies: options.setCookies ?? [], bodyBytes: 900 },
    },
    server: options.server ?? null,
    counterFixes: [],
    servedBy: { host: 'lab-host', pid: 4242, processes: 1 },
  };
}

export function exchange(
  seq: number,
  response: DemoResponse | null,
  options: Partial<Exchange> = {},
): Exchange {
  return {
    seq,
    storeId: 'plain-cookie',
    storeTitle: 'Plain cookie',
    method: 'GET',
    url: `http://127.0.0.1/api/demo/plain-cookie?instance=1`,
    actionLabel: 'Read',
    instance: '1',
    httpStatus: response ? 200 : null,
    response,
    error: response ? null : 'The request failed: offline',
    startedAt: 0,
    startTime: seq * 1000,
    roundTripMs: 5,
    roundTripSource: 'resource-timing',
    serverTiming: [],
    transferSize: null,
    encodedBodySize: null,
    retryAfterSeconds: null,
    ...options,
  };
}
