/**
 * Input that the site answered with 500: bodies over the adapter's 64 KiB limit on the quiz API,
 * chunked bodies over the limit on the demo and learner APIs, large no-JavaScript form posts, and
 * a demo page for an unknown store. Each is the client's mistake: a 4xx that says so, never a
 * 5xx. A body that declares its length is refused over the limit (413); one sent chunked cannot
 * be bounded before it is read, so it is refused for not declaring one (411).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyText, header, send, type RawRequest } from './support/http-client';
import { generousLimits, LiveSite } from './support/live-site';
import { jsonError } from './support/oracle';

const kib = 1024;
const form = 'application/x-www-form-urlencoded';

function post(
  path: string,
  type: string,
  bytes: number,
  extra: Partial<RawRequest> = {},
): RawRequest {
  const filler = 'a'.repeat(bytes);
  const body = type === form ? `value=${filler}` : `{"action":"set","key":"k","value":"${filler}"}`;
  return {
    method: 'POST',
    path,
    body,
    ...extra,
    headers: { 'Content-Type': type, Accept: 'application/json', ...extra.headers },
  };
}

const tooLarge: [label: string, request: RawRequest][] = [
  ['a 70 KiB quiz form', post('/api/quiz/jwt', form, 70 * kib)],
  ['a 200 KiB quiz form', post('/api/quiz/jwt', form, 200 * kib)],
];

const chunked: [label: string, request: RawRequest][] = [
  ['a chunked 70 KiB quiz form', post('/api/quiz/jwt', form, 70 * kib, { chunked: true })],
  [
    'a chunked 70 KiB demo write',
    post('/api/demo/jwt', 'application/json', 70 * kib, { chunked: true }),
  ],
  [
    'a chunked 200 KiB demo write',
    post('/api/demo/sqlite', 'application/json', 200 * kib, { chunked: true }),
  ],
  ['a chunked 70 KiB learner post', post('/api/learner', form, 70 * kib, { chunked: true })],
  [
    'a chunked 100-byte demo write',
    post('/api/demo/jwt', 'application/json', 100, { chunked: true }),
  ],
];

let site: LiveSite;

beforeAll(async () => {
  site = await LiveSite.start(generousLimits);
});

afterAll(() => site?.stop());

describe('bodies over the limit', () => {
  it.each(tooLarge)('refuses %s with 413 JSON', async (_label, request) => {
    const response = await send(site.port, request);
    expect(response.status, bodyText(response)).toBe(413);
    expect(header(response, 'content-type')).toMatch(/^application\/json/);
    expect(jsonError(response)).toMatch(/bytes|large|limit/i);
    expect(await site.alive()).toBe(true);
  });

  it.each(chunked)(
    'refuses %s with 411 JSON asking for a Content-Length',
    async (_label, request) => {
      const response = await send(site.port, request);
      expect(response.status, bodyText(response)).toBe(411);
      expect(header(response, 'content-type')).toMatch(/^application\/json/);
      expect(jsonError(response)).toMatch(/Content-Length/);
      expect(await site.alive()).toBe(true);
    },
  );

  it.each([
    ['70 KiB', 70 * kib],
    ['200 KiB', 200 * kib],
  ])(
    'answers a %s no-JavaScript demo form post with a 4xx or the result page, not a 5xx',
    async (_label, bytes) => {
      for (const chunked of [false, true]) {
        const response = await send(
          site.port,
          post('/api/demo/signed-cookie', form, bytes, {
            chunked,
            headers: { Accept: 'text/html' },
          }),
        );
        expect(response.status, `chunked: ${chunked}: ${bodyText(response)}`).toBeLessThan(500);
        if (response.status >= 400) expect(response.body.length).toBeGreaterThan(0);
      }
    },
  );
});

describe('unknown demo pages', () => {
  it.each(['/demos/nope/', '/demos/SQLITE/', '/demos/%00/', '/demos/__proto__/'])(
    '%s is a 404 page, not a 500',
    async (path) => {
      const response = await send(site.port, {
        method: 'GET',
        path,
        headers: { Accept: 'text/html' },
      });
      expect(response.status).toBe(404);
      expect(response.statusMessage).toBe('Not Found');
      expect(header(response, 'content-type')).toMatch(/^text\/html/);
      expect(response.body.length).toBeGreaterThan(0);
    },
  );
});
