import { describe, expect, it } from 'vitest';
import { defaultMaxSessionBytes } from '../../src/sessions/limits';
import { isWellFormedSessionId, newSessionId } from '../../src/sessions/server-session-id';
import { createMemoryStore, memoryStoreStats } from '../../src/sessions/stores/memory/store';
import { SessionTooLargeError } from '../../src/sessions/types';
import type { Instance } from '../../src/sessions/types';
import { SimulatedBrowser } from '../support/simulated-browser';
import { sessionOfBytes, visit } from '../support/store-visit';

const T0 = 1_790_000_000_000;
const DAY = 86_400;

function instance(id = '1'): Instance {
  return { id, memory: new Map(), directory: '/nonexistent/memory-store-never-touches-disk' };
}

/** This file's browser: its clock stands at T0 unless a request names a time. */
function newBrowser(owner: string | null = null, address: string | null = null) {
  return new SimulatedBrowser({ owner, address, clock: () => T0 });
}

/** The session id the browser holds. */
function sidOf(browser: SimulatedBrowser): string | undefined {
  return browser.cookies.get('memory_sid');
}

describe('memory store', () => {
  const store = createMemoryStore({ secure: true });

  it('describes itself as a server store one instance owns', () => {
    expect(store.info).toMatchObject({
      id: 'memory',
      title: 'Server memory',
      where: 'server',
      facts: {
        sharedAcrossInstances: false,
        survivesRestart: false,
        revocable: true,
        readableByClient: false,
        tamperEvident: true,
        sizeLimit: { bytes: defaultMaxSessionBytes, counts: 'serialized JSON of the session data' },
      },
    });
  });

  it('starts a new, empty session and sets no cookie until something is saved', async () => {
    const ctx = newBrowser().request(instance());
    expect(await store.load(ctx)).toEqual({ status: 'new', data: {} });
    expect(ctx.cookies.outgoing).toEqual([]);
    expect(await store.peek!(ctx)).toBeNull();
  });

  it('sets a random, HttpOnly, SameSite=Lax, Secure id cookie on its own path, kept for the TTL', async () => {
    const ctx = newBrowser().request(instance());
    await store.save(ctx, { a: 1 });
    const [cookie] = ctx.cookies.outgoing;
    expect(cookie?.name).toBe('memory_sid');
    expect(isWellFormedSessionId(cookie?.value)).toBe(true);
    expect(cookie?.options).toEqual({
      httpOnly: true,
      sameSite: 'Lax',
      secure: true,
      path: '/api/demo/memory',
      maxAge: DAY,
      expires: new Date(T0 + DAY * 1000),
    });
  });

  it('honours secure, cookieName and ttlSeconds', async () => {
    const custom = createMemoryStore({ secure: false, cookieName: 'sid', ttlSeconds: 60 });
    const ctx = newBrowser().request(instance());
    await custom.save(ctx, { a: 1 });
    expect(ctx.cookies.outgoing[0]).toMatchObject({
      name: 'sid',
      options: { secure: false, maxAge: 60 },
    });
  });

  it('round-trips nested and unicode JSON', async () => {
    const data = {
      user: { id: 42, name: 'Zoë Ångström', roles: ['admin', 'éditeur'] },
      greeting: '你好, мир 👋',
      cart: [{ sku: 'A-1', qty: 2, price: 9.5 }],
      flags: { beta: true, tour: null },
    };
    const browser = newBrowser();
    const on = instance();
    await visit(store, browser, on, T0, () => data);
    expect(await visit(store, browser, on, T0 + 1000)).toEqual({ status: 'ok', data });
  });

  it('keeps serialized copies: neither the saved nor the loaded object reaches the store', async () => {
    const browser = newBrowser();
    const on = instance();
    const saved = { list: [1, 2] };
    await visit(store, browser, on, T0, () => saved);
    saved.list.push(3);
    const loaded = await visit(store, browser, on);
    (loaded.data.list as number[]).push(4);
    expect((await visit(store, browser, on)).data).toEqual({ list: [1, 2] });
  });

  it('destroys the data and clears the cookie on the same path', async () => {
    const browser = newBrowser();
    const on = instance();
    await visit(store, browser, on, T0, () => ({ user_id: 1 }));
    const stolen = sidOf(browser)!;
    const ctx = browser.request(on);
    await store.destroy(ctx);
    expect(ctx.cookies.outgoing[0]).toMatchObject({
      name: 'memory_sid',
      value: '',
      options: {
        path: '/api/demo/memory',
        maxAge: 0,
        httpOnly: true,
        secure: true,
        sameSite: 'Lax',
      },
    });
    browser.receive(ctx);
    expect(sidOf(browser)).toBeUndefined();
    expect(memoryStoreStats(on.memory)).toEqual({ entries: 0, bytes: 0 });
    // Revocable: a copy of the old id is worth nothing now.
    const thief = newBrowser();
    thief.cookies.set('memory_sid', stolen);
    expect((await visit(store, thief, on)).status).toBe('new');
  });

  it('expires a session after the TTL, removes it, and every save slides the expiry', async () => {
    const short = createMemoryStore({ secure: true, ttlSeconds: 60 });
    // Sent past its Max-Age, the cookie reaches the store, whose own expiry check answers.
    const browser = new SimulatedBrowser({ clock: () => T0, keepExpiredCookies: true });
    const on = instance();
    await visit(short, browser, on, T0, () => ({ n: 1 }));
    expect((await visit(short, browser, on, T0 + 59_999)).status).toBe('ok');
    // A save at 50 s moves the expiry to 110 s.
    await visit(short, browser, on, T0 + 50_000, (data) => ({ ...data, n: 2 }));
    expect(await visit(short, browser, on, T0 + 109_999)).toEqual({ status: 'ok', data: { n: 2 } });
    const expired = await visit(short, browser, on, T0 + 110_000);
    expect(expired).toEqual({
      status: 'expired',
      reason: expect.stringMatching(/expired at/),
      data: {},
    });
    expect(memoryStoreStats(on.memory).entries).toBe(0);
    expect((await visit(short, browser, on, T0 + 110_001)).status).toBe('new');
  });

  it('refuses a session over maxSessionBytes, measured on the serialized JSON, and stores nothing', async () => {
    const on = instance();
    const fits = newBrowser().request(on);
    await store.save(fits, sessionOfBytes(defaultMaxSessionBytes));
    expect(memoryStoreStats(on.memory).bytes).toBe(defaultMaxSessionBytes);

    const over = newBrowser().request(on);
    const error = await store
      .save(over, sessionOfBytes(defaultMaxSessionBytes + 1))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionTooLargeError);
    expect(error).toMatchObject({
      bytes: defaultMaxSessionBytes + 1,
      limit: defaultMaxSessionBytes,
    });
    expect(over.cookies.outgoing).toEqual([]);
    expect(memoryStoreStats(on.memory).entries).toBe(1);
  });

  it('never accepts an id it did not issue: a planted id gets a new session with a new id', async () => {
    const on = instance();
    const planted = newSessionId();
    const browser = newBrowser();
    browser.cookies.set('memory_sid', planted);
    const loaded = await visit(store, browser, on, T0, () => ({ user_id: 7 }));
    expect(loaded).toEqual({
      status: 'new',
      reason: expect.stringMatching(/no session/),
      data: {},
    });
    expect(isWellFormedSessionId(sidOf(browser))).toBe(true);
    expect(sidOf(browser)).not.toBe(planted);
    const attacker = newBrowser();
    attacker.cookies.set('memory_sid', planted);
    expect((await visit(store, attacker, on)).status).toBe('new');
  });

  it('treats malformed ids as no session and never keys anything by them', async () => {
    const on = instance();
    for (const junk of [
      '../../etc/passwd',
      'x'.repeat(10_000),
      '💥',
      'é'.repeat(43),
      '',
      ' ',
      '%00',
    ]) {
      const browser = newBrowser();
      browser.cookies.set('memory_sid', junk);
      const loaded = await visit(store, browser, on, T0, () => ({ ok: true }));
      expect(loaded.status).toBe('new');
      expect(isWellFormedSessionId(sidOf(browser))).toBe(true);
      expect(sidOf(browser)).not.toBe(junk);
    }
    expect(memoryStoreStats(on.memory).entries).toBe(7);
  });

  it('evicts the least recently used session when maxEntries is reached; a load counts as use', async () => {
    const small = createMemoryStore({ secure: true, maxEntries: 3 });
    const on = instance();
    const [a, b, c, d] = [newBrowser(), newBrowser(), newBrowser(), newBrowser()];
    await visit(small, a, on, T0, () => ({ name: 'a' }));
    await visit(small, b, on, T0 + 1, () => ({ name: 'b' }));
    await visit(small, c, on, T0 + 2, () => ({ name: 'c' }));
    await visit(small, a, on, T0 + 3); // a is now the most recently used
    await visit(small, d, on, T0 + 4, () => ({ name: 'd' }));
    expect(memoryStoreStats(on.memory).entries).toBe(3);
    const evicted = await visit(small, b, on, T0 + 5);
    expect(evicted).toEqual({ status: 'evicted', reason: expect.any(String), data: {} });
    expect(evicted.reason).toMatch(
      /memory of instance 1 holds at most 3 sessions.*this one was the least recently used/,
    );
    for (const browser of [a, c, d])
      expect((await visit(small, browser, on, T0 + 5)).status).toBe('ok');
  });

  it('evicts by bytes too, oldest first, and keeps the total within maxTotalBytes', async () => {
    const small = createMemoryStore({ secure: true, maxTotalBytes: 250, maxSessionBytes: 100 });
    const on = instance();
    const browsers = Array.from({ length: 4 }, () => newBrowser());
    for (const [index, browser] of browsers.entries()) {
      await visit(small, browser, on, T0 + index, () => sessionOfBytes(100));
    }
    expect(memoryStoreStats(on.memory)).toEqual({ entries: 2, bytes: 200 });
    const statuses = [];
    for (const browser of browsers)
      statuses.push((await visit(small, browser, on, T0 + 10)).status);
    expect(statuses).toEqual(['evicted', 'evicted', 'ok', 'ok']);
    expect((await visit(small, browsers[0]!, on, T0 + 10)).reason).toMatch(
      /at most 250 bytes of sessions/,
    );
  });

  it('evicts expired sessions before live ones, even recently used ones', async () => {
    const small = createMemoryStore({ secure: true, maxEntries: 2, ttlSeconds: 10 });
    const on = instance();
    const [a, b, c] = [newBrowser(), newBrowser(), newBrowser()];
    await visit(small, a, on, T0, () => ({ name: 'a' })); // expires at 10 s
    await visit(small, b, on, T0 + 5_000, () => ({ name: 'b' })); // expires at 15 s
    await visit(small, a, on, T0 + 9_000); // a is most recently used, but expires first
    await visit(small, c, on, T0 + 12_000, () => ({ name: 'c' }));
    expect((await visit(small, b, on, T0 + 12_000)).status).toBe('ok');
    expect((await visit(small, c, on, T0 + 12_000)).status).toBe('ok');
  });

  it('re-saving a session replaces its bytes rather than adding to them', async () => {
    const on = instance();
    const browser = newBrowser();
    await visit(store, browser, on, T0, () => sessionOfBytes(500));
    await visit(store, browser, on, T0, () => sessionOfBytes(300));
    expect(memoryStoreStats(on.memory)).toEqual({ entries: 1, bytes: 300 });
  });

  it('has no session on another instance, nor after a restart', async () => {
    const first = instance('1');
    const browser = newBrowser();
    await visit(store, browser, first, T0, () => ({ user_id: 1 }));
    const other = await visit(store, browser, instance('2'));
    expect(other).toEqual({ status: 'new', reason: expect.stringMatching(/instance 2/), data: {} });
    first.memory.clear(); // what InstanceSimulator.restart does
    expect((await visit(store, browser, first)).status).toBe('new');
  });

  it('peeks at what the server holds, without handing out the whole id', async () => {
    const on = instance('2');
    const browser = newBrowser();
    await visit(store, browser, on, T0, () => ({ user_id: 42 }));
    const view = await store.peek!(browser.request(on, T0 + 1000));
    expect(view).toEqual({
      key: `${sidOf(browser)!.slice(0, 8)}…`,
      bytes: JSON.stringify({ user_id: 42 }).length,
      expiresAt: T0 + DAY * 1000,
      location: 'memory of instance 2',
    });
    expect(await store.peek!(browser.request(on, T0 + DAY * 1000))).toBeNull();
    expect(await store.peek!(browser.request(instance('3')))).toBeNull();
  });

  it('sweeps expired sessions in every instance it has written to and leaves live ones', async () => {
    const sweeper = createMemoryStore({ secure: true, ttlSeconds: 60 });
    const [one, two] = [instance('1'), instance('2')];
    const [old1, old2, fresh] = [newBrowser(), newBrowser(), newBrowser()];
    await visit(sweeper, old1, one, T0, () => ({ a: 1 }));
    await visit(sweeper, old2, two, T0, () => ({ a: 2 }));
    await visit(sweeper, fresh, two, T0 + 30_000, () => ({ a: 3 }));
    expect(await sweeper.sweep!(T0 + 60_000)).toBe(2);
    expect(memoryStoreStats(one.memory).entries).toBe(0);
    expect(memoryStoreStats(two.memory).entries).toBe(1);
    expect((await visit(sweeper, fresh, two, T0 + 60_000)).status).toBe('ok');
    expect(await sweeper.sweep!(T0 + 60_000)).toBe(0);
  });

  it('times its own work as the store part of Server-Timing', async () => {
    const ctx = newBrowser().request(instance());
    await store.load(ctx);
    await store.save(ctx, { a: 1 });
    // The write is its own entry, named for what it did, not added to the read's.
    expect(ctx.timer.entries).toEqual([
      { name: 'store', description: 'memory read', durationMs: expect.any(Number) },
      { name: 'store-2', description: 'memory write', durationMs: expect.any(Number) },
    ]);
  });

  it('loses concurrent updates: 20 overlapping increments leave the counter at 1', async () => {
    const on = instance();
    const browser = newBrowser();
    await visit(store, browser, on, T0, () => ({ counter: 0 }));
    const requests = Array.from({ length: 20 }, () => browser.request(on));
    await Promise.all(
      requests.map(async (ctx) => {
        const { data } = await store.load(ctx);
        await store.save(ctx, { counter: Number(data.counter) + 1 });
      }),
    );
    // Every request kept the same id; all loaded 0 before any saved 1.
    expect(new Set(requests.map((ctx) => ctx.cookies.get('memory_sid')))).toEqual(
      new Set([sidOf(browser)]),
    );
    expect((await visit(store, browser, on)).data).toEqual({ counter: 1 });
  });

  it('rejects nonsensical limits', () => {
    expect(() => createMemoryStore({ secure: true, maxEntries: 0 })).toThrow(/maxEntries/);
    expect(() => createMemoryStore({ secure: true, ttlSeconds: -1 })).toThrow(/ttlSeconds/);
    expect(() =>
      createMemoryStore({ secure: true, maxTotalBytes: 10, maxSessionBytes: 20 }),
    ).toThrow(/maxSessionBytes/);
  });

  describe('log out everywhere', () => {
    it('revokes every session of one owner in this instance and leaves other owners alone', async () => {
      const on = instance();
      const [phone, laptop, bob, anonymous] = [
        newBrowser('alice'),
        newBrowser('alice'),
        newBrowser('bob'),
        newBrowser(),
      ];
      for (const browser of [phone, laptop, bob, anonymous]) {
        await visit(store, browser, on, T0, () => ({ device: browser.owner }));
      }
      expect(await store.peek!(phone.request(on))).toMatchObject({ ownerSessions: 2 });
      expect(await store.peek!(bob.request(on))).toMatchObject({ ownerSessions: 1 });
      expect(await store.peek!(anonymous.request(on))).not.toHaveProperty('ownerSessions');

      expect(await store.revokeAll!(phone.request(on, T0 + 1000))).toBe(2);
      for (const browser of [phone, laptop]) {
        expect(await store.peek!(browser.request(on))).toBeNull();
        expect((await visit(store, browser, on)).status).toBe('new');
      }
      expect(await visit(store, bob, on)).toEqual({ status: 'ok', data: { device: 'bob' } });
      expect(await visit(store, anonymous, on)).toEqual({ status: 'ok', data: { device: null } });
      expect(await store.revokeAll!(laptop.request(on))).toBe(0);
      // None of the revoked sessions is counted any more: a new one is the owner's only one.
      await visit(store, laptop, on, T0, () => ({ again: true }));
      expect(await store.peek!(laptop.request(on))).toMatchObject({ ownerSessions: 1 });
    });

    it('revokes nothing for a request without an owner', async () => {
      const on = instance();
      const alice = newBrowser('alice');
      await visit(store, alice, on, T0, () => ({ a: 1 }));
      await visit(store, newBrowser(), on, T0, () => ({ b: 1 }));
      expect(await store.revokeAll!(newBrowser().request(on))).toBe(0);
      expect(memoryStoreStats(on.memory).entries).toBe(2);
      expect((await visit(store, alice, on)).status).toBe('ok');
    });

    it('keeps the owner when a later request names none, and counts only live sessions', async () => {
      const short = createMemoryStore({ secure: true, ttlSeconds: 60 });
      const on = instance();
      const alice = newBrowser('alice');
      const old = newBrowser('alice');
      await visit(short, old, on, T0, () => ({ n: 1 }));
      await visit(short, alice, on, T0 + 30_000, () => ({ n: 1 }));
      const anonymousRequest = alice.request(on, T0 + 30_000);
      await short.save({ ...anonymousRequest, owner: null }, { n: 2 });
      expect(await short.peek!(alice.request(on, T0 + 61_000))).toMatchObject({
        ownerSessions: 1,
      });
      expect(await short.revokeAll!(alice.request(on, T0 + 61_000))).toBe(1);
      expect(memoryStoreStats(on.memory).entries).toBe(0);
    });

    it('cannot reach the same owner’s session in another instance’s memory', async () => {
      const [one, two] = [instance('1'), instance('2')];
      const here = newBrowser('alice');
      const there = newBrowser('alice');
      await visit(store, here, one, T0, () => ({ at: 1 }));
      await visit(store, there, two, T0, () => ({ at: 2 }));
      expect(await store.revokeAll!(here.request(one))).toBe(1);
      expect(await visit(store, there, two)).toEqual({ status: 'ok', data: { at: 2 } });
    });

    it('ignores owner ids over 128 characters', async () => {
      const on = instance();
      const long = newBrowser('o'.repeat(129));
      await visit(store, long, on, T0, () => ({ a: 1 }));
      expect(await store.peek!(long.request(on))).not.toHaveProperty('ownerSessions');
      expect(await store.revokeAll!(long.request(on))).toBe(0);
      expect((await visit(store, long, on)).status).toBe('ok');
      const fits = newBrowser('o'.repeat(128));
      await visit(store, fits, on, T0, () => ({ a: 1 }));
      expect(await store.revokeAll!(fits.request(on))).toBe(1);
    });

    it('keeps the owner index within the largest share a store can be given', async () => {
      expect(() => createMemoryStore({ secure: true, maxSessionsPerOwner: 1001 })).toThrow(
        /maxSessionsPerOwner must be a whole number from 1 to 1000/,
      );
      expect(() => createMemoryStore({ secure: true, maxSessionsPerVisitor: 0 })).toThrow(
        /maxSessionsPerVisitor/,
      );
    });
  });

  describe('fair share', () => {
    it('keeps one learner at their share: a new session evicts their own oldest, which says why on its next load', async () => {
      const shared = createMemoryStore({ secure: true, maxSessionsPerOwner: 3 });
      const on = instance();
      const devices = Array.from({ length: 5 }, () => newBrowser('busy', '198.51.100.1'));
      for (const [index, device] of devices.entries()) {
        await visit(shared, device, on, T0 + index, () => ({ index }));
      }
      const neighbour = newBrowser('neighbour', '198.51.100.2');
      await visit(shared, neighbour, on, T0 + 10, () => ({ mine: true }));

      expect(await shared.peek!(devices[4]!.request(on, T0 + 20))).toMatchObject({
        ownerSessions: 3,
      });
      expect(memoryStoreStats(on.memory).entries).toBe(4);
      const first = await visit(shared, devices[0]!, on, T0 + 20);
      expect(first.status).toBe('evicted');
      expect(first.reason).toMatch(
        /you started another session while you already had 3 live sessions in the memory of instance 1.*oldest goes first/,
      );
      expect((await visit(shared, devices[1]!, on, T0 + 20)).status).toBe('evicted');
      for (const device of devices.slice(2)) {
        expect((await visit(shared, device, on, T0 + 20)).status).toBe('ok');
      }
      expect(await visit(shared, neighbour, on, T0 + 20)).toEqual({
        status: 'ok',
        data: { mine: true },
      });
    });

    it('counts a session against the share once: re-saving it evicts nothing', async () => {
      const shared = createMemoryStore({ secure: true, maxSessionsPerOwner: 2 });
      const on = instance();
      const [a, b] = [newBrowser('alice'), newBrowser('alice')];
      await visit(shared, a, on, T0, () => ({ n: 1 }));
      await visit(shared, b, on, T0 + 1, () => ({ n: 1 }));
      for (let n = 2; n < 6; n++) await visit(shared, a, on, T0 + n, (data) => ({ ...data, n }));
      expect((await visit(shared, a, on, T0 + 10)).data).toEqual({ n: 5 });
      expect((await visit(shared, b, on, T0 + 10)).status).toBe('ok');
    });

    it('fills from one address without filling the instance: the address stays at its share, a newcomer still gets a session, and the evicted one says why', async () => {
      // A visitor who drops cookies: every request is a new learner, from one address.
      const shared = createMemoryStore({
        secure: true,
        maxEntries: 50,
        maxSessionsPerOwner: 5,
        maxSessionsPerVisitor: 10,
      });
      const on = instance();
      const flood = Array.from({ length: 200 }, (_, index) =>
        newBrowser(`learner-${index}`, '203.0.113.9'),
      );
      for (const [index, browser] of flood.entries()) {
        await visit(shared, browser, on, T0 + index, () => ({ index }));
      }
      // (a) the address keeps its share, and no more.
      const live = [];
      for (const browser of flood) {
        if ((await visit(shared, browser, on, T0 + 1000)).status === 'ok') live.push(browser);
      }
      expect(live).toEqual(flood.slice(-10));
      expect(memoryStoreStats(on.memory).entries).toBe(10);
      // (b) a new visitor from elsewhere is saved as usual.
      const newcomer = newBrowser('newcomer', '192.0.2.44');
      await visit(shared, newcomer, on, T0 + 1001, () => ({ hello: 'world' }));
      expect(await visit(shared, newcomer, on, T0 + 1002)).toEqual({
        status: 'ok',
        data: { hello: 'world' },
      });
      // (c) the evicted sessions say what happened to them.
      const evicted = await visit(shared, flood[0]!, on, T0 + 1002);
      expect(evicted.status).toBe('evicted');
      expect(evicted.reason).toMatch(
        /your network address started another session while it already had 10 live sessions/,
      );
    });

    it('counts an IPv6 visitor by its /64, and an IPv4-mapped address as the IPv4 one', async () => {
      const shared = createMemoryStore({ secure: true, maxSessionsPerVisitor: 2 });
      const on = instance();
      const [a, b, c] = [
        newBrowser(null, '2001:db8:1:2::10'),
        newBrowser(null, '2001:db8:1:2:ffff::1'),
        newBrowser(null, '2001:db8:1:2:abcd:ef01:2345:6789'),
      ];
      for (const [index, browser] of [a, b, c].entries()) {
        await visit(shared, browser, on, T0 + index, () => ({ index }));
      }
      expect((await visit(shared, a, on, T0 + 10)).status).toBe('evicted');
      const [v4, mapped, other] = [
        newBrowser(null, '192.0.2.1'),
        newBrowser(null, '::ffff:192.0.2.1'),
        newBrowser(null, '::ffff:c000:201'),
      ];
      for (const [index, browser] of [v4, mapped, other].entries()) {
        await visit(shared, browser, on, T0 + 20 + index, () => ({ index }));
      }
      expect((await visit(shared, v4, on, T0 + 30)).status).toBe('evicted');
      expect((await visit(shared, other, on, T0 + 30)).status).toBe('ok');
    });

    it('at the cap, evicts the least recently used of everyone, however many addresses fill it', async () => {
      const shared = createMemoryStore({ secure: true, maxEntries: 20 });
      const on = instance();
      const visitors = Array.from({ length: 30 }, (_, index) =>
        newBrowser(`learner-${index}`, `192.0.2.${index}`),
      );
      for (const [index, browser] of visitors.entries()) {
        await visit(shared, browser, on, T0 + index, () => ({ index }));
      }
      expect(memoryStoreStats(on.memory).entries).toBe(20);
      const statuses = [];
      for (const browser of visitors)
        statuses.push((await visit(shared, browser, on, T0 + 99)).status);
      expect(statuses).toEqual([...Array(10).fill('evicted'), ...Array(20).fill('ok')]);
    });

    it('forgets what it evicted once the session would have expired anyway', async () => {
      const shared = createMemoryStore({ secure: true, maxEntries: 1, ttlSeconds: 60 });
      const on = instance();
      const [a, b] = [newBrowser(), newBrowser()];
      await visit(shared, a, on, T0, () => ({ a: 1 }));
      await visit(shared, b, on, T0 + 1000, () => ({ b: 1 }));
      expect((await visit(shared, a, on, T0 + 59_999)).status).toBe('evicted');
      expect((await visit(shared, a, on, T0 + 60_000)).status).toBe('new');
    });
  });
});
