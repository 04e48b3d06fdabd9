/**
 * How a store keeps overlapping increments of one session from losing updates: the fixes the
 * concurrency lesson shows working live. A store offers those that fit it:
 *
 * - `atomic`: the store changes the counter itself in one operation (SQLite `UPDATE … json_set`,
 *   a Redis Lua script), so there is no load-then-save gap for another request to fall into;
 * - `lock`: requests on one session take turns from load to save (an in-process mutex per session
 *   for memory and files, a Memcached `add` lock shared by every process);
 * - `version`: optimistic concurrency, a save goes through only if the stored session is still the
 *   one this request loaded; otherwise the request loads again, redoes its change and retries.
 *
 * Cookie stores offer none: the browser keeps whichever `Set-Cookie` arrives last, and nothing the
 * server does can change which one that is.
 */
import type { DemoContext, SessionData } from './types';

export interface AtomicCounterFix {
  kind: 'atomic';
  /** What the store runs, for the panel and the lesson ("one UPDATE … json_set"). */
  how: string;
  /**
   * Adds one to `key` in the stored session, in one operation, and returns the session as it now
   * is; null when the store holds no live session for this request (nothing was written).
   */
  increment(ctx: DemoContext, key: string): Promise<SessionData | null>;
}

export interface LockCounterFix {
  kind: 'lock';
  how: string;
  /** `process`: only requests served by this process wait for each other. */
  scope: 'process' | 'shared';
  /** Runs `work` (load, change, save) while no other request of this session runs its own. */
  withLock<T>(ctx: DemoContext, work: () => Promise<T>): Promise<T>;
}

export interface VersionCounterFix {
  kind: 'version';
  how: string;
  /**
   * Saves `next` only if the store still holds `loaded` for this request's session; false when
   * another save came first (or the session is gone), and then nothing was written.
   */
  saveIfUnchanged(ctx: DemoContext, loaded: SessionData, next: SessionData): Promise<boolean>;
}

export type CounterFix = AtomicCounterFix | LockCounterFix | VersionCounterFix;
export type CounterFixKind = CounterFix['kind'];
