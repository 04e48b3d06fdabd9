/**
 * The Redis store against a real redis-server (scripts/services/, the shared launcher, starts one
 * per block on a free loopback port). A simulated browser carries the cookies from one request to
 * the next; a separate client checks what Redis itself holds. What Redis and Memcached share
 * (round trip, revocation, fixation, size rule, lost updates, outages) is in
 * `remote-stores.test.ts`; this file keeps what only Redis does.
 */
import { createClient, type RedisClientType } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStore } from '../../src/sessions/stores/redis/store';
import type { SessionStore } from '../../src/sessions/types';
import { serviceSkipReason, startRedis, type RunningRedis } from '../../scripts/services/index.ts';
import { context, DAY, newBrowser, PREFIX, waitFor } from '../support/remote-stores';
import { SimulatedBrowser } from '../support/simulated-browser';

const skipReason = serviceSkipReason('redis');
if (skipReason) console.warn(skipReason);

async function rawClient(url: string): Promise<RedisClientType> {
  const client: RedisClientType = createClient({ url });
  client.on('error', () => {});
  await client.connect();
  return client;
}

describe.skipIf(skipReason !== null)('redis store, real redis-server', () => {
  let redis: RunningRedis;
  let raw: RedisClientType;
  let store: SessionStore;
  const logs: string[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    raw = await rawClient(redis.url);
    store = createRedisStore({ url: redis.url, secure: true, log: (line) => logs.push(line) });
  });

  afterAll(async () => {
    await store?.close?.();
    raw?.destroy();
    await redis?.stop();
  });

  it('sets the TTL on every write (SET … EX), as Redis itself reports', async () => {
    const browser = newBrowser();
    await browser.visit(store, (session) => (session.visits = 1));
    const key = PREFIX + browser.cookies.get('redis_sid');
    const ttl = await raw.ttl(key);
    expect(ttl).toBeGreaterThan(DAY - 10);
    expect(ttl).toBeLessThanOrEqual(DAY);

    await raw.expire(key, 30);
    expect(await raw.ttl(key)).toBeLessThanOrEqual(30);
    await browser.visit(store, (session) => (session.visits = 2));
    expect(await raw.ttl(key)).toBeGreaterThan(DAY - 10);
  });

  it('shows what Redis holds in peek: shortened key, bytes, expiry, location', async () => {
    const browser = newBrowser();
    const now = Date.now();
    const { ctx } = await browser.visit(store, (session) => (session.cart = ['tea']));
    const id = browser.cookies.get('redis_sid')!;
    const view = await store.peek!(ctx);
    expect(view).toEqual({
      key: `${PREFIX}${id.slice(0, 8)}…`,
      bytes: Buffer.byteLength(JSON.stringify({ cart: ['tea'] })),
      expiresAt: expect.any(Number),
      location: `Redis at ${redis.address}`,
    });
    expect(view!.expiresAt! - now).toBeGreaterThan((DAY - 10) * 1000);
    expect(view!.expiresAt! - now).toBeLessThanOrEqual(DAY * 1000 + 5000);
    expect(await store.peek!(context())).toBeNull();
  });

  it('lets Redis expire the session at its TTL', async () => {
    const shortLived = createRedisStore({ url: redis.url, secure: true, ttlSeconds: 1 });
    try {
      // Sent past its Max-Age, the cookie reaches the store, which answers for the expiry.
      const browser = new SimulatedBrowser({ keepExpiredCookies: true });
      await browser.visit(shortLived, (session) => (session.a = 1));
      const key = PREFIX + browser.cookies.get('redis_sid');
      expect(await raw.pTTL(key)).toBeLessThanOrEqual(1000);
      await waitFor(async () => (await raw.exists(key)) === 0, 5000, 'Redis expiring the key');
      expect(await shortLived.load(browser.request())).toEqual({
        status: 'new',
        reason: expect.stringMatching(/expired/),
        data: {},
      });
    } finally {
      await shortLived.close!();
    }
  });

  it('treats malformed ids as no id and never uses them as keys', async () => {
    const malformed = [
      'short',
      '../../../etc/passwd',
      'a'.repeat(42) + '!',
      'a'.repeat(44),
      `${PREFIX}*`,
      'b'.repeat(40) + ' \r\n',
    ];
    for (const value of malformed) {
      const browser = newBrowser();
      browser.cookies.set('redis_sid', value);
      const { loaded } = await browser.visit(store, (session) => (session.n = 1));
      expect(loaded).toEqual({
        status: 'new',
        reason: expect.stringMatching(/malformed/),
        data: {},
      });
      expect(browser.cookies.get('redis_sid')).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(await raw.exists(PREFIX + value)).toBe(0);
    }
    const keys = await raw.keys('*');
    expect(keys.every((key) => /^[\w:-]+:[A-Za-z0-9_-]{43}$/.test(key))).toBe(true);
  });

  it('writes under its key prefix', async () => {
    const prefixed = createRedisStore({ url: redis.url, secure: false, keyPrefix: 'lab-test:' });
    try {
      const browser = newBrowser();
      await browser.visit(prefixed, (session) => (session.a = 1));
      const id = browser.cookies.get('redis_sid')!;
      expect(await raw.get(`lab-test:${id}`)).toBe('{"a":1}');
      expect(await raw.exists(PREFIX + id)).toBe(0);
      expect(await prefixed.load(browser.request())).toEqual({ status: 'ok', data: { a: 1 } });
    } finally {
      await prefixed.close!();
    }
  });
});

describe.skipIf(skipReason !== null)('redis store: log out everywhere', () => {
  let redis: RunningRedis;
  let raw: RedisClientType;
  let store: SessionStore;

  beforeAll(async () => {
    redis = await startRedis();
    raw = await rawClient(redis.url);
    store = createRedisStore({ url: redis.url, secure: true });
  });

  afterAll(async () => {
    await store?.close?.();
    raw?.destroy();
    await redis?.stop();
  });

  const index = (owner: string) => `${PREFIX}owner:${owner}`;

  it('indexes each owner’s sessions and revokes them all, from any device, leaving others alone', async () => {
    const [phone, laptop, bob, anonymous] = [
      newBrowser('alice'),
      newBrowser('alice'),
      newBrowser('bob'),
      newBrowser(),
    ];
    for (const browser of [phone, laptop, bob, anonymous]) {
      await browser.visit(store, (session) => (session.device = browser.owner));
    }
    const aliceIds = [phone, laptop].map((browser) => browser.cookies.get('redis_sid')!);
    expect((await raw.zRange(index('alice'), 0, -1)).sort()).toEqual([...aliceIds].sort());
    expect(await raw.ttl(index('alice'))).toBeGreaterThan(DAY - 10);
    expect(await raw.keys(`${PREFIX}owner:*`)).toHaveLength(2);
    expect(await store.peek!(phone.request())).toMatchObject({ ownerSessions: 2 });
    expect(await store.peek!(bob.request())).toMatchObject({ ownerSessions: 1 });
    expect(await store.peek!(anonymous.request())).not.toHaveProperty('ownerSessions');

    // A third device of the same learner, holding neither session, signs both out.
    const elsewhere = newBrowser('alice').request();
    expect(await store.revokeAll!(elsewhere)).toBe(2);
    expect(elsewhere.timer.entries).toEqual([
      {
        name: 'store',
        description: 'Redis MULTI ZRANGE + DEL, then DEL',
        durationMs: expect.any(Number),
      },
    ]);
    expect(await raw.exists(aliceIds.map((id) => PREFIX + id))).toBe(0);
    expect(await raw.exists(index('alice'))).toBe(0);
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
    // None of the revoked sessions is counted any more: a new one is the owner's only one.
    await phone.visit(store, (session) => (session.again = true));
    expect(await store.peek!(phone.request())).toMatchObject({ ownerSessions: 1 });
  });

  it('revokes nothing for a request without an owner', async () => {
    await newBrowser('carol').visit(store, (session) => (session.a = 1));
    const keysBefore = await raw.dbSize();
    expect(await store.revokeAll!(newBrowser().request())).toBe(0);
    expect(await raw.dbSize()).toBe(keysBefore);
    expect(await raw.zCard(index('carol'))).toBe(1);
  });

  it('counts only sessions that still exist, and a revoked session is not saved back', async () => {
    const [kept, gone] = [newBrowser('dave'), newBrowser('dave')];
    await kept.visit(store, (session) => (session.n = 1));
    await gone.visit(store, (session) => (session.n = 1));
    await raw.del(PREFIX + gone.cookies.get('redis_sid')); // as if Redis had expired it
    expect(await store.peek!(kept.request())).toMatchObject({ ownerSessions: 1 });

    const ctx = kept.request();
    await store.load(ctx);
    expect(await store.revokeAll!(ctx)).toBe(1);
    // Later in the same request, a save starts a new session instead of reviving the old id.
    await store.save(ctx, { after: 'revoke' });
    expect(ctx.cookies.get('redis_sid')).not.toBe(kept.cookies.get('redis_sid'));
    expect(await raw.exists(PREFIX + kept.cookies.get('redis_sid'))).toBe(0);
  });

  it('renews the index TTL on every save and drops an id destroyed by its owner', async () => {
    const browser = newBrowser('erin');
    await browser.visit(store, (session) => (session.visits = 1));
    await raw.expire(index('erin'), 30);
    await browser.visit(store, (session) => (session.visits = 2));
    expect(await raw.ttl(index('erin'))).toBeGreaterThan(DAY - 10);

    const other = newBrowser('erin');
    await other.visit(store, (session) => (session.visits = 1));
    const ctx = other.request();
    await store.destroy(ctx);
    expect(await raw.zRange(index('erin'), 0, -1)).toEqual([browser.cookies.get('redis_sid')]);
  });

  it('ignores owner ids over 128 characters', async () => {
    const long = newBrowser('o'.repeat(129));
    await long.visit(store, (session) => (session.a = 1));
    expect(await raw.exists(index('o'.repeat(129)))).toBe(0);
    expect(await store.peek!(long.request())).not.toHaveProperty('ownerSessions');
    expect(await store.revokeAll!(long.request())).toBe(0);
    expect(await store.load(long.request())).toMatchObject({ status: 'ok' });
  });

  it('fills from one learner and address without filling Redis: both stay at their share, a newcomer still gets a session, and the evicted one says why', async () => {
    const shared = createRedisStore({
      url: redis.url,
      secure: true,
      keyPrefix: 'fair:',
      maxSessionsPerOwner: 3,
      maxSessionsPerVisitor: 5,
    });
    try {
      const start = Date.now();
      const devices = Array.from({ length: 5 }, () => newBrowser('busy', '203.0.113.9'));
      for (const [n, device] of devices.entries()) {
        await device.visit(shared, (session) => (session.n = n), start + n);
      }
      // (a) the learner keeps their share, in the index and in Redis.
      expect(await raw.zCard('fair:owner:busy')).toBe(3);
      expect(await shared.peek!(devices[4]!.request())).toMatchObject({ ownerSessions: 3 });
      const owned = await shared.load(devices[0]!.request());
      expect(owned.status).toBe('evicted');
      expect(owned.reason).toMatch(
        /you started another session while you already had 3 live sessions in the Redis demo store/,
      );
      // The record lives as long as the session would have, and holds no id.
      const records = await raw.keys('fair:evicted:*');
      expect(records).toHaveLength(2);
      expect(await raw.pTTL(records[0]!)).toBeGreaterThan((DAY - 10) * 1000);
      expect(records.join(' ')).not.toContain(devices[0]!.cookies.get('redis_sid'));

      // A visitor who drops cookies: every request a new learner, all from one address.
      const flood = Array.from({ length: 12 }, (_, index) =>
        newBrowser(`learner-${index}`, '203.0.113.9'),
      );
      for (const [n, browser] of flood.entries()) {
        await browser.visit(shared, (session) => (session.n = n), start + 10 + n);
      }
      const live = await raw.keys('fair:*');
      // (a) the address keeps its share: 5 sessions, beside the indexes and eviction records.
      expect(live.filter((key) => /^fair:[A-Za-z0-9_-]{43}$/.test(key))).toHaveLength(5);
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
      expect(await shared.load(flood[11]!.request())).toMatchObject({ status: 'ok' });
    } finally {
      await shared.close?.();
    }
  });

  it('counts the share atomically: ten new sessions of one learner at once leave exactly the share', async () => {
    const shared = createRedisStore({
      url: redis.url,
      secure: true,
      keyPrefix: 'burst:',
      maxSessionsPerOwner: 4,
    });
    try {
      const browsers = Array.from({ length: 10 }, () => newBrowser('burst', '198.51.100.3'));
      await Promise.all(browsers.map((browser) => browser.visit(shared, (s) => (s.n = 1))));
      const sessions = (await raw.keys('burst:*')).filter((key) =>
        /^burst:[A-Za-z0-9_-]{43}$/.test(key),
      );
      expect(sessions).toHaveLength(4);
      expect(await raw.zCard('burst:owner:burst')).toBe(4);
      const statuses = await Promise.all(
        browsers.map(async (browser) => (await shared.load(browser.request())).status),
      );
      expect(statuses.filter((status) => status === 'ok')).toHaveLength(4);
      expect(statuses.filter((status) => status === 'evicted')).toHaveLength(6);
    } finally {
      await shared.close?.();
    }
  });

  it('loads the script again after Redis forgets it', async () => {
    const browser = newBrowser('flushed', '198.51.100.4');
    await browser.visit(store, (session) => (session.before = true));
    await raw.scriptFlush();
    const fresh = newBrowser('flushed', '198.51.100.4');
    await fresh.visit(store, (session) => (session.after = true));
    expect(await store.load(fresh.request())).toEqual({ status: 'ok', data: { after: true } });
  });
});
