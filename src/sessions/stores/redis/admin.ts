/**
 * The Redis store seen from the instructor's side. Redis can list its keys, so the store's
 * sessions are counted and emptied by a bounded SCAN over the store's key prefix, on the store's
 * own connection.
 */
import { isWellFormedSessionId } from '../../server-session-id';
import type { StoreAdmin, StoreCount } from '../../store-kind';
import type { RedisLink } from './connection';

/** One reset deletes at most this many keys; the report then says to reset again. */
export const maxKeysPerEmpty = 200_000;
/** Counting stops here; the figure is then marked as a lower bound. */
export const maxCountedKeys = 20_000;
/** A SCAN walk may take this long before it gives up, however many keys are left. */
const walkDeadlineMs = 60_000;

/** A SCAN MATCH pattern for keys that start with `prefix`, its glob characters escaped. */
export function prefixPattern(prefix: string): string {
  return `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
}

export function createRedisAdmin(link: RedisLink, keyPrefix: string): StoreAdmin {
  const isSessionKey = (key: string) =>
    key.startsWith(keyPrefix) && isWellFormedSessionId(key.slice(keyPrefix.length));
  const scan = { MATCH: prefixPattern(keyPrefix), COUNT: 500 };

  return {
    count: () =>
      link.command(async (redis): Promise<StoreCount> => {
        let sessions = 0;
        let bytes = 0;
        for await (const keys of redis.scanIterator(scan)) {
          const lengths = await Promise.all(
            keys.filter(isSessionKey).map((key) => redis.strLen(key)),
          );
          for (const length of lengths) {
            // A key that expired between SCAN and STRLEN reads as 0 bytes: no session any more.
            if (length > 0) {
              sessions++;
              bytes += length;
            }
          }
          if (sessions >= maxCountedKeys) {
            return { sessions, bytes, note: `Stopped counting after ${maxCountedKeys} keys.` };
          }
        }
        return { sessions, bytes, note: null };
      }, walkDeadlineMs),

    empty: () =>
      link.command(async (redis) => {
        let deleted = 0;
        for await (const keys of redis.scanIterator(scan)) {
          if (keys.length === 0) continue;
          // UNLINK frees memory in the background, so a large batch does not block Redis.
          deleted += await redis.unlink(keys);
          if (deleted >= maxKeysPerEmpty) {
            return {
              outcome: 'incomplete' as const,
              deleted,
              detail: `Deleted ${deleted} keys under ${keyPrefix}, the most one reset deletes; reset again.`,
            };
          }
        }
        return {
          outcome: 'emptied' as const,
          deleted,
          detail: `Deleted every key under ${keyPrefix} (sessions and owner indexes), found by SCAN.`,
        };
      }, walkDeadlineMs),
  };
}

/** What this store's "log out everywhere" count counts (shown beside the button). */
export const redisRevokeCounts =
  'Counts every session in your owner index (a sorted set every save updates in the same MULTI) that still existed: DEL returns how many keys it removed. Every session saved under your learner id is in the index, so the count is complete.';
