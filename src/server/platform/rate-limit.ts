import { addressGroup } from '../../sessions/fair-share';

/**
 * Per-client token buckets: each client may make `max` requests per `windowSeconds`, in bursts up
 * to `max`. Memory is bounded: past `maxClients` the least recently seen client is forgotten
 * (which can only make the limiter more lenient for that client, never block anyone wrongly).
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

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export class RateLimiter {
  readonly #buckets = new Map<string, Bucket>();
  readonly #limit: RateLimit;
  readonly #maxClients: number;

  constructor(limit: RateLimit, maxClients = 10_000) {
    this.#limit = limit;
    this.#maxClients = maxClients;
  }

  take(client: string, now = Date.now()): RateDecision {
    const refillPerMs = this.#limit.max / (this.#limit.windowSeconds * 1000);
    const bucket = this.#buckets.get(client) ?? { tokens: this.#limit.max, updatedAt: now };
    bucket.tokens = Math.min(
      this.#limit.max,
      bucket.tokens + (now - bucket.updatedAt) * refillPerMs,
    );
    bucket.updatedAt = now;
    // Re-insert so iteration order is least-recently-seen first.
    this.#buckets.delete(client);
    this.#buckets.set(client, bucket);
    if (this.#buckets.size > this.#maxClients) {
      const oldest = this.#buckets.keys().next().value;
      if (oldest !== undefined) this.#buckets.delete(oldest);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return {
      allowed: false,
      retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / refillPerMs / 1000)),
    };
  }
}

/**
 * Counts failures only (wrong sign-in tokens, join codes that find no class), as a token bucket.
 * A client that ran out is refused before its next attempt is checked, until a token is back:
 * otherwise a right guess would still be told apart from a wrong one while the client is
 * "limited". Successes cost nothing, so a classroom behind one address can all sign in or join.
 */
export class FailureLimiter {
  readonly #failures: RateLimiter;
  readonly #blockedUntil = new Map<string, number>();
  readonly #maxClients: number;

  constructor(limit: RateLimit, maxClients = 10_000) {
    this.#failures = new RateLimiter(limit, maxClients);
    this.#maxClients = maxClients;
  }

  /** Whether the client may try now. */
  check(client: string, now = Date.now()): RateDecision {
    const until = this.#blockedUntil.get(client);
    if (until === undefined) return { allowed: true };
    if (until <= now) {
      this.#blockedUntil.delete(client);
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((until - now) / 1000)) };
  }

  /** Counts a failure; the decision says whether this one was still within the limit. */
  recordFailure(client: string, now = Date.now()): RateDecision {
    const decision = this.#failures.take(client, now);
    if (!decision.allowed) {
      this.#blockedUntil.delete(client);
      this.#blockedUntil.set(client, now + decision.retryAfterSeconds * 1000);
      this.#prune(now);
    }
    return decision;
  }

  #prune(now: number): void {
    if (this.#blockedUntil.size <= this.#maxClients) return;
    for (const [client, until] of this.#blockedUntil) {
      if (until <= now || this.#blockedUntil.size > this.#maxClients) {
        this.#blockedUntil.delete(client);
      }
    }
  }
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
