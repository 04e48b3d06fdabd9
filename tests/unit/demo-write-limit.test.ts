/**
 * Demo writes through the real demo handler, counted in memory (no REDIS_URL): per learner by the
 * learner cookie, under the address's ceiling, and a refusal never loses a learner cookie that
 * finding the learner refreshed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { handleDemoRequest } from '../../src/server/demo/handler';
import { LEARNER_SESSION_COOKIE } from '../../src/server/learner/learner-sessions';
import { createTestApp, type TestApp } from '../support/test-app';

const origin = 'http://127.0.0.1:4321';
const address = '192.0.2.44';
let testApp: TestApp | undefined;

afterEach(async () => {
  await testApp?.close();
  testApp = undefined;
});

async function start(env: Record<string, string>) {
  testApp = await createTestApp({ env });
  return testApp.app;
}

/** A write to a server store: the first one makes the browser a learner. */
function save(cookie?: string) {
  const headers = new Headers({ Origin: origin, 'Content-Type': 'application/json' });
  if (cookie) headers.set('Cookie', cookie);
  return {
    storeId: 'sqlite',
    clientAddress: address,
    request: new Request(`${origin}/api/demo/sqlite`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ action: 'set', key: 'k', value: 'v' }),
    }),
  };
}

function learnerLine(response: Response): string | undefined {
  return response.headers
    .getSetCookie()
    .find((line) => line.startsWith(`${LEARNER_SESSION_COOKIE}=`));
}

describe('demo writes per learner', () => {
  it('gives each learner at one address an allowance of their own, up to the ceiling', async () => {
    const app = await start({
      RATE_LIMIT_DEMO_WRITES: '2/3600',
      RATE_LIMIT_DEMO_WRITES_PER_ADDRESS: '5/3600',
    });
    const cookies: string[] = [];
    // Browsers without a learner count as their address: 2, then refused.
    for (let i = 0; i < 2; i++) {
      const first = await handleDemoRequest(app, save());
      expect(first.status).toBe(200);
      cookies.push(learnerLine(first)!.split(';')[0]!);
    }
    expect((await handleDemoRequest(app, save())).status).toBe(429);
    // 2 of the ceiling's 5 spent. The first learner has their own 2 (a refusal by their own limit
    // costs the ceiling nothing); the second gets the last 1, then the ceiling holds.
    const statuses = [];
    for (const cookie of cookies) {
      for (let i = 0; i < 3; i++)
        statuses.push((await handleDemoRequest(app, save(cookie))).status);
    }
    expect(statuses).toEqual([200, 200, 429, 200, 429, 429]);
  });

  it('sends the refreshed learner cookie with a 429', async () => {
    const app = await start({ RATE_LIMIT_DEMO_WRITES: '1/3600' });
    const first = await handleDemoRequest(app, save());
    const cookie = learnerLine(first)!.split(';')[0]!;
    expect((await handleDemoRequest(app, save(cookie))).status).toBe(200);
    // Not due for a refresh: the refusal sets nothing.
    const plain = await handleDemoRequest(app, save(cookie));
    expect(plain.status).toBe(429);
    expect(plain.headers.getSetCookie()).toEqual([]);

    // A session a day from its end is due: this request extends it, refused or not.
    const soon = Date.now() + 24 * 60 * 60 * 1000;
    app.sqliteFile.prepare('UPDATE learner_session SET expires_at = ?').run(soon);
    const refused = await handleDemoRequest(app, save(cookie));
    expect(refused.status).toBe(429);
    expect(refused.headers.get('Retry-After')).toMatch(/^\d+$/);
    const refreshed = learnerLine(refused);
    expect(refreshed?.split(';')[0]).toBe(cookie);
    const expires = app.sqliteFile
      .prepare<[], number>('SELECT expires_at FROM learner_session')
      .pluck()
      .get()!;
    expect(expires).toBeGreaterThan(soon);
    expect(refreshed).toMatch(/Max-Age=\d{7}|Expires=/);
  });
});
