/**
 * One suite, every storage kind: the behaviour the course teaches is checked against each real
 * store (real files, a real SQLite database, real Redis and Memcached servers).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeTitles, storeWhere } from '../../src/sessions/catalog';
import { defaultMaxSessionsPerOwner } from '../../src/sessions/fair-share';
import { SessionTooLargeError, type SessionData } from '../../src/sessions/types';
import { SimulatedBrowser } from '../support/simulated-browser';
import { storeFixtures, type StoreUnderTest } from '../support/store-fixtures';

const nestedUnicode: SessionData = {
  user: { id: 42, name: 'Zoë Ångström', roles: ['admin', 'éditeur'] },
  greeting: '你好, мир 👋',
  cart: [{ sku: 'A-1', qty: 2, price: 9.5 }],
  flags: { beta: true, tour: null },
};

describe.each(storeFixtures)('$id store', (fixture) => {
  let subject: StoreUnderTest;

  beforeAll(async () => {
    subject = await fixture.setup();
  });
  afterAll(async () => subject?.teardown());

  /** One request: load, optionally change and save, then the browser applies the response. */
  async function visit(browser: SimulatedBrowser, change?: (data: SessionData) => SessionData) {
    const ctx = browser.request(subject.instance, subject.now);
    const loaded = await subject.store.load(ctx);
    if (change) await subject.store.save(ctx, change(loaded.data));
    browser.receive(ctx);
    return loaded;
  }

  it('matches the catalog: id, title and where the data lives', () => {
    expect(subject.store.info.id).toBe(fixture.id);
    expect(subject.store.info.title).toBe(storeTitles[fixture.id]);
    expect(subject.store.info.where).toBe(storeWhere[fixture.id]);
    expect(fixture.kind).toBe(storeWhere[fixture.id] === 'browser' ? 'cookie' : 'server');
  });

  it('starts a new, empty session', async () => {
    const loaded = await visit(new SimulatedBrowser());
    expect(loaded).toMatchObject({ status: 'new', data: {} });
  });

  it('round-trips nested and unicode JSON', async () => {
    const browser = new SimulatedBrowser();
    await visit(browser, () => nestedUnicode);
    const loaded = await visit(browser);
    expect(loaded.status).toBe('ok');
    expect(loaded.data).toEqual(nestedUnicode);
  });

  it('forgets a destroyed session', async () => {
    const browser = new SimulatedBrowser();
    await visit(browser, () => ({ user_id: 1 }));
    const ctx = browser.request(subject.instance, subject.now);
    await subject.store.destroy(ctx);
    browser.receive(ctx);
    expect((await visit(browser)).status).toBe('new');
  });

  it('expires a session after its lifetime', async () => {
    const browser = new SimulatedBrowser();
    await visit(browser, () => ({ user_id: 1 }));
    await subject.advanceBeyondLifetime();
    const loaded = await visit(browser);
    // A store that keeps the expiry itself says "expired"; one whose server already dropped
    // the entry (Redis, Memcached TTLs) sees no session at all.
    expect(['expired', 'new']).toContain(loaded.status);
    expect(loaded.data).toEqual({});
  });

  it('states and enforces its size rule', async () => {
    const browser = new SimulatedBrowser();
    const limit = subject.store.info.facts.sizeLimit.bytes;
    const ctx = browser.request(subject.instance, subject.now);
    await subject.store.load(ctx);
    // Random text, so compression (Flask's zlib) cannot squeeze it under the limit.
    const blob = randomBytes(limit)
      .toString('base64url')
      .slice(0, limit + 1);
    const error = await subject.store.save(ctx, { blob }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SessionTooLargeError);
    expect((error as Error).message).toMatch(new RegExp(String(limit)));
  });

  it('loses concurrent updates to one session: last write wins', async () => {
    const browser = new SimulatedBrowser();
    await visit(browser, () => ({ counter: 0 }));
    // Twenty requests leave the same browser at once, each carrying the cookie it has now.
    const requests = Array.from({ length: 20 }, () =>
      browser.request(subject.instance, subject.now),
    );
    await Promise.all(
      requests.map(async (ctx) => {
        const { data } = await subject.store.load(ctx);
        await subject.store.save(ctx, { counter: Number(data.counter) + 1 });
      }),
    );
    for (const ctx of requests) browser.receive(ctx);
    const final = Number((await visit(browser)).data.counter);
    expect(final).toBeGreaterThanOrEqual(1);
    expect(final, `${fixture.id} kept ${final} of 20 increments`).toBeLessThan(20);
  });

  if (fixture.kind === 'cookie') {
    it('rejects a cookie value changed in any single character, unless unsigned', async () => {
      const browser = new SimulatedBrowser();
      await visit(browser, () => ({ user_id: 42, role: 'reader' }));
      const [name, value] = [...browser.cookies][0] ?? ['', ''];
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
      const accepted: number[] = [];
      for (let index = 0; index < value.length; index++) {
        const replacement =
          alphabet[(alphabet.indexOf(value[index] ?? 'A') + 7) % alphabet.length] ?? 'A';
        const forged = new SimulatedBrowser();
        forged.cookies.set(name, value.slice(0, index) + replacement + value.slice(index + 1));
        const loaded = await visit(forged);
        if (loaded.status === 'ok') accepted.push(index);
      }
      if (subject.store.info.facts.tamperEvident) expect(accepted).toEqual([]);
      else
        expect(
          accepted.length,
          'an unsigned cookie accepts edits: that is the lesson',
        ).toBeGreaterThan(0);
    });

    it('rejects a truncated value and one signed with another key', async () => {
      const browser = new SimulatedBrowser();
      await visit(browser, () => ({ user_id: 42 }));
      const [name, value] = [...browser.cookies][0] ?? ['', ''];
      const truncated = new SimulatedBrowser();
      truncated.cookies.set(name, value.slice(0, -3));
      expect((await visit(truncated)).status).not.toBe('ok');

      const foreign = await subject.otherKeyCookie?.({ user_id: 1 });
      if (foreign) {
        const forged = new SimulatedBrowser();
        forged.cookies.set(name, foreign);
        const loaded = await visit(forged);
        expect(loaded.status).toBe('tampered');
      } else {
        expect(subject.store.info.facts.tamperEvident).toBe(false);
      }
    });

    it('never throws on malformed cookies', async () => {
      const name = subject.cookieName;
      for (const junk of [
        '',
        '.',
        '...',
        '%',
        '%E0%A4%A',
        'null',
        '[]',
        '"x"',
        '{',
        'é'.repeat(3000),
        'a.b.c.d.e',
      ]) {
        const browser = new SimulatedBrowser();
        browser.cookies.set(name, junk);
        const loaded = await visit(browser);
        expect(['new', 'tampered', 'expired']).toContain(loaded.status);
      }
    });
  }

  if (fixture.kind === 'server') {
    it('never accepts an id it did not issue (no fixation)', async () => {
      const name = subject.cookieName;
      const planted = subject.wellFormedUnknownId;
      const browser = new SimulatedBrowser();
      browser.cookies.set(name, planted);
      expect((await visit(browser, () => ({ user_id: 7 }))).status).toBe('new');
      expect(browser.cookies.get(name)).toBeDefined();
      expect(browser.cookies.get(name)).not.toBe(planted);
    });

    it('treats malformed ids as no session', async () => {
      for (const junk of ['../../etc/passwd', 'x'.repeat(10_000), '💥', '', ' ', 'a.b', '%00']) {
        const browser = new SimulatedBrowser();
        browser.cookies.set(subject.cookieName, junk);
        expect((await visit(browser)).status).toBe('new');
      }
    });

    it('shows what the server holds for the session', async () => {
      const browser = new SimulatedBrowser();
      await visit(browser, () => ({ user_id: 42 }));
      const ctx = browser.request(subject.instance, subject.now);
      const view = await subject.store.peek?.(ctx);
      expect(view?.bytes).toBeGreaterThan(0);
      expect(view?.location).toBeTruthy();
    });

    // Redis and Memcached run on their own clock with a 2-second TTL here, so a flood could
    // outlive its first sessions; their own integration tests flood them with a day's TTL.
    if (!fixture.serverClock) {
      it('gives one learner a fair share: a flood evicts their own oldest, which says so, and a newcomer is still saved', async () => {
        const flood = Array.from(
          { length: defaultMaxSessionsPerOwner + 5 },
          () => new SimulatedBrowser(),
        );
        const as = (browser: SimulatedBrowser, owner: string, clientAddress: string) => ({
          ...browser.request(subject.instance, subject.now),
          owner,
          clientAddress,
        });
        for (const browser of flood) {
          const ctx = as(browser, 'flooding-learner', '203.0.113.50');
          await subject.store.load(ctx);
          await subject.store.save(ctx, { flood: true });
          browser.receive(ctx);
        }
        const newcomer = new SimulatedBrowser();
        const first = as(newcomer, 'newcomer', '192.0.2.50');
        await subject.store.load(first);
        await subject.store.save(first, { hello: 'world' });
        newcomer.receive(first);
        expect(await visit(newcomer)).toEqual({ status: 'ok', data: { hello: 'world' } });

        const statuses = [];
        for (const browser of flood) statuses.push(await visit(browser));
        expect(statuses.filter(({ status }) => status === 'ok')).toHaveLength(
          defaultMaxSessionsPerOwner,
        );
        expect(statuses.slice(0, 5)).toEqual(
          Array(5).fill({
            status: 'evicted',
            reason: expect.stringMatching(/evicted: you started another session/),
            data: {},
          }),
        );
      });
    }

    it('cleans up expired sessions', async () => {
      const browser = new SimulatedBrowser();
      await visit(browser, () => ({ user_id: 1 }));
      await subject.advanceBeyondLifetime();
      if (subject.store.sweep) {
        expect(await subject.store.sweep(subject.now())).toBeGreaterThanOrEqual(1);
      } else {
        expect(
          subject.expiresOnServer,
          `${fixture.id} neither sweeps nor expires on its server`,
        ).toBe(true);
      }
      expect((await visit(browser)).data).toEqual({});
    });
  }

  if (fixture.hasOutage) {
    it('answers "unavailable" while its server is down, then recovers', async () => {
      const browser = new SimulatedBrowser();
      await visit(browser, () => ({ user_id: 1 }));
      await subject.outage!.stop();
      const down = await visit(browser);
      expect(down.status).toBe('unavailable');
      expect(down.reason).toMatch(/start|configure|REDIS_URL|MEMCACHED_SERVERS/i);
      await subject.outage!.start();
      const deadline = Date.now() + 10_000;
      let recovered = down;
      while (recovered.status === 'unavailable' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        recovered = await visit(browser);
      }
      expect(recovered.status).not.toBe('unavailable');
    });
  }
});
