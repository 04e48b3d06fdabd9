/**
 * What the built server answers before any route runs, seen on the wire with node:http (fetch
 * refuses to send TRACE or read a status line's reason phrase): no method, body or address a
 * client can send stops the process, and every refusal is the JSON error or a real page.
 */
import { request as httpRequest } from 'node:http';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startSite, type RunningSite } from './server';

const baseURL = inject('baseURL');
const dataDir = inject('dataDir');

interface RawAnswer {
  status: number;
  statusMessage: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function raw(
  method: string,
  url: string,
  { headers = {}, body }: { headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(url, { method, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          statusMessage: response.statusMessage ?? '',
          headers: response.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    outgoing.on('error', reject);
    if (body !== undefined) outgoing.write(body);
    outgoing.end();
  });
}

function jsonError(answer: RawAnswer): string {
  expect(answer.headers['content-type']).toMatch(/^application\/json/);
  const parsed = JSON.parse(answer.body) as { error?: unknown };
  expect(typeof parsed.error).toBe('string');
  return parsed.error as string;
}

describe('the front door', () => {
  it('answers TRACE with 405 and a method Node does not know with 400, and keeps serving', async () => {
    for (const target of ['/', '/lessons/signed-cookie/', '/api/demo/memory']) {
      const answer = await raw('TRACE', `${baseURL}${target}`);
      expect(answer.status, `TRACE ${target}`).toBe(405);
      expect(answer.headers.allow).toBeTruthy();
      const unknown = await raw('TRACK', `${baseURL}${target}`);
      expect(unknown.status, `TRACK ${target}`).toBe(400);
      expect(jsonError(unknown)).toMatch(/not HTTP this server understands/);
    }
    expect((await fetch(`${baseURL}/healthz`)).status).toBe(200);
  });

  it('answers a method an API route lacks with JSON 405 and the methods it has', async () => {
    const answer = await raw('PUT', `${baseURL}/api/demo/sqlite`);
    expect(answer.status).toBe(405);
    expect(answer.statusMessage).toBe('Method Not Allowed');
    expect(answer.headers.allow).toBe('GET, HEAD, POST, DELETE, OPTIONS');
    expect(jsonError(answer)).toMatch(/PUT is not allowed/);
    const quiz = await raw('GET', `${baseURL}/api/quiz/signed-cookie`);
    expect(quiz.headers.allow).toBe('POST, OPTIONS');
    expect(jsonError(quiz)).toMatch(/GET/);
  });

  it('answers a target that does not decode with 400: JSON on the API, a page elsewhere', async () => {
    const api = await raw('GET', `${baseURL}/api/demo/memory?%zz=1`);
    expect(api.status).toBe(400);
    expect(jsonError(api)).toMatch(/not a valid path/);
    const page = await raw('GET', `${baseURL}/healthz?%zz=%zz`);
    expect(page.status).toBe(400);
    expect(page.body).toContain('<h1>Bad request</h1>');
  });

  it('answers an unknown API path with JSON 404, however Astro reads it', async () => {
    for (const target of [
      '/api/no-such-route',
      '/api/instructor/classes/%2e%2e/figures',
      '/api/instructor/classes/nope/results.csv/',
    ]) {
      const answer = await raw('GET', `${baseURL}${target}`);
      expect(answer.status, target).toBe(404);
      expect(jsonError(answer)).toMatch(/no API route/);
    }
  });

  it('answers a method a page lacks with a real 405 page', async () => {
    const answer = await raw('DELETE', `${baseURL}/lessons/signed-cookie/`);
    expect(answer.status).toBe(405);
    expect(answer.headers['content-type']).toMatch(/^text\/html/);
    expect(answer.body).toContain('<h1>Method not allowed</h1>');
    expect(answer.headers['content-security-policy']).toBeTruthy();
  });

  it('refuses a chunked body with 411 and an oversize one with 413, on every route', async () => {
    const big = 'x'.repeat(70 * 1024);
    for (const target of ['/api/demo/sqlite', '/api/learner', '/api/quiz/signed-cookie']) {
      const chunked = await raw('POST', `${baseURL}${target}`, {
        headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' },
        body: big,
      });
      expect(chunked.status, target).toBe(411);
      expect(jsonError(chunked)).toMatch(/Content-Length/);
      const declared = await raw('POST', `${baseURL}${target}`, {
        headers: { 'Content-Type': 'application/json', 'Content-Length': String(big.length) },
        body: big,
      });
      expect(declared.status, target).toBe(413);
      expect(jsonError(declared)).toMatch(/over the 16384/);
    }
  });

  it('shows the 404 page for an unknown demo, not a 500', async () => {
    const answer = await raw('GET', `${baseURL}/demos/no-such-store/`);
    expect(answer.status).toBe(404);
    expect(answer.body).toContain('<h1>Page not found</h1>');
  });

  it('accepts only 1–4 and "fresh" as an instance, refusing what a number parser reads as 1', async () => {
    for (const alias of ['01', '1.0', '0x1', '+1', '1e0', ' 1', '5', '0', '']) {
      const response = await fetch(
        `${baseURL}/api/demo/memory?instance=${encodeURIComponent(alias)}`,
      );
      expect(response.status, `instance=${alias}`).toBe(400);
      expect(((await response.json()) as { error: string }).error).toMatch(/1–4 or "fresh"/);
    }
    expect((await fetch(`${baseURL}/api/demo/memory?instance=4`)).status).toBe(200);
  });

  it('leaves nothing on disk once a "fresh" instance has answered', async () => {
    const instances = path.join(dataDir, 'instances');
    for (let index = 0; index < 3; index++) {
      const response = await fetch(`${baseURL}/api/demo/filesystem?instance=fresh`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ action: 'set', key: 'k', value: 'v' }),
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { instance: string };
      expect(body.instance).toMatch(/^fresh-/);
      expect(existsSync(path.join(instances, body.instance))).toBe(false);
    }
  });
});

describe('status lines', () => {
  let site: RunningSite;
  beforeAll(async () => {
    site = await startSite({
      INSTRUCTOR_TOKEN: 'a-long-enough-instructor-token',
      RATE_LIMIT_SIGN_IN: '1/600',
    });
  });
  afterAll(() => site.stop());

  it('names 429 "Too Many Requests" on the sign-in page, not "OK"', async () => {
    const form = 'token=wrong-token-wrong-token';
    const send = () =>
      raw('POST', `${site.baseURL}/instructor/sign-in/`, {
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          'Content-Length': String(form.length),
        },
        body: form,
      });
    await send();
    const limited = await send();
    expect(limited.status).toBe(429);
    expect(limited.statusMessage).toBe('Too Many Requests');
    expect(limited.headers['retry-after']).toBeTruthy();
    expect(limited.body).toContain('</html>');
  });
});
