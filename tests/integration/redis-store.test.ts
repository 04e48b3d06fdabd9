/**
 * The Redis store against a real redis-server (scripts/services/, the shared launcher, starts one
 * per block on a free loopback port). A simulated browser carries the cookies from one request to
 * the next; a separate client checks what Redis itself holds.
 */
import { createClient, type RedisClientType } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieJar } from '../../src/sessions/cookie-jar';
import { Timer } from '../../src/sessions/timer';
import { newSessionId } from '../../src/sessions/server-session-id';
import { createRedisStore, redisNotConfiguredMessage } from '../../src/sessions/stores/redis/store';
import { SessionTooLargeError, StoreUnavailableError } from '../../src/sessions/types';
import type { DemoContext, SessionStore } from '../../src/sessions/types';
import { serviceSkipReason, startRedis, type RunningRedis } from '../../scripts/services/index.ts';

const skipReason = serviceSkipReason('redis');
if (skipReason) console.warn(skipReason);

const PREFIX = 'session-lab:session:';
const DAY = 24 * 60 * 60;
/** A hang check, not a benchmark: the store aims for well under a second. */
const UNAVAILABLE_WITHIN_MS = 3000;

function context(cookies: Map<string, string> = new Map(), now = Date.now()): DemoContext {
  return {
    cookies: new CookieJar(cookies),
    instance: { id: 'test', memory: new Map(), directory: '' },
    timer: new Timer(),
    now: () => now,
  };
}

/** Keeps cookies between requests as a browser does: set, replace, and delete on Max-Age=0. */
class Browser {
  readonly cookies = new Map<string, string>();

  /** `owner` and `address`: the learner and the network address, as the demo handler passes them. */
  constructor(
    readonly owner: string | null = null,
    readonly address: string | null = null,
  ) {}

  request(now?: number): DemoContext {
    return {
      ...context(new Map(this.cookies), now),
      owner: this.owner,
      clientAddress: this.address,
    };
  }

  receive(ctx: DemoContext): void {
    for (const cookie of ctx.cookies.outgoing) {
      if (cookie.options.maxAge === 0) this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
  }

  /** One request: load, change, save; the response's cookies come back to the browser. */
  async visit(store: SessionStore, change: (data: Record<string, unknown>) => void, now?: number) {
    const ctx = this.request(now);
    const loaded = await store.load(ctx);
    const data = { ...loaded.data };
    change(data);
    await store.save(ctx, data);
    this.receive(ctx);
    return { ctx, loaded };
  }
}

async function waitFor(
  condition: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} did not happen within ${timeoutMs} ms`);
}

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

  it('describes itself as a revocable server store', () => {
    expect(store.info).toMatchObject({
      id: 'redis',
      title: 'Redis',
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
    expect(store.info.summary).toMatch(/persistence/);
    expect(store.peek).toBeTypeOf('function');
  });

  it('round-trips nested and unicode JSON through Redis', async () => {
    const browser = new Browser();
    const data = {
      user: { name: 'Zoë Ångström', tags: ['ключ', '键', '🍪'], nested: { deep: [1, 2.5, null] } },
      ok: true,
    };
    const first = await browser.visit(store, (session) => Object.assign(session, data));
    expect(first.loaded).toEqual({ status: 'new', data: {} });

    const [cookie] = first.ctx.cookies.outgoing;
    expect(cookie?.name).toBe('redis_sid');
    expect(cookie?.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(cookie?.options).toMatchObject({
      httpOnly: true,
      sameSite: 'Lax',
      secure: true,
      path: '/api/demo/redis',
      maxAge: DAY,
    });

    const next = browser.request();
    expect(await store.load(next)).toEqual({ status: 'ok', data });
    expect(next.timer.entries).toEqual([
      { name: 'store', description: 'Redis GET', durationMs: expect.any(Number) },
    ]);
    expect(JSON.parse((await raw.get(PREFIX + cookie!.value))!)).toEqual(data);
  });

  it('sets the TTL on every write (SET … EX), as Redis itself reports', async () => {
    const browser = new Browser();
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
    const browser = new Browser();
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

  it('destroys the session: the key is gone and the cookie is cleared', async () => {
    const browser = new Browser();
    await browser.visit(store, (session) => (session.user = 'ada'));
    const id = browser.cookies.get('redis_sid')!;
    expect(await raw.exists(PREFIX + id)).toBe(1);

    const ctx = browser.request();
    await store.destroy(ctx);
    browser.receive(ctx);
    expect(await raw.exists(PREFIX + id)).toBe(0);
    expect(ctx.cookies.outgoing[0]).toMatchObject({
      name: 'redis_sid',
      value: '',
      options: { maxAge: 0, path: '/api/demo/redis', httpOnly: true },
    });
    expect(await store.peek!(ctx)).toBeNull();
    expect(browser.cookies.has('redis_sid')).toBe(false);

    // Revocation is real: the old id no longer opens anything.
    expect(await store.load(context(new Map([['redis_sid', id]])))).toMatchObject({
      status: 'new',
    });
  });

  it('lets Redis expire the session at its TTL', async () => {
    const shortLived = createRedisStore({ url: redis.url, secure: true, ttlSeconds: 1 });
    try {
      const browser = new Browser();
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

  it('refuses a session over maxSessionBytes and stores nothing', async () => {
    const keysBefore = await raw.dbSize();
    const ctx = context();
    const error = await store
      .save(ctx, { padding: 'x'.repeat(64 * 1024) })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SessionTooLargeError);
    expect(error).toMatchObject({ limit: 64 * 1024 });
    expect((error as SessionTooLargeError).bytes).toBeGreaterThan(64 * 1024);
    expect(ctx.cookies.outgoing).toEqual([]);
    expect(await raw.dbSize()).toBe(keysBefore);

    // {"padding":"…"} adds 14 bytes: exactly at the limit still fits.
    const fits = context();
    await store.save(fits, { padding: 'x'.repeat(64 * 1024 - 14) });
    expect(fits.cookies.outgoing).toHaveLength(1);
  });

  it('never accepts an id it did not issue: a fresh id replaces it (no fixation)', async () => {
    const planted = newSessionId();
    const browser = new Browser();
    browser.cookies.set('redis_sid', planted);
    const { ctx, loaded } = await browser.visit(store, (session) => (session.role = 'student'));
    expect(loaded).toEqual({
      status: 'new',
      reason: expect.stringMatching(/no session under this id/),
      data: {},
    });
    const issued = browser.cookies.get('redis_sid')!;
    expect(issued).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(issued).not.toBe(planted);
    expect(ctx.cookies.outgoing.map((cookie) => cookie.value)).toEqual([issued]);
    expect(await raw.exists(PREFIX + planted)).toBe(0);
    expect(await raw.exists(PREFIX + issued)).toBe(1);
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
      const browser = new Browser();
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
      const browser = new Browser();
      await browser.visit(prefixed, (session) => (session.a = 1));
      const id = browser.cookies.get('redis_sid')!;
      expect(await raw.get(`lab-test:${id}`)).toBe('{"a":1}');
      expect(await raw.exists(PREFIX + id)).toBe(0);
      expect(await prefixed.load(browser.request())).toEqual({ status: 'ok', data: { a: 1 } });
    } finally {
      await prefixed.close!();
    }
  });

  it('Concurrency: 20 overlapping load+increment+save on one id lose updates', async () => {
    const browser = new Browser();
    await browser.visit(store, (session) => (session.counter = 0));
    const id = browser.cookies.get('redis_sid')!;

    const increments = Array.from({ length: 20 }, () =>
      browser.visit(store, (session) => (session.counter = Number(session.counter) + 1)),
    );
    const results = await Promise.all(increments);
    expect(results.every(({ loaded }) => loaded.status === 'ok')).toBe(true);
    // Every request kept the same session: no new ids were issued.
    expect(new Set(results.map(({ ctx }) => ctx.cookies.get('redis_sid')))).toEqual(new Set([id]));

    const final = JSON.parse((await raw.get(PREFIX + id))!) as { counter: number };
    // Last SET wins: each request read the counter before any other saved, so most of the 20
    // increments are lost (it ends at 1 here). Not a bug in the test: this is the lesson.
    expect(final.counter).toBeGreaterThanOrEqual(1);
    expect(final.counter).toBeLessThan(20);
    expect(logs).toEqual([]);
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
      new Browser('alice'),
      new Browser('alice'),
      new Browser('bob'),
      new Browser(),
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
    const elsewhere = new Browser('alice').request();
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
    await new Browser('carol').visit(store, (session) => (session.a = 1));
    const keysBefore = await raw.dbSize();
    expect(await store.revokeAll!(new Browser().request())).toBe(0);
    expect(await raw.dbSize()).toBe(keysBefore);
    expect(await raw.zCard(index('carol'))).toBe(1);
  });

  it('counts only sessions that still exist, and a revoked session is not saved back', async () => {
    const [kept, gone] = [new Browser('dave'), new Browser('dave')];
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
    const browser = new Browser('erin');
    await browser.visit(store, (session) => (session.visits = 1));
    await raw.expire(index('erin'), 30);
    await browser.visit(store, (session) => (session.visits = 2));
    expect(await raw.ttl(index('erin'))).toBeGreaterThan(DAY - 10);

    const other = new Browser('erin');
    await other.visit(store, (session) => (session.visits = 1));
    const ctx = other.request();
    await store.destroy(ctx);
    expect(await raw.zRange(index('erin'), 0, -1)).toEqual([browser.cookies.get('redis_sid')]);
  });

  it('ignores owner ids over 128 characters', async () => {
    const long = new Browser('o'.repeat(129));
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
      const devices = Array.from({ length: 5 }, () => new Browser('busy', '203.0.113.9'));
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
      const flood = Array.from(
        { length: 12 },
        (_, index) => new Browser(`learner-${index}`, '203.0.113.9'),
      );
      for (const [n, browser] of flood.entries()) {
        await browser.visit(shared, (session) => (session.n = n), start + 10 + n);
      }
      const live = await raw.keys('fair:*');
      // (a) the address keeps its share: 5 sessions, beside the indexes and eviction records.
      expect(live.filter((key) => /^fair:[A-Za-z0-9_-]{43}$/.test(key))).toHaveLength(5);
      // (b) a newcomer from elsewhere is saved as usual.
      const newcomer = new Browser('newcomer', '192.0.2.44');
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
      const browsers = Array.from({ length: 10 }, () => new Browser('burst', '198.51.100.3'));
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
    const browser = new Browser('flushed', '198.51.100.4');
    await browser.visit(store, (session) => (session.before = true));
    await raw.scriptFlush();
    const fresh = new Browser('flushed', '198.51.100.4');
    await fresh.visit(store, (session) => (session.after = true));
    expect(await store.load(fresh.request())).toEqual({ status: 'ok', data: { after: true } });
  });
});

describe.skipIf(skipReason !== null)('redis store without a server', () => {
  it('answers unavailable with how to configure it when REDIS_URL is not set', async () => {
    const store = createRedisStore({ url: null, secure: false });
    const started = performance.now();
    expect(await store.load(context(new Map([['redis_sid', newSessionId()]])))).toEqual({
      status: 'unavailable',
      reason: redisNotConfiguredMessage,
      data: {},
    });
    expect(await store.load(context())).toMatchObject({ status: 'unavailable' });
    await expect(store.save(context(), { a: 1 })).rejects.toThrow(StoreUnavailableError);
    await expect(store.save(context(), { a: 1 })).rejects.toThrow(redisNotConfiguredMessage);
    await expect(store.destroy(context())).rejects.toThrow(redisNotConfiguredMessage);
    expect(performance.now() - started).toBeLessThan(UNAVAILABLE_WITHIN_MS);
    expect(redisNotConfiguredMessage).toBe(
      'Redis is not configured: set REDIS_URL=redis://127.0.0.1:6379 and start redis-server ' +
        '(npm run services starts one locally)',
    );
    await store.close!();
  });

  it('answers unavailable, fast, when nothing listens at REDIS_URL', async () => {
    // A port that was free a moment ago: start a server and stop it again.
    const gone = await startRedis();
    await gone.stop();
    const logs: string[] = [];
    const store = createRedisStore({
      url: gone.url,
      secure: false,
      log: (line) => logs.push(line),
    });
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        const started = performance.now();
        const loaded = await store.load(context());
        expect(performance.now() - started).toBeLessThan(UNAVAILABLE_WITHIN_MS);
        expect(loaded).toEqual({
          status: 'unavailable',
          reason: expect.stringMatching(
            new RegExp(
              `^Redis at ${gone.address} is not answering \\(.*ECONNREFUSED.*\\); ` +
                'start redis-server or check REDIS_URL$',
            ),
          ),
          data: {},
        });
      }
      expect(logs).toHaveLength(1);
    } finally {
      await store.close!();
    }
  });
});

describe.skipIf(skipReason !== null)('redis store through an outage', () => {
  let redis: RunningRedis;
  let store: SessionStore;
  const logs: string[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    store = createRedisStore({ url: redis.url, secure: false, log: (line) => logs.push(line) });
  });

  afterAll(async () => {
    await store?.close?.();
    await redis?.stop();
  });

  it('answers unavailable while Redis is down and recovers by itself when it is back', async () => {
    const browser = new Browser();
    await browser.visit(store, (session) => (session.before = 'outage'));
    expect(await store.load(browser.request())).toMatchObject({ status: 'ok' });

    await redis.stop();
    const started = performance.now();
    const loaded = await store.load(browser.request());
    const elapsed = performance.now() - started;
    expect(loaded).toEqual({
      status: 'unavailable',
      reason: expect.stringMatching(
        new RegExp(`^Redis at ${redis.address} is not answering \\(.+\\); start redis-server`),
      ),
      data: {},
    });
    expect(elapsed).toBeLessThan(UNAVAILABLE_WITHIN_MS);

    const saving = store.save(browser.request(), { during: 'outage' });
    await expect(saving).rejects.toThrow(StoreUnavailableError);
    await expect(saving).rejects.toThrow(/not answering.*check REDIS_URL/);
    await expect(store.destroy(browser.request())).rejects.toThrow(StoreUnavailableError);

    // Let the client retry a few times: the outage is logged once, not per attempt.
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(await store.load(browser.request())).toMatchObject({ status: 'unavailable' });
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/not answering/);

    await redis.start();
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

  it('gives up on a frozen Redis after the command timeout instead of hanging', async () => {
    const browser = new Browser();
    await browser.visit(store, (session) => (session.before = 'freeze'));
    await redis.pause();
    try {
      const started = performance.now();
      const loaded = await store.load(browser.request());
      const elapsed = performance.now() - started;
      expect(loaded).toEqual({
        status: 'unavailable',
        reason: expect.stringMatching(/not answering \(no reply within 500 ms\)/),
        data: {},
      });
      expect(elapsed).toBeGreaterThanOrEqual(450);
      expect(elapsed).toBeLessThan(UNAVAILABLE_WITHIN_MS);
      await expect(store.save(browser.request(), { a: 1 })).rejects.toThrow(StoreUnavailableError);
    } finally {
      redis.resume();
    }
    // The connection survived the freeze; late replies go to the abandoned commands.
    expect(await store.load(browser.request())).toEqual({
      status: 'ok',
      data: { before: 'freeze' },
    });
  });
});
