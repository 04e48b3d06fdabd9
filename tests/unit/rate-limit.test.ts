import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  addressBucket,
  describeRate,
  FailureLimiter,
  RateLimiter,
} from '../../src/server/platform/rate-limit';
import {
  rateLimitStorageFor,
  RateLimitStorage,
} from '../../src/server/platform/rate-limit-storage';
import { loadConfig } from '../../src/server/platform/config';
import { tmpdir } from 'node:os';

// Memory limiters read the clock and expire their windows with timers: both are faked here.
beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(1_700_000_000_000);
});
afterEach(() => vi.useRealTimers());

async function takeMany(limiter: RateLimiter, client: string, count: number) {
  const decisions = [];
  for (let i = 0; i < count; i++) decisions.push(await limiter.take(client));
  return decisions;
}

describe('RateLimiter, in memory', () => {
  it('allows max per window, then refuses until the window ends', async () => {
    const limiter = new RateLimiter({ max: 3, windowSeconds: 60 });
    const first = await takeMany(limiter, 'a', 3);
    expect(first.map((decision) => decision.allowed)).toEqual([true, true, true]);
    vi.advanceTimersByTime(20_000);
    expect(await limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 40 });
    expect((await limiter.take('b')).allowed).toBe(true);
    vi.advanceTimersByTime(40_000);
    const next = await takeMany(limiter, 'a', 4);
    expect(next.map((decision) => decision.allowed)).toEqual([true, true, true, false]);
  });

  it('counts in memory when REDIS_URL is not set', () => {
    // A secret of its own, so nothing is written to the data directory.
    const settings = { DATA_DIR: tmpdir(), SESSION_SECRET: 'x'.repeat(32) };
    expect(RateLimitStorage.redis(null).shared).toBe(false);
    expect(rateLimitStorageFor(loadConfig(settings).storeSettings).shared).toBe(false);
    const withRedis = rateLimitStorageFor(
      loadConfig({ ...settings, REDIS_URL: 'redis://127.0.0.1:1' }).storeSettings,
    );
    // Only says where it will count: nothing connects before the first request.
    expect(withRedis.shared).toBe(true);
  });

  it('keeps each limiter to itself: two in memory count apart, as two processes would', async () => {
    const one = new RateLimiter({ max: 2, windowSeconds: 60 }, { name: 'same' });
    const two = new RateLimiter({ max: 2, windowSeconds: 60 }, { name: 'same' });
    expect((await takeMany(one, 'a', 3)).filter((decision) => decision.allowed)).toHaveLength(2);
    expect((await takeMany(two, 'a', 3)).filter((decision) => decision.allowed)).toHaveLength(2);
  });
});

describe('FailureLimiter, in memory', () => {
  it('counts only failures, then refuses every attempt until the window ends', async () => {
    const limiter = new FailureLimiter({ max: 2, windowSeconds: 60 });
    // Successes are never recorded: any number of them leaves the client free.
    for (let i = 0; i < 50; i++) expect(await limiter.check('a')).toEqual({ allowed: true });
    expect((await limiter.recordFailure('a')).allowed).toBe(true);
    expect((await limiter.recordFailure('a')).allowed).toBe(true);
    // At the limit but not past it: the next attempt is still looked at.
    expect(await limiter.check('a')).toEqual({ allowed: true });
    expect(await limiter.recordFailure('a')).toEqual({ allowed: false, retryAfterSeconds: 60 });
    vi.advanceTimersByTime(59_000);
    expect(await limiter.check('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(await limiter.check('b')).toEqual({ allowed: true });
    vi.advanceTimersByTime(1_000);
    expect(await limiter.check('a')).toEqual({ allowed: true });
  });
});

describe('addressBucket', () => {
  it('keeps IPv4 addresses and counts IPv6 ones by their /64', () => {
    expect(addressBucket('203.0.113.7')).toBe('203.0.113.7');
    expect(addressBucket('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressBucket('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressBucket('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(addressBucket('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressBucket('::1')).toBe('0:0:0:0::/64');
    expect(addressBucket('64:ff9b::192.0.2.1')).toBe('64:ff9b:0:0::/64');
    expect(addressBucket('2001:db8:1:3::1')).not.toBe(addressBucket('2001:db8:1:2::1'));
  });
});

describe('describeRate', () => {
  it('states a limit in words', () => {
    expect(describeRate({ max: 20, windowSeconds: 60 }, 'code')).toBe('20 codes in 1 minute');
    expect(describeRate({ max: 1, windowSeconds: 90 }, 'try')).toBe('1 try in 90 seconds');
  });
});
