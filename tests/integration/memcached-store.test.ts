/**
 * The Memcached store against a real memcached (scripts/services/, the shared launcher, starts one
 * per block on a free loopback port). A simulated browser carries the cookies from one request to
 * the next; a separate connection checks what memcached itself holds, TTLs included (meta
 * commands). What Redis and Memcached share (round trip, revocation, fixation, size rule, lost
 * updates, outages) is in `remote-stores.test.ts`; this file keeps what only Memcached does.
 */
import { Client } from 'memjs';
import { createConnection } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemcachedStore } from '../../src/sessions/stores/memcached/store';
import type { SessionStore } from '../../src/sessions/types';
import {
  serviceSkipReason,
  startMemcached,
  type RunningService,
} from '../../scripts/services/index.ts';
import { SimulatedBrowser } from '../support/simulated-browser';
import { context, DAY, newBrowser, PREFIX, waitFor } from '../support/remote-stores';

const skipReason = serviceSkipReason('memcached');
if (skipReason) console.warn(skipReason);

/** One text-protocol command with a one-line reply, e.g. `mg <key> t` → `HD t86399`. */
function textCommand(port: number, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`memcached did not answer "${line}"`));
    }, 2000);
    socket.once('connect', () => socket.write(`${line}\r\n`));
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      const end = reply.indexOf('\r\n');
      if (end >= 0) {
        clearTimeout(timer);
        socket.destroy();
        resolve(reply.slice(0, end));
      }
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** Remaining TTL in seconds as memcached reports it; `null` when there is no such item. */
async function remainingTtl(port: number, key: string): Promise<number | null> {
  const reply = await textCommand(port, `mg ${key} t`);
  if (reply === 'EN') return null;
  const match = /^HD t(-?\d+)$/.exec(reply);
  if (!match) throw new Error(`unexpected reply to mg: ${reply}`);
  return Number(match[1]);
}

describe.skipIf(skipReason !== null)('memcached store, real memcached', () => {
  let memcached: RunningService;
  let raw: Client;
  let store: SessionStore;
  const logs: string[] = [];

  const rawGet = async (key: string) => (await raw.get(key)).value?.toString('utf8') ?? null;

  beforeAll(async () => {
    memcached = await startMemcached();
    raw = Client.create(memcached.address, { logger: { log: () => {} } });
    store = createMemcachedStore({
      servers: [memcached.address],
      secure: true,
      log: (line) => logs.push(line),
    });
  });

  afterAll(async () => {
    await store?.close?.();
    raw?.close();
    await memcached?.stop();
  });

  it('sets the TTL on every write, as memcached itself reports', async () => {
    const browser = newBrowser();
    await browser.visit(store, (session) => (session.visits = 1));
    const key = PREFIX + browser.cookies.get('memcached_sid');
    const ttl = await remainingTtl(memcached.port, key);
    expect(ttl).toBeGreaterThan(DAY - 10);
    expect(ttl).toBeLessThanOrEqual(DAY);

    expect(await textCommand(memcached.port, `mg ${key} T30`)).toBe('HD');
    expect(await remainingTtl(memcached.port, key)).toBeLessThanOrEqual(30);
    await browser.visit(store, (session) => (session.visits = 2));
    expect(await remainingTtl(memcached.port, key)).toBeGreaterThan(DAY - 10);
  });

  it('lets memcached drop the item at its TTL', async () => {
    const shortLived = createMemcachedStore({
      servers: [memcached.address],
      secure: true,
      ttlSeconds: 1,
    });
    try {
      // Sent past its Max-Age, the cookie reaches the store, which answers for the expiry.
      const browser = new SimulatedBrowser({ keepExpiredCookies: true });
      await browser.visit(shortLived, (session) => (session.a = 1));
      const key = PREFIX + browser.cookies.get('memcached_sid');
      expect(await rawGet(key)).not.toBeNull();
      await waitFor(async () => (await rawGet(key)) === null, 5000, 'memcached expiring the item');
      expect(await shortLived.load(browser.request())).toEqual({
        status: 'new',
        reason: expect.stringMatching(/expired, was evicted/),
        data: {},
      });
    } finally {
      await shortLived.close!();
    }
  });

  it('reports expired when the stored expiry has passed by the request clock', async () => {
    // Sent past its Max-Age, the cookie reaches the store, which answers for the expiry.
    const browser = new SimulatedBrowser({ keepExpiredCookies: true });
    const issued = Date.now();
    await browser.visit(store, (session) => (session.a = 1), issued);
    const id = browser.cookies.get('memcached_sid')!;
    expect(await store.load(browser.requestAt(issued + DAY * 1000 - 1))).toMatchObject({
      status: 'ok',
    });
    const late = browser.requestAt(issued + DAY * 1000);
    expect(await store.load(late)).toEqual({
      status: 'expired',
      reason: expect.stringMatching(/lifetime is over/),
      data: {},
    });
    expect(late.cookies.outgoing[0]).toMatchObject({ name: 'memcached_sid', value: '' });
    expect(await rawGet(PREFIX + id)).toBeNull();
  });

  it('shows what memcached holds in peek: shortened key, bytes, stored expiry, location', async () => {
    const browser = newBrowser();
    const now = Date.now();
    const { ctx } = await browser.visit(store, (session) => (session.cart = ['tea']), now);
    const id = browser.cookies.get('memcached_sid')!;
    const held = (await raw.get(PREFIX + id)).value!;
    expect(await store.peek!(ctx)).toEqual({
      key: `${PREFIX}${id.slice(0, 8)}…`,
      bytes: held.byteLength,
      expiresAt: now + DAY * 1000,
      location: `Memcached at ${memcached.address}`,
    });
    expect(await store.peek!(context())).toBeNull();
  });

  it('keeps TTLs relative and sessions under the 1 MB item limit', () => {
    expect(() =>
      createMemcachedStore({ servers: [], secure: false, ttlSeconds: 31 * DAY }),
    ).toThrow(/ttlSeconds/);
    expect(() =>
      createMemcachedStore({ servers: [], secure: false, maxSessionBytes: 2 * 1024 * 1024 }),
    ).toThrow(/maxSessionBytes/);
  });

  it('treats malformed ids as no id and never uses them as keys', async () => {
    const malformed = [
      'short',
      '../../../etc/passwd',
      'a'.repeat(42) + '!',
      'a'.repeat(44),
      'b'.repeat(40) + ' \r\n',
    ];
    for (const value of malformed) {
      const browser = newBrowser();
      browser.cookies.set('memcached_sid', value);
      const { loaded } = await browser.visit(store, (session) => (session.n = 1));
      expect(loaded).toEqual({
        status: 'new',
        reason: expect.stringMatching(/malformed/),
        data: {},
      });
      expect(browser.cookies.get('memcached_sid')).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(await rawGet(PREFIX + value)).toBeNull();
    }
  });

  it('writes under its key prefix', async () => {
    const prefixed = createMemcachedStore({
      servers: [memcached.address],
      secure: false,
      keyPrefix: 'lab-test:',
    });
    try {
      const browser = newBrowser();
      await browser.visit(prefixed, (session) => (session.a = 1));
      const id = browser.cookies.get('memcached_sid')!;
      expect(JSON.parse((await rawGet(`lab-test:${id}`))!)).toMatchObject({ data: { a: 1 } });
      expect(await rawGet(PREFIX + id)).toBeNull();
      expect(await prefixed.load(browser.request())).toEqual({ status: 'ok', data: { a: 1 } });
    } finally {
      await prefixed.close!();
    }
  });
});

describe.skipIf(skipReason !== null)('memcached store: log out everywhere', () => {
  let memcached: RunningService;
  let raw: Client;
  let store: SessionStore;

  const rawGet = async (key: string) => (await raw.get(key)).value?.toString('utf8') ?? null;
  const generationKey = (owner: string) => `${PREFIX}owner-gen:${owner}`;
  const idListKey = (owner: string) => `${PREFIX}owner-ids:${owner}`;
  const sid = (browser: SimulatedBrowser) => browser.cookies.get('memcached_sid')!;

  beforeAll(async () => {
    memcached = await startMemcached();
    raw = Client.create(memcached.address, { logger: { log: () => {} } });
    store = createMemcachedStore({ servers: [memcached.address], secure: true });
  });

  afterAll(async () => {
    await store?.close?.();
    raw?.close();
    await memcached?.stop();
  });

  it('stamps sessions with the owner’s generation and signs them all out, from any device', async () => {
    const [phone, laptop, bob, anonymous] = [
      newBrowser('alice'),
      newBrowser('alice'),
      newBrowser('bob'),
      newBrowser(),
    ];
    for (const browser of [phone, laptop, bob, anonymous]) {
      await browser.visit(store, (session) => (session.device = browser.owner));
    }
    const generation = Number(await rawGet(generationKey('alice')));
    expect(Number.isSafeInteger(generation)).toBe(true);
    expect(JSON.parse((await rawGet(PREFIX + sid(phone)))!)).toEqual({
      expiresAt: expect.any(Number),
      owner: 'alice',
      gen: generation,
      data: { device: 'alice' },
    });
    expect((await rawGet(idListKey('alice')))!.split(' ')).toEqual([sid(phone), sid(laptop)]);
    expect(await remainingTtl(memcached.port, generationKey('alice'))).toBeGreaterThan(DAY);
    // Memcached cannot count an owner's sessions: peek leaves ownerSessions out.
    for (const browser of [phone, bob, anonymous]) {
      const view = await store.peek!(browser.request());
      expect(view?.bytes).toBeGreaterThan(0);
      expect(view).not.toHaveProperty('ownerSessions');
    }

    // A third device of the same learner, holding neither session, signs both out.
    expect(await store.revokeAll!(newBrowser('alice').request())).toBe(2);
    expect(Number(await rawGet(generationKey('alice')))).toBe(generation + 1);
    expect(await rawGet(PREFIX + sid(phone))).toBeNull();
    expect(await rawGet(PREFIX + sid(laptop))).toBeNull();
    expect(await rawGet(idListKey('alice'))).toBeNull();
    for (const browser of [phone, laptop]) {
      expect(await store.peek!(browser.request())).toBeNull();
      expect(await store.load(browser.request())).toMatchObject({ status: 'new' });
    }
    expect(await store.load(bob.request())).toEqual({ status: 'ok', data: { device: 'bob' } });
    expect(await store.load(anonymous.request())).toEqual({
      status: 'ok',
      data: { device: null },
    });
    expect(await store.revokeAll!(phone.request())).toBe(0);
    const again = await phone.visit(store, (session) => (session.again = true));
    expect(again.loaded.status).toBe('new');
    expect(await store.load(phone.request())).toEqual({ status: 'ok', data: { again: true } });
  });

  it('signs out sessions the id list lost, by their generation alone', async () => {
    const [listed, lost] = [newBrowser('carol'), newBrowser('carol')];
    await listed.visit(store, (session) => (session.n = 1));
    await lost.visit(store, (session) => (session.n = 1));
    await raw.set(idListKey('carol'), sid(listed)); // as if a racing save had dropped one

    expect(await store.revokeAll!(listed.request())).toBe(1);
    expect(await rawGet(PREFIX + sid(lost))).not.toBeNull();
    expect(await store.peek!(lost.request())).toBeNull();
    const ctx = lost.request();
    expect(await store.load(ctx)).toEqual({
      status: 'new',
      reason: expect.stringMatching(/^Signed out everywhere: /),
      data: {},
    });
    expect(ctx.cookies.outgoing[0]).toMatchObject({ name: 'memcached_sid', value: '' });
    expect(await rawGet(PREFIX + sid(lost))).toBeNull();
  });

  it('refuses a save that loaded its session before a sign-out landed', async () => {
    const browser = newBrowser('dave');
    await browser.visit(store, (session) => (session.n = 1));
    const slow = browser.request();
    expect(await store.load(slow)).toMatchObject({ status: 'ok' });
    expect(await store.revokeAll!(newBrowser('dave').request())).toBe(1);
    await store.save(slow, { n: 2 });
    browser.receive(slow);
    expect(await store.load(browser.request())).toMatchObject({
      status: 'new',
      reason: expect.stringMatching(/Signed out everywhere/),
    });
  });

  it('fails closed when the generation is gone, and starts it afresh', async () => {
    const browser = newBrowser('erin');
    await browser.visit(store, (session) => (session.n = 1));
    const before = Number(await rawGet(generationKey('erin')));
    await raw.delete(generationKey('erin')); // as if evicted
    expect(await store.load(browser.request())).toEqual({
      status: 'new',
      reason: expect.stringMatching(/no longer holds the sign-out generation/),
      data: {},
    });
    const { loaded } = await browser.visit(store, (session) => (session.n = 2));
    expect(loaded.status).toBe('new');
    expect(Number(await rawGet(generationKey('erin')))).not.toBe(before);
    expect(await store.load(browser.request())).toEqual({ status: 'ok', data: { n: 2 } });
  });

  it('revokes nothing for a request without an owner', async () => {
    const alice = newBrowser('frank');
    await alice.visit(store, (session) => (session.a = 1));
    const anonymous = newBrowser();
    await anonymous.visit(store, (session) => (session.b = 1));
    const generation = await rawGet(generationKey('frank'));
    expect(await store.revokeAll!(anonymous.request())).toBe(0);
    expect(await rawGet(generationKey('frank'))).toBe(generation);
    expect(await store.load(alice.request())).toMatchObject({ status: 'ok' });
    expect(await store.load(anonymous.request())).toMatchObject({ status: 'ok' });
  });

  it('ignores owner ids over 128 characters and hashes ones a key cannot hold', async () => {
    const long = newBrowser('o'.repeat(129));
    await long.visit(store, (session) => (session.a = 1));
    expect(JSON.parse((await rawGet(PREFIX + sid(long)))!)).not.toHaveProperty('owner');
    expect(await store.revokeAll!(long.request())).toBe(0);
    expect(await store.load(long.request())).toMatchObject({ status: 'ok' });

    const spaced = newBrowser('learner with spaces\r\n and more');
    await spaced.visit(store, (session) => (session.a = 1));
    expect(await rawGet(generationKey('learner with spaces\r\n and more'))).toBeNull();
    expect(await store.revokeAll!(newBrowser(spaced.owner).request())).toBe(1);
    expect(await store.load(spaced.request())).toMatchObject({ status: 'new' });
  });

  it('fills from one learner and address without filling Memcached: both stay at their share, a newcomer still gets a session, and the evicted one says why', async () => {
    const shared = createMemcachedStore({
      servers: [memcached.address],
      secure: true,
      keyPrefix: 'fair:',
      maxSessionsPerOwner: 3,
      maxSessionsPerVisitor: 5,
    });
    try {
      const devices = Array.from({ length: 5 }, () => newBrowser('busy', '203.0.113.9'));
      for (const device of devices) await device.visit(shared, (session) => (session.n = 1));
      // (a) the learner keeps their share.
      expect((await rawGet('fair:owner-ids:busy'))!.split(' ')).toEqual(devices.slice(2).map(sid));
      for (const device of devices.slice(0, 2)) {
        expect(await rawGet(`fair:${sid(device)}`)).toBeNull();
      }
      const owned = await shared.load(devices[0]!.request());
      expect(owned.status).toBe('evicted');
      expect(owned.reason).toMatch(
        /you started another session while you already had 3 live sessions in the Memcached demo store/,
      );
      // A visitor who drops cookies: every request a new learner, all from one address.
      const flood = Array.from({ length: 12 }, (_, index) =>
        newBrowser(`learner-${index}`, '203.0.113.9'),
      );
      for (const browser of flood) await browser.visit(shared, (session) => (session.n = 1));
      const stillHeld = [];
      for (const browser of [...devices, ...flood]) {
        if ((await rawGet(`fair:${sid(browser)}`)) !== null) stillHeld.push(browser);
      }
      // (a) the address keeps its share.
      expect(stillHeld).toEqual(flood.slice(-5));
      // (b) a newcomer from elsewhere is saved as usual.
      const newcomer = newBrowser('newcomer', '192.0.2.44');
      await newcomer.visit(shared, (session) => (session.hello = 'world'));
      expect(await shared.load(newcomer.request())).toEqual({
        status: 'ok',
        data: { hello: 'world' },
      });
      // (c) the evicted sessions say what happened to them.
      const evicted = await shared.load(flood[0]!.request());
      expect(evicted.status).toBe('evicted');
      expect(evicted.reason).toMatch(
        /your network address started another session while it already had 5 live sessions/,
      );
    } finally {
      await shared.close?.();
    }
  });

  it('drops ids of sessions that are gone from a list instead of evicting live ones for them', async () => {
    const shared = createMemcachedStore({
      servers: [memcached.address],
      secure: true,
      keyPrefix: 'gone:',
      maxSessionsPerOwner: 2,
    });
    try {
      const [kept, destroyed, third] = [newBrowser('gina'), newBrowser('gina'), newBrowser('gina')];
      await kept.visit(shared, (session) => (session.n = 1));
      await destroyed.visit(shared, (session) => (session.n = 1));
      const ctx = destroyed.request();
      await shared.destroy(ctx);
      await third.visit(shared, (session) => (session.n = 1));
      expect(await shared.load(kept.request())).toMatchObject({ status: 'ok' });
      expect((await rawGet('gone:owner-ids:gina'))!.split(' ')).toEqual([sid(kept), sid(third)]);
    } finally {
      await shared.close?.();
    }
  });
});
