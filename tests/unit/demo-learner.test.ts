/**
 * When a demo request makes a learner: the real demo handler, real stores, the site's real SQLite
 * database in a temporary DATA_DIR. A visitor without a learner cookie becomes a learner only when
 * a store saved something for them; a refused write leaves no row, no session and no cookie.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { handleDemoRequest } from '../../src/server/demo/handler';
import { createSqliteStore } from '../../src/sessions/stores/sqlite/store';
import { LEARNER_SESSION_COOKIE } from '../../src/server/learner/learner-sessions';
import { createTestApp, type TestApp } from '../support/test-app';

const origin = 'http://127.0.0.1:4321';
let testApp: TestApp | undefined;

afterEach(async () => {
  await testApp?.close();
  testApp = undefined;
});

async function start(options: Parameters<typeof createTestApp>[0] = {}) {
  testApp = await createTestApp(options);
  return testApp.app;
}

function demoRequest(
  storeId: string,
  body: Record<string, unknown> | null,
  { cookie, instance }: { cookie?: string; instance?: string } = {},
) {
  const headers = new Headers({ Origin: origin, 'Content-Type': 'application/json' });
  if (cookie) headers.set('Cookie', cookie);
  const url = `${origin}/api/demo/${storeId}${instance ? `?instance=${instance}` : ''}`;
  return {
    storeId,
    clientAddress: '192.0.2.1',
    request: new Request(url, {
      method: body ? 'POST' : 'GET',
      headers,
      ...(body && { body: JSON.stringify(body) }),
    }),
  };
}

function learnerCookies(response: Response): string[] {
  return response.headers
    .getSetCookie()
    .filter((line) => line.startsWith(`${LEARNER_SESSION_COOKIE}=`));
}

/** The browser's next Cookie header: every cookie the response set, without attributes. */
function cookieHeader(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ');
}

function countRows(sql: string): number {
  return testApp!.app.sqliteFile.prepare<[], number>(sql).pluck().get() ?? 0;
}

const learners = () => countRows('SELECT count(*) FROM learner');
const learnerSessions = () => countRows('SELECT count(*) FROM learner_session');

describe('a refused demo write from a visitor without a learner', () => {
  it('413: a session over the store’s size leaves no learner and sends no learner cookie', async () => {
    const app = await start({
      stores: ({ sqliteFile }) => ({
        sqlite: createSqliteStore({ db: sqliteFile, secure: false, maxSessionBytes: 256 }),
      }),
    });
    const response = await handleDemoRequest(
      app,
      demoRequest('sqlite', { action: 'grow', bytes: 1024 }),
    );
    expect(response.status).toBe(413);
    expect(learnerCookies(response)).toEqual([]);
    expect(learners()).toBe(0);
    expect(learnerSessions()).toBe(0);
    expect(countRows('SELECT count(*) FROM demo_session')).toBe(0);
  });

  it('a full store evicts its oldest session for a newcomer, who becomes a learner', async () => {
    const app = await start({
      stores: ({ sqliteFile }) => ({
        sqlite: createSqliteStore({ db: sqliteFile, secure: false, maxSessions: 1 }),
      }),
    });
    for (let visitor = 1; visitor <= 3; visitor++) {
      const saved = await handleDemoRequest(app, demoRequest('sqlite', { action: 'increment' }));
      expect(saved.status).toBe(200);
      expect(learnerCookies(saved)).toHaveLength(1);
      expect(learners()).toBe(visitor);
    }
    expect(countRows('SELECT count(*) FROM demo_session')).toBe(1);
  });

  it('503: a store whose server is not configured leaves no learner', async () => {
    const app = await start();
    for (const store of ['redis', 'memcached']) {
      const response = await handleDemoRequest(
        app,
        demoRequest(store, { action: 'set', key: 'k', value: 'v' }),
      );
      expect(response.status, store).toBe(503);
      expect(learnerCookies(response), store).toEqual([]);
    }
    expect(learners()).toBe(0);
    expect(learnerSessions()).toBe(0);
  });

  it('400 and 429: bad input and a spent rate limit leave no learner', async () => {
    const app = await start({ env: { RATE_LIMIT_DEMO_WRITES: '2/60' } });
    const bad = await handleDemoRequest(app, demoRequest('memory', { action: 'set', key: '' }));
    expect(bad.status).toBe(400);
    const unknownInstance = await handleDemoRequest(
      app,
      demoRequest('memory', { action: 'increment' }, { instance: '99' }),
    );
    expect(unknownInstance.status).toBe(400);
    const limited = await handleDemoRequest(app, demoRequest('memory', { action: 'increment' }));
    expect(limited.status).toBe(429);
    for (const response of [bad, unknownInstance, limited]) {
      expect(learnerCookies(response)).toEqual([]);
    }
    expect(learners()).toBe(0);
  });
});

describe('a demo write that stores something', () => {
  it('creates exactly one learner, owning the session, and sends its cookie once', async () => {
    const app = await start();
    // Refused first (its server is not configured): nothing yet.
    const refused = await handleDemoRequest(app, demoRequest('redis', { action: 'increment' }));
    expect(refused.status).toBe(503);
    const first = await handleDemoRequest(
      app,
      demoRequest('sqlite', { action: 'set', key: 'user_id', value: '42' }),
    );
    expect(first.status).toBe(200);
    expect(learnerCookies(first)).toHaveLength(1);
    // The panel reports every cookie the response sets, the learner's included.
    const reported = (await first.json()) as { wire: { response: { setCookies: unknown[] } } };
    expect(reported.wire.response.setCookies).toHaveLength(first.headers.getSetCookie().length);
    expect(learners()).toBe(1);
    expect(learnerSessions()).toBe(1);
    const learner = app.sqliteFile.prepare<[], string>('SELECT id FROM learner').pluck().get()!;
    expect(
      app.sqliteFile
        .prepare<[string], number>('SELECT count(*) FROM demo_session WHERE owner = ?')
        .pluck()
        .get(learner),
    ).toBe(1);

    // The same browser comes back: same learner, nothing new, in this store and another.
    const cookie = cookieHeader(first);
    const again = await handleDemoRequest(
      app,
      demoRequest('sqlite', { action: 'increment' }, { cookie }),
    );
    expect(again.status).toBe(200);
    const elsewhere = await handleDemoRequest(
      app,
      demoRequest('filesystem', { action: 'increment' }, { cookie }),
    );
    expect(elsewhere.status).toBe(200);
    expect(learnerCookies(again)).toEqual([]);
    expect(learners()).toBe(1);
    expect(learnerSessions()).toBe(1);
  });

  it('creates one for a session started on “another device”', async () => {
    const app = await start();
    const response = await handleDemoRequest(
      app,
      demoRequest('memory', { action: 'second-session' }),
    );
    expect(response.status).toBe(200);
    expect(learnerCookies(response)).toHaveLength(1);
    expect(learners()).toBe(1);
  });

  it('creates none for a cookie store, which keeps nothing on the server, or for a read', async () => {
    const app = await start();
    for (const store of ['plain-cookie', 'signed-cookie', 'encrypted-cookie', 'jwt']) {
      const response = await handleDemoRequest(
        app,
        demoRequest(store, { action: 'set', key: 'k', value: 'v' }),
      );
      expect(response.status, store).toBe(200);
      expect(learnerCookies(response), store).toEqual([]);
    }
    const read = await handleDemoRequest(app, demoRequest('sqlite', null));
    expect(read.status).toBe(200);
    expect(learnerCookies(read)).toEqual([]);
    expect(learners()).toBe(0);
  });
});
