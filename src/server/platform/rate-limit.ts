import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { addressGroup } from '../../sessions/fair-share';
import { RateLimitStorage } from './rate-limit-storage';

/**
 * Per-client rate limits, counted where `RateLimitStorage` says: in Redis shared by every
 * instance when REDIS_URL is set, else in this process. Taking is async either way.
 */
export interface RateLimit {
  max: number;
  windowSeconds: number;
}

/** "20 in 1 minute", "5 in 300 seconds": a limit as the pages that enforce it state it. */
export function describeRate({ max, windowSeconds }: RateLimit, unit: string): string {
  const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  const window =
    windowSeconds % 60 === 0
      ? plural(windowSeconds / 60, 'minute')
      : plural(windowSeconds, 'second');
  return `${plural(max, unit)} in ${window}`;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export interface LimiterOptions {
  /** Where the counts live: Redis shared by every instance, or this process (the default). */
  storage?: RateLimitStorage;
  /** Names the limiter's keys (`session-lab:rate:<name>:<client>`); unique per storage. */
  name?: string;
}

/**
 * Each client may make `max` requests per `windowSeconds`: a fixed window that starts at the
 * client's first request, so a client may get up to 2 × `max` across the end of one window and the
 * start of the next. Counts expire with their window, so memory (or Redis) holds only clients
 * seen within the last window.
 */
export class RateLimiter {
  readonly #counter: RateLimiterAbstract;

  constructor(
    limit: RateLimit,
    { storage = RateLimitStorage.memory(), name }: LimiterOptions = {},
  ) {
    this.#counter = storage.counter(name ?? 'limit', limit);
  }

  async take(client: string): Promise<RateDecision> {
    try {
      await this.#counter.consume(client);
      return { allowed: true };
    } catch (refusal) {
      return refused(refusal);
    }
  }
}

/**
 * Counts failures only (wrong sign-in tokens, join codes that find no class). A client that ran
 * out is refused before its next attempt is checked, until its window ends: otherwise a right
 * guess would still be told apart from a wrong one while the client is "limited". Successes cost
 * nothing, so a classroom behind one address can all sign in or join.
 */
export class FailureLimiter {
  readonly #failures: RateLimiterAbstract;
  readonly #max: number;

  constructor(
    limit: RateLimit,
    { storage = RateLimitStorage.memory(), name }: LimiterOptions = {},
  ) {
    this.#failures = storage.counter(name ?? 'failures', limit);
    this.#max = limit.max;
  }

  /** Whether the client may try now: refused once it has had more failures than allowed. */
  async check(client: string): Promise<RateDecision> {
    const counted = await this.#failures.get(client);
    if (counted === null || counted.consumedPoints <= this.#max) return { allowed: true };
    return { allowed: false, retryAfterSeconds: secondsUntil(counted.msBeforeNext) };
  }

  /** Counts a failure; the decision says whether this one was still within the limit. */
  async recordFailure(client: string): Promise<RateDecision> {
    try {
      await this.#failures.consume(client);
      return { allowed: true };
    } catch (refusal) {
      return refused(refusal);
    }
  }
}

/** A refusal from rate-limiter-flexible as a decision; anything else is a bug and is thrown. */
function refused(refusal: unknown): RateDecision {
  if (!(refusal instanceof RateLimiterRes)) throw refusal;
  return { allowed: false, retryAfterSeconds: secondsUntil(refusal.msBeforeNext) };
}

function secondsUntil(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/**
 * The bucket a client address counts against: an IPv4 address as it is, an IPv6 address by its
 * /64, the block one home or one cloud machine usually gets whole. Per full IPv6 address, one
 * machine could pick a fresh address for every request and never meet a limit.
 */
export function addressBucket(address: string): string {
  // The demo stores' fair share groups addresses the same way; one rule, kept there.
  return addressGroup(address) ?? address;
}
