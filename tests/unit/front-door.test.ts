import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { inspect } from '../../src/server/platform/front-door/front-door';
import { maxBodyBytes } from '../../src/server/platform/http';

function request(method: string, url: string, headers: Record<string, string> = {}) {
  return { method, url, headers } as unknown as IncomingMessage;
}

describe('the front door', () => {
  it('refuses methods a WHATWG Request cannot even be made with, before the adapter sees them', () => {
    for (const method of ['TRACE', 'TRACK', 'CONNECT', 'PROPFIND', 'get']) {
      const refusal = inspect(request(method, '/'));
      expect(refusal?.status).toBe(405);
      expect(refusal?.headers?.Allow).toBe('GET, HEAD, OPTIONS');
    }
  });

  it('names the methods a route answers in Allow', () => {
    const refusal = inspect(request('PUT', '/api/demo/sqlite'));
    expect(refusal?.status).toBe(405);
    expect(refusal?.headers?.Allow).toBe('GET, HEAD, POST, DELETE, OPTIONS');
    expect(inspect(request('OPTIONS', '/api/quiz/jwt'))).toMatchObject({
      status: 204,
      headers: { Allow: 'POST, OPTIONS' },
    });
  });

  it('refuses a body it cannot bound before reading it', () => {
    const chunked = inspect(request('POST', '/api/learner', { 'transfer-encoding': 'chunked' }));
    expect(chunked?.status).toBe(411);
    const declared = inspect(
      request('POST', '/api/quiz/jwt', { 'content-length': String(maxBodyBytes + 1) }),
    );
    expect(declared?.status).toBe(413);
    expect(
      inspect(request('POST', '/api/quiz/jwt', { 'content-length': String(maxBodyBytes) })),
    ).toBeNull();
  });

  it('answers an unknown API path itself and passes pages and known routes on', () => {
    expect(inspect(request('GET', '/api/nope'))?.status).toBe(404);
    expect(inspect(request('GET', '/lessons/jwt/'))).toBeNull();
    expect(inspect(request('GET', '/no/such/page/'))).toBeNull();
    expect(inspect(request('GET', '/%E0%A4%A'))?.status).toBe(400);
    expect(inspect(request('GET', '/healthz?%zz=%zz'))?.status).toBe(400);
    expect(inspect(request('GET', 'http://elsewhere.example/'))?.status).toBe(400);
  });
});
