/**
 * Where every rate limiter keeps its counts. With REDIS_URL set, in Redis under
 * `session-lab:rate:<limiter>:<client>`, so every instance of the server counts against the same
 * allowance: with N processes behind a load balancer, a client still gets the limit once, not N
 * times. Without REDIS_URL, in this process's memory, as a single server needs.
 *
 * The counting is rate-limiter-flexible's ([RateLimiterRedis](https://github.com/animir/node-rate-limiter-flexible/wiki/Redis)):
 * one Lua script per request that increments the client's counter and sets its expiry, so two
 * instances taking at the same moment can never both get the last request of a window.
 *
 * If Redis stops answering, each limiter falls back to its insurance limiter
 * ([Insurance Strategy](https://github.com/animir/node-rate-limiter-flexible/wiki/Insurance-Strategy)):
 * the same limit counted in this process's memory. Requests are then neither refused because
 * Redis is down nor let through unlimited; each process enforces the limit on its own until
 * Redis is back (so a client spread over N processes may get up to N times the limit meanwhile).
 */
import {
  RateLimiterMemory,
  RateLimiterRedis,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import type { StoreSettings } from '../../sessions/registry';
import type { RedisSettings } from '../../sessions/stores/redis';
import { RedisLink, type RedisClient } from '../../sessions/stores/redis/connection';
import { redisIdentity } from '../../sessions/stores/redis/store';
import type { RateLimit } from './rate-limit';

/** Every limiter's keys start with this, apart from the sessions' `session-lab:session:`. */
export const rateLimitKeyPrefix = 'session-lab:rate:';

export interface RateLimitStorageOptions {
  /** How long one connection attempt may take before a request is counted in memory instead. */
  connectTimeoutMs?: number;
  /** How long one Redis command may take before a request is counted in memory instead. */
  commandTimeoutMs?: number;
  log?: (message: string) => void;
}

export class RateLimitStorage {
  readonly #link: RedisLink | null;

  private constructor(link: RedisLink | null) {
    this.#link = link;
  }

  /** Counts in this process's memory only: one server, or tests. */
  static memory(): RateLimitStorage {
    return new RateLimitStorage(null);
  }

  /** Counts in Redis at `url`, shared by every process pointed at it; `null` means memory. */
  static redis(url: string | null, options: RateLimitStorageOptions = {}): RateLimitStorage {
    if (url === null) return RateLimitStorage.memory();
    const link = new RedisLink({
      url,
      notConfigured: 'REDIS_URL is not set',
      connectTimeoutMs: options.connectTimeoutMs ?? 1000,
      commandTimeoutMs: options.commandTimeoutMs ?? 500,
      // The connection helper says when Redis stops and starts answering; say what that means here.
      log: (message) =>
        (options.log ?? console.warn)(
          /answering again/.test(message)
            ? `${message} Rate limits are shared again.`
            : `${message} Rate limits are counted per process until then.`,
        ),
    });
    return new RateLimitStorage(link);
  }

  /** Whether the counts are shared through Redis (true) or kept per process (false). */
  get shared(): boolean {
    return this.#link !== null;
  }

  /**
   * A limiter of `limit.max` per `limit.windowSeconds` (a fixed window starting at a client's
   * first request), named so its keys never mix with another limiter's.
   */
  counter(name: string, limit: RateLimit): RateLimiterAbstract {
    const options = { points: limit.max, duration: limit.windowSeconds };
    const memory = new RateLimiterMemory({ ...options, keyPrefix: rateLimitKeyPrefix + name });
    if (this.#link === null) return memory;
    return new RateLimiterRedis({
      ...options,
      // rate-limiter-flexible joins the prefix and the client with ":".
      keyPrefix: rateLimitKeyPrefix + name,
      storeClient: linkedClient(this.#link),
      useRedisPackage: true,
      insuranceLimiter: memory,
    });
  }

  async close(): Promise<void> {
    await this.#link?.close();
  }
}

/** Redis when the settings name one (REDIS_URL, as the Redis store read it), else memory. */
export function rateLimitStorageFor(storeSettings: StoreSettings): RateLimitStorage {
  const redis = storeSettings.get(redisIdentity.id) as RedisSettings | undefined;
  return RateLimitStorage.redis(redis?.url ?? null);
}

/**
 * The commands rate-limiter-flexible sends to a node-redis client (EVAL, DEL and a MULTI of GET,
 * SET, INCRBY and PTTL), each run through the shared Redis connection helper: every command has
 * a deadline, fails at once while Redis is known to be down, and an outage is logged once. Any
 * failure sends the request to the insurance limiter.
 */
function linkedClient(link: RedisLink) {
  return {
    eval: (script: string, options: { keys: string[]; arguments: string[] }) =>
      link.command((redis) => redis.eval(script, options)),
    del: (key: string) => link.command((redis) => redis.del(key)),
    multi: () => new RecordedMulti(link),
  };
}

type Multi = ReturnType<RedisClient['multi']>;

/** A MULTI built up front, then sent whole on `exec` when a connection is at hand. */
class RecordedMulti {
  readonly #link: RedisLink;
  readonly #steps: ((multi: Multi) => void)[] = [];

  constructor(link: RedisLink) {
    this.#link = link;
  }

  get(key: string): this {
    return this.#add((multi) => multi.get(key));
  }

  set(key: string, value: number | string, options?: { EX: number }): this {
    return this.#add((multi) => multi.set(key, String(value), options));
  }

  incrBy(key: string, by: number): this {
    return this.#add((multi) => multi.incrBy(key, by));
  }

  pTTL(key: string): this {
    return this.#add((multi) => multi.pTTL(key));
  }

  exec(asPipeline?: boolean): Promise<unknown[]> {
    return this.#link.command((redis) => {
      const multi = redis.multi();
      for (const step of this.#steps) step(multi);
      return multi.exec(asPipeline);
    });
  }

  #add(step: (multi: Multi) => void): this {
    this.#steps.push(step);
    return this;
  }
}
