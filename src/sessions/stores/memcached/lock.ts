/**
 * The Memcached store's fix for lost updates: a lock per session made of Memcached's own `add`,
 * which stores a key only if it does not exist yet, atomically on the server. Every process that
 * talks to the same Memcached waits for the same lock, so unlike an in-process mutex it holds
 * across instances. memjs does not expose Memcached's CAS (compare-and-set by version), which
 * would be the other fix: save only if the item is still the version this request loaded.
 *
 * The lock expires by itself after `lockTtlSeconds`, so a process that dies holding it blocks the
 * session for seconds, not forever; a request waits at most `maxWaitMs` for it.
 */
import { createHash, randomInt } from 'node:crypto';
import type { Client } from 'memjs';
import type { LockCounterFix } from '../../counter-fix';
import { StoreUnavailableError, type DemoContext } from '../../types';

/** Longer than one holder can take (200 ms of work plus a few commands within their deadlines). */
const lockTtlSeconds = 5;
/** 25 racing requests of 200 ms each take about 5 s in turn; past this a waiter gives up. */
const maxWaitMs = 9_000;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function memcachedAddLock(
  keyPrefix: string,
  sessionId: (ctx: DemoContext) => string | undefined,
  run: <T>(
    ctx: DemoContext,
    description: string,
    work: (memcached: Client) => Promise<T>,
  ) => Promise<T>,
): LockCounterFix {
  const lockKeyFor = (id: string) =>
    `${keyPrefix}lock:${createHash('sha256').update(id).digest('base64url').slice(0, 32)}`;
  return {
    kind: 'lock',
    how: 'a Memcached add-lock per session, shared by every process',
    scope: 'shared',
    // #region add-lock
    async withLock<T>(ctx: DemoContext, work: () => Promise<T>): Promise<T> {
      const id = sessionId(ctx);
      // No session yet: the request starts one of its own, which no other request shares.
      if (id === undefined) return work();
      const lockKey = lockKeyFor(id);
      const giveUpAt = Date.now() + maxWaitMs;
      while (
        !(await run(ctx, 'ADD (session lock)', (memcached) =>
          memcached.add(lockKey, '1', { expires: lockTtlSeconds }),
        ))
      ) {
        if (Date.now() > giveUpAt) {
          throw new StoreUnavailableError(
            `this session stayed locked by other requests for over ${maxWaitMs / 1000} s; try again`,
          );
        }
        // Jittered, so waiters do not all retry in the same millisecond.
        await pause(5 + randomInt(10));
      }
      try {
        return await work();
      } finally {
        await run(ctx, 'DELETE (session lock)', (memcached) => memcached.delete(lockKey));
      }
    },
    // #endregion add-lock
  };
}
