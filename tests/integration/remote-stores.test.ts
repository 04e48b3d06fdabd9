/**
 * The contract every store on a server of its own keeps (Redis, Memcached), against the real
 * server the shared launcher starts on a free loopback port: what a session looks like there,
 * revocation, ids it did not issue, the size rule, lost updates, and how it behaves when the server
 * is not configured, not listening, down or frozen. What only one store does stays in its own
 * file; what every store does is in `store-conformance.test.ts`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newSessionId } from '../../src/sessions/server-session-id';
import { SessionTooLargeError, StoreUnavailableError } from '../../src/sessions/types';
import type { SessionStore } from '../../src/sessions/types';
import type { RunningService } from '../../scripts/services/index.ts';
import {
  context,
  DAY,
  newBrowser,
  PREFIX,
  remoteKinds,
  UNAVAILABLE_WITHIN_MS,
  waitFor,
  type RawReader,
} from '../support/remote-stores';

for (const kind of remoteKinds) if (kind.skipReason) console.warn(kind.skipReason);
const runnable = remoteKinds.filter((kind) => kind.skipReason === null);

describe.each(runnable)('$id store, real server', (kind) => {
  let server: RunningService;
  let raw: RawReader;
  let store: SessionStore;
  const logs: string[] = [];

  beforeAll(async () => {
    server = await kind.start();
    raw = await kind.connect(server);
    store = kind.createStore(server, { secure: true, log: (line) => logs.push(line) });
  });

  afterAll(async () => {
    await store?.close?.();
    raw?.close();
    await server?.stop();
  });

  it('describes itself as a revocable server store', () => {
    expect(store.info).toMatchObject({
      id: kind.id,
      title: kind.title,
      where: 'server',
      facts: {
        sharedAcrossInstances: true,
        survivesRestart: true,
        revocable: true,
        readableByClient: false,
        tamperEvident: true,
        sizeLimit: { bytes: 64 * 1024 },
      },
    });
    expect(store.info.summary).toMatch(kind.summaryMentions);
    expect(store.peek).toBeTypeOf('function');
  });

  it('round-trips nested and unicode JSON through the server', async () => {
    const browser = newBrowser();
    const data = {
      user: { name: 'Zoë Ångström', tags: ['ключ', '键', '🍪'], nested: { deep: [1, 2.5, null] } },
      ok: true,
    };
    const first = await browser.visit(store, (session) => Object.assign(session, data));
    expect(first.loaded).toEqual({ status: 'new', data: {} });

    const [cookie] = first.ctx.cookies.outgoing;
    expect(cookie?.name).toBe(kind.cookieName);
    expect(cookie?.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(cookie?.options).toMatchObject({
      httpOnly: true,
      sameSite: 'Lax',
      secure: true,
      path: `/api/demo/${kind.id}`,
      maxAge: DAY,
    });

    const next = browser.request();
    expect(await store.load(next)).toEqual({ status: 'ok', data });
    expect(next.timer.entries).toEqual([
      { name: 'store', description: `${kind.title} GET`, durationMs: expect.any(Number) },
    ]);
    expect(JSON.parse((await raw.get(PREFIX + cookie!.value))!)).toEqual(kind.storedShape(data));
  });

  it('destroys the session: the entry is gone and the cookie is cleared', async () => {
    const browser = newBrowser();
    await browser.visit(store, (session) => (session.user = 'ada'));
    const id = browser.cookies.get(kind.cookieName)!;
    expect(await raw.get(PREFIX + id)).not.toBeNull();

    const ctx = browser.request();
    await store.destroy(ctx);
    browser.receive(ctx);
    expect(await raw.get(PREFIX + id)).toBeNull();
    expect(ctx.cookies.outgoing[0]).toMatchObject({
      name: kind.cookieName,
      value: '',
      options: { maxAge: 0, path: `/api/demo/${kind.id}`, httpOnly: true },
    });
    expect(await store.peek!(ctx)).toBeNull();
    expect(browser.cookies.has(kind.cookieName)).toBe(false);

    // Revocation is real: the old id no longer opens anything.
    expect(await store.load(context(new Map([[kind.cookieName, id]])))).toMatchObject({
      status: 'new',
    });
  });

  it('refuses a session over maxSessionBytes and stores nothing', async () => {
    const keysBefore = await raw.count?.();
    const ctx = context();
    const error = await store
      .save(ctx, { padding: 'x'.repeat(64 * 1024) })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SessionTooLargeError);
    expect(error).toMatchObject({ limit: 64 * 1024 });
    expect((error as SessionTooLargeError).bytes).toBeGreaterThan(64 * 1024);
    expect(ctx.cookies.outgoing).toEqual([]);
    if (raw.count) expect(await raw.count()).toBe(keysBefore);

    // {"padding":"…"} adds 14 bytes: exactly at the limit still fits.
    const fits = context();
    await store.save(fits, { padding: 'x'.repeat(64 * 1024 - 14) });
    expect(fits.cookies.outgoing).toHaveLength(1);
  });

  it('never accepts an id it did not issue: a fresh id replaces it (no fixation)', async () => {
    const planted = newSessionId();
    const browser = newBrowser();
    browser.setCookie(kind.cookieName, planted);
    const { ctx, loaded } = await browser.visit(store, (session) => (session.role = 'student'));
    expect(loaded).toEqual({
      status: 'new',
      reason: expect.stringMatching(/no session under this id/),
      data: {},
    });
    const issued = browser.cookies.get(kind.cookieName)!;
    expect(issued).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(issued).not.toBe(planted);
    expect(ctx.cookies.outgoing.map((cookie) => cookie.value)).toEqual([issued]);
    expect(await raw.get(PREFIX + planted)).toBeNull();
    expect(await raw.get(PREFIX + issued)).not.toBeNull();
  });

  it('Concurrency: 20 overlapping load+increment+save on one id lose updates', async () => {
    const browser = newBrowser();
    await browser.visit(store, (session) => (session.counter = 0));
    const id = browser.cookies.get(kind.cookieName)!;

    const increments = Array.from({ length: 20 }, () =>
      browser.visit(store, (session) => (session.counter = Number(session.counter) + 1)),
    );
    const results = await Promise.all(increments);
    expect(results.every(({ loaded }) => loaded.status === 'ok')).toBe(true);
    // Every request kept the same session: no new ids were issued.
    expect(new Set(results.map(({ ctx }) => ctx.cookies.get(kind.cookieName)))).toEqual(
      new Set([id]),
    );

    const final = kind.dataIn((await raw.get(PREFIX + id))!) as { counter: number };
    // Last SET wins: each request read the counter before any other saved, so most of the 20
    // increments are lost (it ends at 1 here). Not a bug in the test: this is the lesson.
    expect(final.counter).toBeGreaterThanOrEqual(1);
    expect(final.counter).toBeLessThan(20);
    expect(logs).toEqual([]);
  });
});

describe.each(runnable)('$id store without a server', (kind) => {
  it('answers unavailable with how to configure it when its setting is not set', async () => {
    const store = kind.createStore(null, { secure: false });
    const started = performance.now();
    expect(await store.load(context(new Map([[kind.cookieName, newSessionId()]])))).toEqual({
      status: 'unavailable',
      reason: kind.notConfiguredMessage,
      data: {},
    });
    expect(await store.load(context())).toMatchObject({ status: 'unavailable' });
    await expect(store.save(context(), { a: 1 })).rejects.toThrow(StoreUnavailableError);
    await expect(store.save(context(), { a: 1 })).rejects.toThrow(kind.notConfiguredMessage);
    await expect(store.destroy(context())).rejects.toThrow(kind.notConfiguredMessage);
    expect(performance.now() - started).toBeLessThan(UNAVAILABLE_WITHIN_MS);
    expect(kind.notConfiguredMessage).toBe(kind.notConfiguredText);
    await store.close!();
  });

  it('answers unavailable, fast, when nothing listens where its setting points', async () => {
    // A port that was free a moment ago: start a server and stop it again.
    const gone = await kind.start();
    await gone.stop();
    const logs: string[] = [];
    const store = kind.createStore(gone, { secure: false, log: (line) => logs.push(line) });
    const refused = {
      status: 'unavailable',
      reason: expect.stringMatching(
        new RegExp(
          `^${kind.title} at ${gone.address} is not answering \\(.*ECONNREFUSED.*\\); ` +
            `start ${kind.program} or check ${kind.setting}$`,
        ),
      ),
      data: {},
    };
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        const started = performance.now();
        const loaded = await store.load(context(new Map([[kind.cookieName, newSessionId()]])));
        expect(performance.now() - started).toBeLessThan(UNAVAILABLE_WITHIN_MS);
        expect(loaded).toEqual(refused);
      }
      // A first visit (no cookie) is told too, once the store has seen the server down.
      expect(await store.load(context())).toEqual(refused);
      expect(logs).toHaveLength(1);
    } finally {
      await store.close!();
    }
  });
});

describe.each(runnable)('$id store through an outage', (kind) => {
  let server: RunningService;
  let store: SessionStore;
  const logs: string[] = [];

  beforeAll(async () => {
    server = await kind.start();
    store = kind.createStore(server, { secure: false, log: (line) => logs.push(line) });
  });

  afterAll(async () => {
    await store?.close?.();
    await server?.stop();
  });

  it('answers unavailable while the server is down and recovers by itself when it is back', async () => {
    const browser = newBrowser();
    await browser.visit(store, (session) => (session.before = 'outage'));
    expect(await store.load(browser.request())).toMatchObject({ status: 'ok' });

    await server.stop();
    const started = performance.now();
    const loaded = await store.load(browser.request());
    const elapsed = performance.now() - started;
    expect(loaded).toEqual({
      status: 'unavailable',
      reason: expect.stringMatching(
        new RegExp(
          `^${kind.title} at ${server.address} is not answering \\(.+\\); start ${kind.program}`,
        ),
      ),
      data: {},
    });
    expect(elapsed).toBeLessThan(UNAVAILABLE_WITHIN_MS);

    const saving = store.save(browser.request(), { during: 'outage' });
    await expect(saving).rejects.toThrow(StoreUnavailableError);
    await expect(saving).rejects.toThrow(new RegExp(`not answering.*check ${kind.setting}`));
    await expect(store.destroy(browser.request())).rejects.toThrow(StoreUnavailableError);

    // Let the client retry a few times: the outage is logged once, not per attempt.
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(await store.load(browser.request())).toMatchObject({ status: 'unavailable' });
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/not answering/);

    await server.start();
    await waitFor(
      async () => (await store.load(browser.request())).status !== 'unavailable',
      15_000,
      'the same store reconnecting',
    );
    // Without persistence the restart lost every session: the old id now starts afresh.
    expect(await store.load(browser.request())).toMatchObject({ status: 'new' });
    const after = await browser.visit(store, (session) => (session.after = 'outage'));
    expect(after.loaded.status).toBe('new');
    expect(await store.load(browser.request())).toEqual({
      status: 'ok',
      data: { after: 'outage' },
    });
    expect(logs.at(-1)).toMatch(/answering again/);
  });

  it('gives up on a frozen server after the command timeout instead of hanging', async () => {
    const browser = newBrowser();
    await browser.visit(store, (session) => (session.before = 'freeze'));
    await server.pause();
    try {
      const started = performance.now();
      const loaded = await store.load(browser.request());
      const elapsed = performance.now() - started;
      expect(loaded).toEqual({
        status: 'unavailable',
        reason: expect.stringMatching(kind.frozenReason),
        data: {},
      });
      expect(elapsed).toBeGreaterThanOrEqual(450);
      expect(elapsed).toBeLessThan(UNAVAILABLE_WITHIN_MS);
      await expect(store.save(browser.request(), { a: 1 })).rejects.toThrow(StoreUnavailableError);
    } finally {
      server.resume();
    }
    if (kind.reconnectsAfterFreeze) {
      await waitFor(
        async () => (await store.load(browser.request())).status === 'ok',
        5000,
        `${kind.title} answering after the freeze`,
      );
    }
    expect(await store.load(browser.request())).toEqual({
      status: 'ok',
      data: { before: 'freeze' },
    });
  });
});
