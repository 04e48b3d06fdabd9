/**
 * Rate limits shared through a real redis-server (started on a free loopback port by the shared
 * launcher): limiters made separately, as two server processes make theirs, count against one
 * allowance; demo writes count per learner under a per-address ceiling; and with Redis stopped
 * halfway, every limiter still answers, counting in its own process's memory.
 */
import { createClient, type RedisClientType } from 'redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DemoWriteLimiter } from '../../src/server/demo/demo-write-limit';
import { handleDemoRequest } from '../../src/server/demo/handler';
import { RaceAdmissions } from '../../src/server/demo/race-admission';
import { LEARNER_SESSION_COOKIE } from '../../src/server/learner/learner-sessions';
import { FailureLimiter, RateLimiter } from '../../src/server/platform/rate-limit';
import { RateLimitStorage } from '../../src/server/platform/rate-limit-storage';
import { serviceSkipReason, startRedis, type RunningRedis } from '../../scripts/services/index.ts';
import { waitFor } from '../support/remote-stores';
import { createTestApp, type TestApp } from '../support/test-app';

const skipReason = serviceSkipReason('redis');
if (skipReason) console.warn(skipReason);

const minute = { windowSeconds: 60 };

describe.skipIf(skipReason !== null)('rate limits shared through a real redis-server', () => {
  let redis: RunningRedis;
  let raw: RedisClientType;
  /** Every storage a test opened: each is one process's connection to Redis. */
  const opened: RateLimitStorage[] = [];
  const logs: string[] = [];
  let run = 0;

  /** A storage of its own, as a separate server process would have. */
  function instance(): RateLimitStorage {
    const storage = RateLimitStorage.redis(redis.url, { log: (line) => logs.push(line) });
    opened.push(storage);
    return storage;
  }

  /** A limiter name no other test uses, so counts never carry over. */
  const fresh = (what: string) => `${what}-${++run}`;

  beforeAll(async () => {
    redis = await startRedis();
    raw = createClient({ url: redis.url });
    raw.on('error', () => {});
    await raw.connect();
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((storage) => storage.close()));
  });

  afterAll(async () => {
    raw?.destroy();
    await redis?.stop();
  });

  it('two limiters made apart reach the limit together: N allowed in all, not 2N', async () => {
    const name = fresh('writes');
    const limit = { max: 5, ...minute };
    const one = new RateLimiter(limit, { storage: instance(), name });
    const two = new RateLimiter(limit, { storage: instance(), name });
    const decisions = [];
    for (let i = 0; i < 6; i++) {
      decisions.push(await one.take('203.0.113.5'), await two.take('203.0.113.5'));
    }
    expect(decisions.filter((decision) => decision.allowed)).toHaveLength(5);
    const refused = decisions.find((decision) => !decision.allowed);
    expect(refused).toMatchObject({ allowed: false });
    expect(refused!.allowed === false && refused!.retryAfterSeconds).toBeGreaterThan(50);
    // The count is Redis's, under the rate-limit prefix, expiring with its window.
    const key = `session-lab:rate:${name}:203.0.113.5`;
    expect(await raw.get(key)).toBe('12');
    expect(await raw.pTTL(key)).toBeGreaterThan(50_000);
    // Another client has its own allowance on both.
    expect(await two.take('203.0.113.6')).toEqual({ allowed: true });
  });

  it('also when both take at the same moment', async () => {
    const name = fresh('burst');
    const limit = { max: 10, ...minute };
    const limiters = [instance(), instance()].map(
      (storage) => new RateLimiter(limit, { storage, name }),
    );
    const decisions = await Promise.all(
      Array.from({ length: 30 }, (_, i) => limiters[i % 2]!.take('client')),
    );
    expect(decisions.filter((decision) => decision.allowed)).toHaveLength(10);
  });

  it('shares failures: a client blocked on one instance is blocked on the other', async () => {
    const name = fresh('sign-in');
    const limit = { max: 2, ...minute };
    const one = new FailureLimiter(limit, { storage: instance(), name });
    const two = new FailureLimiter(limit, { storage: instance(), name });
    expect(await one.recordFailure('a')).toEqual({ allowed: true });
    expect(await two.recordFailure('a')).toEqual({ allowed: true });
    expect(await one.check('a')).toEqual({ allowed: true });
    expect((await two.recordFailure('a')).allowed).toBe(false);
    // Refused before the next guess is looked at, on either instance.
    expect((await one.check('a')).allowed).toBe(false);
    expect((await two.check('a')).allowed).toBe(false);
    expect(await one.check('b')).toEqual({ allowed: true });
  });

  it('counts demo writes per learner, under one ceiling for their address', async () => {
    const names = { perLearner: { max: 3, ...minute }, perAddress: { max: 10, ...minute } };
    const address = `198.51.100.${++run}`;
    // Two instances, one class behind one address.
    const instances = [instance(), instance()].map(
      (storage) => new DemoWriteLimiter(names.perLearner, names.perAddress, storage),
    );
    const allowedFor = async (learnerId: string | null, count: number) => {
      let allowed = 0;
      for (let i = 0; i < count; i++) {
        if ((await instances[i % 2]!.take({ address, learnerId })).allowed) allowed++;
      }
      return allowed;
    };
    // Each learner gets their own 3, though all share the address: a busy learner's refused
    // writes do not use up the ceiling.
    expect(await allowedFor('learner-1', 8)).toBe(3);
    expect(await allowedFor('learner-2', 3)).toBe(3);
    expect(await allowedFor('learner-3', 3)).toBe(3);
    // 9 of the address's 10 are spent: one more learner gets 1, and then no one does.
    expect(await allowedFor('learner-4', 3)).toBe(1);
    expect(await allowedFor('learner-5', 3)).toBe(0);
    expect(await allowedFor(null, 1)).toBe(0);
    // Another address is not affected.
    expect(
      (await instances[0]!.take({ address: '192.0.2.99', learnerId: 'learner-6' })).allowed,
    ).toBe(true);
  });

  it('charges a race press one write per process it reaches', async () => {
    const address = `198.51.100.${++run}`;
    const perLearner = { max: 5, ...minute };
    const processes = [instance(), instance()].map(
      (storage) =>
        new RaceAdmissions(new DemoWriteLimiter(perLearner, { max: 50, ...minute }, storage)),
    );
    const writer = { address, learnerId: `racer-${run}` };
    // The console's 20 at once, spread over both processes.
    const decisions = await Promise.all(
      Array.from({ length: 20 }, (_, i) => processes[i % 2]!.take(writer, 'press-gggggggg/20')),
    );
    expect(decisions.filter((decision) => decision.allowed)).toHaveLength(20);
    // Two of the learner's 5 writes went on it, one per process: 3 are left, on either.
    const after = [];
    for (let i = 0; i < 4; i++) after.push((await processes[i % 2]!.take(writer, null)).allowed);
    expect(after).toEqual([true, true, true, false]);
  });

  it('counts a browser without a learner as its address', async () => {
    const writes = new DemoWriteLimiter({ max: 2, ...minute }, { max: 100, ...minute }, instance());
    // Two addresses of one IPv6 /64 are one anonymous client.
    expect((await writes.take({ address: '2001:db8:5:5::1' })).allowed).toBe(true);
    expect((await writes.take({ address: '2001:db8:5:5::2' })).allowed).toBe(true);
    expect((await writes.take({ address: '2001:db8:5:5::3' })).allowed).toBe(false);
    // A learner there still has their own allowance.
    expect((await writes.take({ address: '2001:db8:5:5::3', learnerId: 'x' })).allowed).toBe(true);
  });

  it('keeps answering when Redis stops: each process then counts in its own memory', async () => {
    const name = fresh('outage');
    const limit = { max: 3, ...minute };
    const storage = instance();
    const limiter = new RateLimiter(limit, { storage, name });
    expect(await limiter.take('c')).toEqual({ allowed: true });
    expect(await limiter.take('c')).toEqual({ allowed: true });
    expect(await raw.get(`session-lab:rate:${name}:c`)).toBe('2');

    await redis.stop();
    const answers = [];
    const started = Date.now();
    for (let i = 0; i < 5; i++) answers.push(await limiter.take('c'));
    const elapsedMs = Date.now() - started;
    // Neither refused for want of Redis nor let through unlimited: the memory count starts over
    // at 0, so 3 more are allowed, then the limit holds.
    expect(answers.map((answer) => answer.allowed)).toEqual([true, true, true, false, false]);
    // The first command waits for its deadline at most; the rest fail at once.
    expect(elapsedMs).toBeLessThan(2_000);
    expect(logs.some((line) => /not answering.*counted per process/.test(line))).toBe(true);

    // Back in Redis once it answers again (this test server keeps nothing across a restart).
    await redis.start();
    await raw.connect().catch(() => {});
    await waitFor(
      async () =>
        (await limiter.take('d')).allowed && (await raw.exists(`session-lab:rate:${name}:d`)) === 1,
      10_000,
      'counting in Redis again',
    );
    expect(logs.some((line) => /answering again\. Rate limits are shared again/.test(line))).toBe(
      true,
    );
  });

  describe('two apps, as two server processes, on one Redis', () => {
    const apps: TestApp[] = [];
    afterAll(async () => {
      for (const app of apps) await app.close();
    });

    it('share the demo write limit through the real demo handler', async () => {
      const env = { REDIS_URL: redis.url, RATE_LIMIT_DEMO_WRITES: '3/3600' };
      apps.push(await createTestApp({ env }), await createTestApp({ env }));
      expect(apps.every(({ app }) => app.rateLimits.shared)).toBe(true);
      const statuses = [];
      for (let i = 0; i < 6; i++) {
        const response = await handleDemoRequest(apps[i % 2]!.app, increment('192.0.2.77'));
        statuses.push(response.status);
      }
      expect(statuses).toEqual([200, 200, 200, 429, 429, 429]);
    });

    it('limit each learner on their own, by the learner cookie', async () => {
      const env = {
        REDIS_URL: redis.url,
        RATE_LIMIT_DEMO_WRITES: '2/3600',
        RATE_LIMIT_DEMO_WRITES_PER_ADDRESS: '5/3600',
      };
      const testApp = await createTestApp({ env });
      apps.push(testApp);
      const { app } = testApp;
      const address = '192.0.2.78';
      // A write to a server store makes the browser a learner (1 of the address's 5).
      const first = await handleDemoRequest(app, save(address));
      expect(first.status).toBe(200);
      const learner = learnerCookie(first);
      expect(learner).toMatch(new RegExp(`^${LEARNER_SESSION_COOKIE}=`));
      // The learner's own 2, then refused (2 and 3 of 5; the refusal costs the address nothing).
      const own = [];
      for (let i = 0; i < 3; i++)
        own.push((await handleDemoRequest(app, save(address, learner))).status);
      expect(own).toEqual([200, 200, 429]);
      // A classmate without a cookie yet is not refused for it (4 of 5) …
      const classmate = await handleDemoRequest(app, save(address));
      expect(classmate.status).toBe(200);
      const second = learnerCookie(classmate);
      // … and writes once more (5 of 5); then the address's ceiling stops them.
      expect((await handleDemoRequest(app, save(address, second))).status).toBe(200);
      const capped = await handleDemoRequest(app, save(address, second));
      expect(capped.status).toBe(429);
      expect(capped.headers.get('Retry-After')).toMatch(/^\d+$/);
    });
  });
});

const origin = 'http://127.0.0.1:4321';

function demoRequest(storeId: string, address: string, body: object, cookie?: string) {
  const headers = new Headers({ Origin: origin, 'Content-Type': 'application/json' });
  if (cookie) headers.set('Cookie', cookie);
  return {
    storeId,
    clientAddress: address,
    request: new Request(`${origin}/api/demo/${storeId}`, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
    }),
  };
}

const increment = (address: string) => demoRequest('memory', address, { action: 'increment' });
const save = (address: string, cookie?: string) =>
  demoRequest('sqlite', address, { action: 'set', key: 'k', value: 'v' }, cookie);

/** The learner cookie a response set, as the browser's next Cookie header carries it. */
function learnerCookie(response: Response): string {
  const line = response.headers
    .getSetCookie()
    .find((set) => set.startsWith(`${LEARNER_SESSION_COOKIE}=`));
  return line?.split(';')[0] ?? '';
}
