/**
 * The increment's fix and the race header through the real demo handler: a race press is one
 * write, a fix the store does not have is refused with why, and a malformed race header is a 400.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { handleDemoRequest } from '../../src/server/demo/handler';
import { createTestApp, type TestApp } from '../support/test-app';

const origin = 'http://127.0.0.1:4321';
let testApp: TestApp | undefined;

afterEach(async () => {
  await testApp?.close();
  testApp = undefined;
});

function post(storeId: string, body: Record<string, unknown>, race?: string) {
  const headers = new Headers({ Origin: origin, 'Content-Type': 'application/json' });
  if (race) headers.set('X-Demo-Race', race);
  return {
    storeId,
    clientAddress: '192.0.2.44',
    request: new Request(`${origin}/api/demo/${storeId}`, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
    }),
  };
}

describe('the increment action through the demo handler', () => {
  it('counts a race press of 20 increments as one write', async () => {
    testApp = await createTestApp({ env: { RATE_LIMIT_DEMO_WRITES: '3/3600' } });
    const { app } = testApp;
    const race = await Promise.all(
      Array.from({ length: 20 }, () =>
        handleDemoRequest(app, post('memory', { action: 'increment' }, 'press-0123456789/20')),
      ),
    );
    expect(race.map((response) => response.status)).toEqual(race.map(() => 200));
    // The race took one of the three writes: two are left, then the limit answers.
    const after = [];
    for (let index = 0; index < 3; index++) {
      after.push((await handleDemoRequest(app, post('memory', { action: 'increment' }))).status);
    }
    expect(after).toEqual([200, 200, 429]);
  });

  it('refuses a fix a store does not have, saying which it has or why none', async () => {
    testApp = await createTestApp();
    const { app } = testApp;
    const cookie = await handleDemoRequest(
      app,
      post('signed-cookie', { action: 'increment', fix: 'lock' }),
    );
    expect(cookie.status).toBe(409);
    expect((await cookie.json()).error).toMatch(/browser keeps whichever cookie arrives last/);
    const memory = await handleDemoRequest(
      app,
      post('memory', { action: 'increment', fix: 'atomic' }),
    );
    expect(memory.status).toBe(409);
    expect((await memory.json()).error).toMatch(/fix is "lock"/);
    const reported = await handleDemoRequest(app, post('sqlite', { action: 'increment' }));
    expect((await reported.json()).counterFixes).toMatchObject([
      { kind: 'atomic', processOnly: false },
      { kind: 'version', processOnly: false },
    ]);
  });

  it('SQLite’s atomic increment keeps the row’s byte count with its data', async () => {
    testApp = await createTestApp();
    const { app } = testApp;
    const first = await handleDemoRequest(app, post('sqlite', { action: 'increment' }));
    const cookie = first.headers
      .getSetCookie()
      .map((line) => line.split(';')[0])
      .join('; ');
    const request = post('sqlite', { action: 'increment', fix: 'atomic', key: 'visits' });
    request.request.headers.set('Cookie', cookie);
    const body = await (await handleDemoRequest(app, request)).json();
    expect(body.data).toEqual({ counter: 1, visits: 1 });
    expect(body.server.bytes).toBe(Buffer.byteLength(JSON.stringify(body.data)));
  });

  it('answers a malformed race header with 400 and the JSON error shape', async () => {
    testApp = await createTestApp();
    const response = await handleDemoRequest(
      testApp.app,
      post('memory', { action: 'increment' }, 'x/99'),
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: expect.stringMatching(/X-Demo-Race/) });
  });
});
