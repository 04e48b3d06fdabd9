/**
 * A short-lived Redis connection for the instructor's store figures and reset. The Redis demo
 * store keeps its client to itself and offers no "list every session", so these open their own
 * connection to REDIS_URL, do a bounded SCAN, and close it again.
 */
import { createClient } from 'redis';
import { describeError, withDeadline } from '../sessions/stores/remote-service';
import { isWellFormedSessionId } from '../sessions/server-session-id';

/**
 * The Redis store's default key prefix (`createRedisStore`'s `keyPrefix`), which the site's
 * registry uses. Session keys are the prefix plus a session id; owner indexes are
 * `<prefix>owner:<learner>`. The reset test checks this against the real store.
 */
export const redisSessionKeyPrefix = 'session-lab:session:';

function createConnection(url: string, timeoutMs: number) {
  return createClient({
    url,
    socket: { connectTimeout: Math.min(timeoutMs, 2_000), reconnectStrategy: false },
    disableOfflineQueue: true,
    maintNotifications: 'disabled',
  });
}

export type RedisConnection = ReturnType<typeof createConnection>;

export class RedisUnreachableError extends Error {
  override name = 'RedisUnreachableError';
}

/** Connects, runs `work` within `timeoutMs`, and always closes the connection. */
export async function withRedis<T>(
  url: string,
  work: (redis: RedisConnection) => Promise<T>,
  timeoutMs = 5_000,
): Promise<T> {
  const redis = createConnection(url, timeoutMs);
  // Failures reach the awaited calls below; without a listener an 'error' event would crash.
  redis.on('error', () => {});
  try {
    await withDeadline(redis.connect(), timeoutMs, `no connection within ${timeoutMs} ms`);
    return await withDeadline(work(redis), timeoutMs, `no reply within ${timeoutMs} ms`);
  } catch (error) {
    throw new RedisUnreachableError(`Redis is not answering (${describeError(error)})`);
  } finally {
    redis.destroy();
  }
}

/** A SCAN MATCH pattern for keys that start with `prefix`, its glob characters escaped. */
export function prefixPattern(prefix: string): string {
  return `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
}

/** Whether a key under the prefix is a session (not an owner index or anything else). */
export function isSessionKey(key: string, prefix = redisSessionKeyPrefix): boolean {
  return key.startsWith(prefix) && isWellFormedSessionId(key.slice(prefix.length));
}
