/**
 * What only the PostgreSQL store does, against a real PostgreSQL (a private cluster the shared
 * launcher starts on a free loopback port): two pools, as two server processes would hold, share
 * sessions and revocation; the store recovers when the server restarts or crashes; a full pool or
 * a blocked table answers `unavailable` within its timeouts instead of hanging; without
 * DATABASE_URL it says how to enable it. The common behaviour is in `store-conformance.test.ts`.
 */
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  serviceSkipReason,
  startPostgres,
  type RunningPostgres,
} from '../../scripts/services/index.ts';
import type { RunningStore } from '../../src/sessions/store-kind';
import {
  createPostgresStore,
  postgresNotConfiguredMessage,
  type PostgresStoreOptions,
} from '../../src/sessions/stores/postgres/store';
import { StoreUnavailableError, type SessionData } from '../../src/sessions/types';
import { SimulatedBrowser, testInstance } from '../support/simulated-browser';

const skipReason = serviceSkipReason('postgres');
if (skipReason) console.warn(skipReason);

const instance = testInstance('1', '');
const DAY_MS = 24 * 60 * 60 * 1000;
/** A hang check, not a benchmark: the timeouts below are a few hundred milliseconds. */
const UNAVAILABLE_WITHIN_MS = 3000;

const time = Date.now();
const now = () => time;

/** One request: load, optionally change and save; the browser keeps the response's cookies. */
async function visit(
  store: RunningStore,
  browser: SimulatedBrowser,
  change?: (data: SessionData) => SessionData,
  who: { owner?: string } = {},
) {
  const ctx = { ...browser.request(instance, now), ...who };
  const loaded = await store.load(ctx);
  if (change && loaded.status !== 'unavailable') await store.save(ctx, change(loaded.data));
  browser.receive(ctx);
  return loaded;
}

describe.skipIf(skipReason !== null)('the PostgreSQL store against a real server', () => {
  let server: RunningPostgres;
  const stores: RunningStore[] = [];

  /** A store with its own pool, as one server process holds. */
  function serverProcess(options: Partial<PostgresStoreOptions> = {}): RunningStore {
    const store = createPostgresStore({
      url: server.url,
      secure: false,
      log: () => {},
      ...options,
    });
    stores.push(store);
    return store;
  }

  /** A statement on a connection of its own: the test's connections must survive restarts too. */
  async function query<R extends pg.QueryResultRow>(text: string, values: unknown[] = []) {
    const client = new pg.Client(server.url);
    await client.connect();
    try {
      return await client.query<R>(text, values);
    } finally {
      await client.end();
    }
  }
  const admin = { query };

  async function rows(): Promise<number> {
    return (await query<{ n: number }>('SELECT count(*)::integer AS n FROM demo_session')).rows[0]!
      .n;
  }

  beforeAll(async () => {
    server = await startPostgres();
  });

  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close?.()));
    if (!server.running) await server.start();
    await query('DROP TABLE IF EXISTS demo_session, demo_session_eviction');
  });

  afterAll(async () => {
    await server?.remove();
  });

  it('creates its tables on first use, once, when two processes start at the same moment', async () => {
    const [first, second] = [serverProcess(), serverProcess()];
    const browsers = [new SimulatedBrowser(), new SimulatedBrowser()];
    await Promise.all([
      visit(first, browsers[0]!, () => ({ from: 'first' })),
      visit(second, browsers[1]!, () => ({ from: 'second' })),
    ]);
    expect(await rows()).toBe(2);
    const { rows: indexes } = await admin.query<{ indexname: string }>(
      "SELECT indexname FROM pg_indexes WHERE tablename = 'demo_session' ORDER BY indexname",
    );
    expect(indexes.map((index) => index.indexname)).toEqual([
      'demo_session_by_expiry',
      'demo_session_by_owner',
      'demo_session_by_visitor',
      'demo_session_pkey',
    ]);
  });

  it('stores only a hash of the secret, and the data as text', async () => {
    const store = serverProcess();
    const browser = new SimulatedBrowser();
    await visit(store, browser, () => ({ user_id: 42 }));
    const [id, secret] = (browser.cookies.get('postgres_session') ?? '').split('.');
    const { rows: found } = await admin.query<{ secret_hash: Buffer; data: string }>(
      'SELECT secret_hash, data FROM demo_session WHERE id = $1',
      [id],
    );
    expect(found).toHaveLength(1);
    expect(found[0]!.secret_hash).toHaveLength(32);
    expect(found[0]!.secret_hash.toString('latin1')).not.toContain(secret);
    expect(found[0]!.data).toBe('{"user_id":42}');
  });

  it('shares a session between two processes, each with its own pool', async () => {
    const [first, second] = [serverProcess(), serverProcess()];
    const browser = new SimulatedBrowser();
    await visit(first, browser, () => ({ counter: 1 }));
    expect(await visit(second, browser, (data) => ({ counter: Number(data.counter) + 1 }))).toEqual(
      { status: 'ok', data: { counter: 1 } },
    );
    expect(await visit(first, browser)).toEqual({ status: 'ok', data: { counter: 2 } });
  });

  it('logs a learner out everywhere from either process', async () => {
    const [first, second] = [serverProcess(), serverProcess()];
    const laptop = new SimulatedBrowser();
    const phone = new SimulatedBrowser();
    const who = { owner: 'learner-everywhere' };
    await visit(first, laptop, () => ({ device: 'laptop' }), who);
    await visit(second, phone, () => ({ device: 'phone' }), who);
    const ctx = { ...new SimulatedBrowser().request(instance, now), ...who };
    expect(await second.revokeAll!(ctx)).toBe(2);
    expect((await visit(first, laptop)).status).toBe('new');
    expect((await visit(second, phone)).status).toBe('new');
    expect(await rows()).toBe(0);
  });

  it('sweeps expired rows that nobody loads again', async () => {
    const store = serverProcess();
    for (let index = 0; index < 3; index++) {
      await visit(store, new SimulatedBrowser(), () => ({ index }));
    }
    expect(await store.sweep!(time)).toBe(0);
    expect(await store.sweep!(time + 2 * DAY_MS)).toBe(3);
    expect(await rows()).toBe(0);
  });

  it('counts, lists and empties sessions for the instructor and the learner', async () => {
    const store = serverProcess();
    const who = { owner: 'learner-listed' };
    await visit(store, new SimulatedBrowser(), () => ({ a: 1 }), who);
    await visit(store, new SimulatedBrowser(), () => ({ b: 22 }), who);
    const scope = { instances: [instance], now: time, ownersSeenSince: async () => [] };
    expect(await store.admin!.count(scope)).toEqual({ sessions: 2, bytes: 15, note: null });
    const owned = await store.admin!.listOwned!('learner-listed', scope);
    expect(owned.map((session) => session.bytes).sort()).toEqual([7, 8]);
    expect(await store.admin!.empty(scope)).toMatchObject({ outcome: 'emptied', deleted: 2 });
    expect(await rows()).toBe(0);
  });

  it('recovers when the server restarts, and the session survives it', async () => {
    const store = serverProcess();
    const browser = new SimulatedBrowser();
    await visit(store, browser, () => ({ kept: true }));
    await server.stop();
    const down = await visit(store, browser);
    // Once a query has met the outage, a first visit (no cookie, so no query) is told too.
    const firstVisit = await visit(store, new SimulatedBrowser());
    expect(firstVisit.status, 'a first visit learns of the outage').toBe('unavailable');
    expect(down.status).toBe('unavailable');
    expect(down.reason).toMatch(/start PostgreSQL or check DATABASE_URL/);
    await expect(store.save(browser.request(instance, now), {})).rejects.toThrow(
      StoreUnavailableError,
    );
    await server.start();
    expect(await visit(store, browser)).toEqual({ status: 'ok', data: { kept: true } });
  });

  it('recovers after the server crashes (immediate stop, no checkpoint)', async () => {
    const store = serverProcess();
    const browser = new SimulatedBrowser();
    await visit(store, browser, () => ({ committed: 'before the crash' }));
    await server.kill();
    await server.start();
    expect(await visit(store, browser)).toEqual({
      status: 'ok',
      data: { committed: 'before the crash' },
    });
  });

  it('survives its idle connections being ended by the server', async () => {
    const store = serverProcess();
    const browser = new SimulatedBrowser();
    await visit(store, browser, () => ({ still: 'here' }));
    const { rows: ended } = await admin.query<{ ended: boolean }>(
      `SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity
       WHERE application_name = 'session-lab demo store'`,
    );
    expect(ended.length).toBeGreaterThan(0);
    // The pool's 'error' event arrives now; unhandled, it would end the test process.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await visit(store, browser)).toEqual({ status: 'ok', data: { still: 'here' } });
  });

  it('answers "unavailable" within its timeouts when the table is blocked and the pool is full', async () => {
    const store = serverProcess({
      maxConnections: 1,
      connectTimeoutMs: 300,
      statementTimeoutMs: 300,
    });
    const browser = new SimulatedBrowser();
    await visit(store, browser, () => ({ waiting: false }));
    const blocker = new pg.Client(server.url);
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE demo_session IN ACCESS EXCLUSIVE MODE');
      const started = performance.now();
      // The first load holds the only connection, waiting on the lock until the statement
      // timeout; the second waits for a connection until the connect timeout.
      const [first, second] = await Promise.all([visit(store, browser), visit(store, browser)]);
      const elapsed = performance.now() - started;
      expect(first.status).toBe('unavailable');
      expect(second.status).toBe('unavailable');
      expect(`${first.reason} | ${second.reason}`).toMatch(/statement timeout|timeout/i);
      expect(elapsed).toBeLessThan(UNAVAILABLE_WITHIN_MS);
    } finally {
      await blocker.query('ROLLBACK');
      await blocker.end();
    }
    expect(await visit(store, browser)).toEqual({ status: 'ok', data: { waiting: false } });
  });
});

describe('the PostgreSQL store without DATABASE_URL', () => {
  const store = createPostgresStore({ url: null, secure: false });

  it('answers "unavailable" with how to enable it, and writes nothing', async () => {
    const browser = new SimulatedBrowser();
    const firstVisit = await store.load(browser.request(instance, now));
    expect(firstVisit).toEqual({
      status: 'unavailable',
      reason: postgresNotConfiguredMessage,
      data: {},
    });
    browser.cookies.set('postgres_session', `${'a'.repeat(32)}.${'b'.repeat(32)}`);
    expect((await store.load(browser.request(instance, now))).status).toBe('unavailable');
    expect(store.notConfigured).toMatch(/set DATABASE_URL=postgres:\/\/.*npm run services/);
    await expect(store.save(browser.request(instance, now), { a: 1 })).rejects.toThrow(
      StoreUnavailableError,
    );
    await expect(store.ping!()).rejects.toThrow(/DATABASE_URL/);
    expect(await store.sweep!(now())).toBe(0);
  });
});
