/**
 * Per-client token buckets: each client may make `max` requests per `windowSeconds`, in bursts up
 * to `max`. Memory is bounded: past `maxClients` the least recently seen client is forgotten
 * (which can only make the limiter more lenient for that client, never block anyone wrongly).
 */
export interface RateLimit {
  max: number;
  windowSeconds: number;
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
