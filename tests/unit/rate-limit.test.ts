import { describe, expect, it } from 'vitest';
import {
  addressBucket,
  describeRate,
  FailureLimiter,
  RateLimiter,
} from '../../src/server/platform/rate-limit';

describe('RateLimiter', () => {
  it('allows a burst of max, then refills at max per window', () => {
    const limiter = new RateLimiter({ max: 3, windowSeconds: 60 });
    const at = 1_000_000;
    expect([1, 2, 3].map(() => limiter.take('a', at).allowed)).toEqual([true, true, true]);
    expect(limiter.take('a', at)).toEqual({ allowed: false, retryAfterSeconds: 20 });
    expect(limiter.take('b', at).allowed).toBe(true);
    expect(limiter.take('a', at + 20_000).allowed).toBe(true);
    expect(limiter.take('a', at + 20_000).allowed).toBe(false);
  });

  it('forgets the least recently seen client past its memory bound', () => {
    const limiter = new RateLimiter({ max: 1, windowSeconds: 60 }, 2);
    limiter.take('a', 0);
    limiter.take('b', 0);
    limiter.take('c', 0);
    expect(limiter.take('a', 0).allowed).toBe(true);
    expect(limiter.take('c', 0).allowed).toBe(false);
  });
});

describe('FailureLimiter', () => {
  it('counts only failures, then refuses every attempt until a token is back', () => {
    const limiter = new FailureLimiter({ max: 2, windowSeconds: 60 });
    const at = 1_000_000;
    // Successes are never recorded: any number of them leaves the client free.
    for (let i = 0; i < 50; i++) expect(limiter.check('a', at)).toEqual({ allowed: true });
    expect(limiter.recordFailure('a', at).allowed).toBe(true);
    expect(limiter.recordFailure('a', at).allowed).toBe(true);
    expect(limiter.recordFailure('a', at)).toEqual({ allowed: false, retryAfterSeconds: 30 });
    expect(limiter.check('a', at + 29_000)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(limiter.check('b', at)).toEqual({ allowed: true });
    expect(limiter.check('a', at + 30_000)).toEqual({ allowed: true });
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
