/**
 * The progress API against a real app (SQLite in a temporary DATA_DIR): who gets a learner from
 * a mark, what GET answers, and every refusal as a 4xx JSON error, never an exception.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BrowserCookieJar } from '../../src/lab/browser-cookie-jar';
import { readLearnerData } from '../../src/server/learner/learner-data';
import { LEARNER_SESSION_COOKIE } from '../../src/server/learner/learner-sessions';
import {
  handleProgressGet,
  handleProgressPost,
  lessonStateReport,
  parseProgressMark,
  type ProgressMarkAnswer,
} from '../../src/server/learner/progress-request';
import { maxBodyBytes } from '../../src/server/platform/http';
import { createTestApp, type TestApp } from '../support/test-app';

const origin = 'http://127.0.0.1:4321';
const url = `${origin}/api/progress`;
const lessonQuizzes = { 'memory-store': 'memory', 'redis-store': 'redis' };

let testApp: TestApp;
let address = 0;

beforeEach(async () => {
  testApp = await createTestApp();
});
afterEach(async () => testApp?.close());

/** Each call from its own address unless told, so the write allowance never interferes. */
function post(body: string, headers: Record<string, string> = {}, clientAddress?: string) {
  return handleProgressPost(
    testApp.app,
    {
      request: new Request(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...headers },
        body,
      }),
      url: new URL(url),
      clientAddress: clientAddress ?? `192.0.2.${++address}`,
    },
    lessonQuizzes,
    1_000,
  );
}

function get(cookie = '') {
  return handleProgressGet(
    testApp.app,
    {
      request: new Request(url, { headers: cookie ? { Cookie: cookie } : {} }),
      url: new URL(url),
      clientAddress: '192.0.2.200',
    },
    lessonQuizzes,
  );
}

function cookiesOf(response: Response, previous = ''): string {
  const jar = new BrowserCookieJar(previous || null);
  for (const line of response.headers.getSetCookie()) jar.apply(line);
  return jar.header();
}

const learnerRows = () =>
  testApp.app.sqliteFile.prepare('SELECT count(*) FROM learner').pluck().get() as number;

describe('a lesson marked started', () => {
  it('by its demo creates a learner, their cookie and the mark', async () => {
    const response = await post('{"lesson":"memory-store","reason":"demo"}');
    expect(response.status).toBe(200);
    const body = (await response.json()) as ProgressMarkAnswer;
    expect(body).toEqual({
      recorded: true,
      learner: true,
      lessons: {
        'memory-store': { state: 'in-progress', bestScorePercent: null },
        'redis-store': { state: 'not-started', bestScorePercent: null },
      },
    });
    const cookie = cookiesOf(response);
    expect(cookie).toContain(`${LEARNER_SESSION_COOKIE}=`);
    expect(learnerRows()).toBe(1);

    // The same browser asks again: the pager's GET sees the mark.
    const report = await (await get(cookie)).json();
    expect(report.lessons['memory-store']).toEqual({
      state: 'in-progress',
      bestScorePercent: null,
    });
  });

  it('by reading stores nothing for a browser without a learner, and no cookie', async () => {
    const response = await post('{"lesson":"memory-store","reason":"read"}');
    expect(response.status).toBe(200);
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(await response.json()).toMatchObject({
      recorded: false,
      learner: false,
      lessons: { 'memory-store': { state: 'not-started' } },
    });
    expect(learnerRows()).toBe(0);
  });

  it('by reading is recorded for a learner who exists, and shows on their data page', async () => {
    const first = await post('{"lesson":"redis-store","reason":"demo"}');
    const cookie = cookiesOf(first);
    const read = await post('{"lesson":"memory-store","reason":"read"}', { Cookie: cookie });
    expect(await read.json()).toMatchObject({
      recorded: true,
      lessons: {
        'memory-store': { state: 'in-progress' },
        'redis-store': { state: 'in-progress' },
      },
    });
    // Still one learner: a mark with a valid cookie never makes another.
    expect(learnerRows()).toBe(1);
    const learnerId = testApp.app.sqliteFile.prepare('SELECT id FROM learner').pluck().get();
    const data = await readLearnerData(testApp.app.db, learnerId as string);
    expect(data?.lessons.listed.map((lesson) => lesson.lessonId).sort()).toEqual([
      'memory-store',
      'redis-store',
    ]);
  });
});

describe('GET /api/progress', () => {
  it('answers every lesson not started for a browser without a learner, setting nothing', async () => {
    const response = await get();
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(await response.json()).toEqual(lessonStateReport(null, lessonQuizzes));
    expect(learnerRows()).toBe(0);
  });

  it('clears a learner cookie that names no session', async () => {
    const response = await get(`${LEARNER_SESSION_COOKIE}=nonsense.token`);
    expect((await response.json()).learner).toBe(false);
    expect(response.headers.getSetCookie().join()).toMatch(
      new RegExp(`^${LEARNER_SESSION_COOKIE}=;`),
    );
  });
});

describe('refusals: 4xx JSON, never an exception', () => {
  const refusals: [string, () => Promise<Response>, number, RegExp][] = [
    ['an unknown lesson', () => post('{"lesson":"no-such","reason":"demo"}'), 400, /"lesson"/],
    [
      'a lesson id of the wrong type',
      () => post('{"lesson":["memory-store"],"reason":"read"}'),
      400,
      /"lesson"/,
    ],
    ['a missing lesson', () => post('{"reason":"read"}'), 400, /"lesson"/],
    [
      'an unknown reason',
      () => post('{"lesson":"memory-store","reason":"skim"}'),
      400,
      /"reason" must be one of: demo, read/,
    ],
    ['malformed JSON', () => post('{"lesson":'), 400, /not a JSON object/],
    [
      'a body over the bound',
      () => post(JSON.stringify({ lesson: 'x'.repeat(maxBodyBytes) })),
      413,
      /over/,
    ],
    [
      'plain text',
      () => post('lesson', { 'Content-Type': 'text/plain' }),
      415,
      /application\/json/,
    ],
    [
      'another site',
      () => post('{"lesson":"memory-store","reason":"demo"}', { Origin: 'https://evil.example' }),
      403,
      /cross-origin/,
    ],
    [
      'a cross-site fetch',
      () => post('{"lesson":"memory-store","reason":"demo"}', { 'Sec-Fetch-Site': 'cross-site' }),
      403,
      /cross-origin/,
    ],
  ];
  it.each(refusals)('refuses %s', async (_label, send, status, message) => {
    const response = await send();
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect((await response.json()).error).toMatch(message);
    expect(learnerRows()).toBe(0);
  });

  it('answers 429 with Retry-After once an address has used its write allowance', async () => {
    const { max } = testApp.app.config.demoWriteLimit;
    const statuses: number[] = [];
    for (let sent = 0; sent <= max; sent += 1) {
      const response = await post('{"lesson":"memory-store","reason":"read"}', {}, '198.51.100.7');
      statuses.push(response.status);
      if (response.status === 429) {
        expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
        expect((await response.json()).error).toMatch(/too many/);
      }
    }
    expect(statuses.slice(0, max).every((status) => status === 200)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
  });

  it('checks the fields apart from HTTP', () => {
    expect(parseProgressMark({ lesson: 'redis-store', reason: 'read' }, ['redis-store'])).toEqual({
      lesson: 'redis-store',
      reason: 'read',
    });
    // An id is checked against the course, not merely its shape.
    expect(() => parseProgressMark({ lesson: 'redis-store', reason: 'read' }, [])).toThrow(
      expect.objectContaining({ status: 400 }),
    );
  });
});
