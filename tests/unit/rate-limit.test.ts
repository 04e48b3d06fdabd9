import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../src/server/rate-limit';

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
