/**
 * Server-side sessions in Redis, as Flask-Session's Redis backend keeps them: the cookie carries
 * only a random id, the data is one JSON string under a prefixed key, and every write is
 * `SET key value EX ttl`, so no session can outlive its TTL.
 *
 * Redis is optional for the site: the client connects on first use, reconnects by itself with a
 * bounded backoff, and every command races a deadline. While Redis is down or not configured,
 * `load` answers `unavailable` at once with a message saying how to fix it, and writes throw
 * `StoreUnavailableError`; no other store notices.
 *
 * Concurrency: overlapping requests on one session each GET the whole value, change it and SET it
 * back; the last SET wins and the others' updates are lost (20 concurrent increments from 0 end
 * at 1 in the integration test). A save racing a destroy can also bring the session back. Redis
 * could prevent both (WATCH/MULTI, or one hash field per value); session libraries do not by
 * default, and the lesson shows why that matters. The race demo's fix (`./increment.ts`) changes
 * the counter in one Lua script instead.
 *
 * Owners: a save that names an owner (`ctx.owner`) also records the session id in that owner's
 * index, `<prefix>owner:<owner>`, in the same MULTI. The index is a sorted set scored by save time
 * (a plain set could not tell which ids are oldest), trimmed to the newest
 * `maxIndexedSessionsPerOwner`, and every such save renews its TTL to the session TTL, so it lives
 * exactly as long as the owner's most recently saved session. Redis is shared by every instance,
 * so `revokeAll` reaches every device's session. An id stays in an index until it is revoked,
 * destroyed with the same owner, trimmed, or the index expires; counting checks which ids still
 * exist, so a session Redis already expired is never counted.
 *
 * Fair share (see `../../fair-share.ts`): a new session also joins an index of its address,
 * `<prefix>visitor:<hashed address>`, and is written by one Lua script (`./fair-share.ts`)
 * that first evicts the learner's and the address's oldest live sessions past their shares
 * (`maxSessionsPerOwner`, `maxSessionsPerVisitor`), atomically. The next load of an evicted id
 * finds a short record under `<prefix>evicted:<SHA-1 of the id>` and answers `evicted`. Redis has
 * no cap of its own here: its memory limit and `maxmemory-policy` decide what happens when it is
 * full (the lesson covers them).
 */
import type { RunningStore } from '../../store-kind';
import { createRedisAdmin, redisRevokeCounts } from './admin';
import { redisAtomicIncrement } from './increment';
import { RedisLink, type RedisClient } from './connection';
import type { CookieJar } from '../../cookie-jar';
import { positiveInteger } from '../common/store-options';
import { assertSessionFits, defaultMaxSessionBytes } from '../../limits';
import { maxIndexedSessionsPerOwner, sessionOwner } from '../../session-owner';
import { decodeShareEviction, evictionReason, fairShare, sessionVisitor } from '../../fair-share';
import { evictedKeyFor, saveWithinShares, type FairSave } from './fair-share';
import {
  clearSessionId,
  isWellFormedSessionId,
  newSessionId,
  readSessionId,
  shortenId,
  writeSessionId,
  type SessionIdCookie,
} from '../../server-session-id';
import { StoreUnavailableError } from '../../types';
import type { DemoContext, Loaded, ServerView, SessionData, StoreInfo } from '../../types';

/** Who this store is in the catalog: its id, its title, and where it keeps a session. */
export const redisIdentity = { id: 'redis', title: 'Redis', where: 'server' } as const;

export interface RedisStoreOptions {
  /** REDIS_URL, `redis://host:port`; `null` when not configured. */
  url: string | null;
  /** Send the id cookie with `Secure`. */
  secure: boolean;
  /** Set on every write; 24 hours unless set. */
  ttlSeconds?: number;
  /** Largest session accepted, in bytes of JSON; 64 KiB unless set. */
  maxSessionBytes?: number;
  /** Live sessions one learner keeps before their oldest is evicted. 20 unless set. */
  maxSessionsPerOwner?: number;
  /** Live sessions one address keeps before its oldest is evicted. 100 unless set. */
  maxSessionsPerVisitor?: number;
  keyPrefix?: string;
  /** How long one connection attempt may take; 1000 ms unless set. */
  connectTimeoutMs?: number;
  /** How long one command may take before the request gives up on it; 500 ms unless set. */
  commandTimeoutMs?: number;
  cookieName?: string;
  cookiePath?: string;
  /** Where outage and recovery notices go, once per outage; `console.warn` unless set. */
  log?: (message: string) => void;
}

const defaultTtlSeconds = 24 * 60 * 60;
/** Session keys are this plus an id; owner and address indexes sit under it too. */
export const defaultRedisKeyPrefix = 'session-lab:session:';

export const redisNotConfiguredMessage =
  'Redis is not configured: set REDIS_URL=redis://127.0.0.1:6379 and start redis-server ' +
  '(npm run services starts one locally)';

export function createRedisStore(options: RedisStoreOptions): RunningStore {
  const ttlSeconds = options.ttlSeconds ?? defaultTtlSeconds;
  const maxSessionBytes = options.maxSessionBytes ?? defaultMaxSessionBytes;
  const keyPrefix = options.keyPrefix ?? defaultRedisKeyPrefix;
  const connectTimeoutMs = options.connectTimeoutMs ?? 1000;
  const commandTimeoutMs = options.commandTimeoutMs ?? 500;
  positiveInteger('redis', 'ttlSeconds', ttlSeconds);
  positiveInteger('redis', 'maxSessionBytes', maxSessionBytes);
  positiveInteger('redis', 'connectTimeoutMs', connectTimeoutMs);
  positiveInteger('redis', 'commandTimeoutMs', commandTimeoutMs);
  const share = fairShare('redis', options);

  const cookie: SessionIdCookie = {
    name: options.cookieName ?? 'redis_sid',
    path: options.cookiePath ?? '/api/demo/redis',
    secure: options.secure,
    maxAgeSeconds: ttlSeconds,
  };

  const title = redisIdentity.title;
  const info: StoreInfo = {
    id: 'redis',
    title,
    where: 'server',
    summary:
      'The cookie holds only a random id; the data lives in Redis, shared by every server ' +
      'instance and revocable by deleting the key, at the cost of a network hop per request and ' +
      'a service to run. Sessions are lost if Redis restarts without persistence (RDB or AOF).',
    facts: {
      sharedAcrossInstances: true,
      survivesRestart: true,
      revocable: true,
      readableByClient: false,
      tamperEvident: true,
      sizeLimit: { bytes: maxSessionBytes, counts: 'bytes of session JSON stored in Redis' },
    },
    revokeCounts: redisRevokeCounts,
  };

  /** Ids this request may write under: one `load` found in Redis, or one `save` issued. */
  const trusted = new WeakMap<CookieJar, string>();

  const link = new RedisLink({
    url: options.url,
    notConfigured: redisNotConfiguredMessage,
    connectTimeoutMs,
    commandTimeoutMs,
    log: options.log ?? ((message: string) => console.warn(message)),
  });
  const connected = () => link.connected();

  /** Runs Redis commands with a hard deadline, timed as a `store` part of Server-Timing. */
  function run<T>(
    ctx: DemoContext,
    description: string,
    work: (redis: RedisClient) => Promise<T>,
  ): Promise<T> {
    return ctx.timer.measure('store', `Redis ${description}`, () => link.command(work));
  }

  const keyFor = (id: string) => keyPrefix + id;
  // ':' is not in the id alphabet, so an owner index can never collide with a session key.
  const ownerKeyFor = (owner: string) => `${keyPrefix}owner:${owner}`;
  const visitorKeyFor = (visitor: string) => `${keyPrefix}visitor:${visitor}`;

  /** The session keys an owner's index lists (only well-formed ids: the index is data too). */
  const indexedKeys = (ids: readonly string[]) => ids.filter(isWellFormedSessionId).map(keyFor);

  function startOver(ctx: DemoContext, reason: string, status: 'new' | 'evicted' = 'new'): Loaded {
    // Drop the id the browser sent, so the next save issues a fresh one (no fixation).
    clearSessionId(ctx.cookies, cookie, ctx.secure);
    trusted.delete(ctx.cookies);
    return { status, reason, data: {} };
  }

  return {
    info,
    notConfigured: options.url === null ? redisNotConfiguredMessage : null,
    admin: createRedisAdmin(link, keyPrefix),
    counterFixes: [
      redisAtomicIncrement((ctx) => {
        const id = trusted.get(ctx.cookies);
        return id === undefined ? undefined : keyFor(id);
      }, run),
    ],

    async load(ctx: DemoContext): Promise<Loaded> {
      try {
        const sent = ctx.cookies.get(cookie.name);
        const id = readSessionId(ctx.cookies, cookie);
        if (id === undefined) {
          // Asks the client, not Redis: a down server is reported even to a first visit.
          await connected();
          if (!sent) return { status: 'new', data: {} };
          return startOver(ctx, 'The session id cookie was malformed; a new session starts.');
        }
        const stored = await run(ctx, 'GET', (redis) => redis.get(keyFor(id)));
        if (stored === null) {
          const evicted = decodeShareEviction(
            await run(ctx, 'GET (eviction record)', (redis) =>
              redis.get(evictedKeyFor(keyPrefix, id)),
            ),
          );
          if (evicted) {
            return startOver(ctx, evictionReason(evicted, 'the Redis demo store'), 'evicted');
          }
          return startOver(
            ctx,
            'Redis holds no session under this id (it expired, was destroyed, or was never ' +
              'issued here); a new session starts with a fresh id.',
          );
        }
        const data = parseSession(stored);
        if (data === null) {
          return startOver(
            ctx,
            'The value stored under this id is not a session; a new one starts.',
          );
        }
        trusted.set(ctx.cookies, id);
        return { status: 'ok', data };
      } catch (error) {
        if (error instanceof StoreUnavailableError) {
          return { status: 'unavailable', reason: error.message, data: {} };
        }
        throw error;
      }
    },

    // #region save
    async save(ctx: DemoContext, data: SessionData): Promise<void> {
      const serialized = JSON.stringify(data);
      assertSessionFits(title, serialized, maxSessionBytes);
      const known = trusted.get(ctx.cookies);
      const id = known ?? newSessionId();
      const owner = sessionOwner(ctx);
      const visitor = sessionVisitor(ctx);
      const expiration = { type: 'EX', value: ttlSeconds } as const;
      // A new session counts against its learner's and its address's shares.
      const groups: FairSave['groups'] = [];
      if (owner !== null) {
        groups.push({ indexKey: ownerKeyFor(owner), share: share.perOwner, cause: 'owner-share' });
      }
      if (visitor !== null) {
        groups.push({
          indexKey: visitorKeyFor(visitor),
          share: share.perVisitor,
          cause: 'visitor-share',
        });
      }
      if (known === undefined && groups.length > 0) {
        await run(ctx, 'EVALSHA (new session within its shares)', (redis) =>
          saveWithinShares(redis, {
            id,
            value: serialized,
            ttlSeconds,
            now: ctx.now(),
            keyPrefix,
            groups,
          }),
        );
      } else if (owner === null) {
        await run(ctx, 'SET', (redis) => redis.set(keyFor(id), serialized, { expiration }));
      } else {
        const ownerKey = ownerKeyFor(owner);
        await run(ctx, 'MULTI SET + ZADD (owner index)', (redis) =>
          redis
            .multi()
            .set(keyFor(id), serialized, { expiration })
            .zAdd(ownerKey, { score: ctx.now(), value: id })
            .zRemRangeByRank(ownerKey, 0, -(maxIndexedSessionsPerOwner + 1))
            .expire(ownerKey, ttlSeconds)
            .exec(),
        );
      }
      trusted.set(ctx.cookies, id);
      writeSessionId(ctx.cookies, cookie, id, ctx.now(), ctx.secure);
    },
    // #endregion save

    async destroy(ctx: DemoContext): Promise<void> {
      const id = trusted.get(ctx.cookies) ?? readSessionId(ctx.cookies, cookie);
      const owner = sessionOwner(ctx);
      if (id !== undefined && owner !== null) {
        await run(ctx, 'MULTI DEL + ZREM (owner index)', (redis) =>
          redis.multi().del(keyFor(id)).zRem(ownerKeyFor(owner), id).exec(),
        );
      } else if (id !== undefined) await run(ctx, 'DEL', (redis) => redis.del(keyFor(id)));
      else await connected();
      trusted.delete(ctx.cookies);
      clearSessionId(ctx.cookies, cookie, ctx.secure);
    },

    async peek(ctx: DemoContext): Promise<ServerView | null> {
      const id = trusted.get(ctx.cookies) ?? readSessionId(ctx.cookies, cookie);
      if (id === undefined) return null;
      const key = keyFor(id);
      const [bytes, pttl] = await run(ctx, 'STRLEN + PTTL', (redis) =>
        Promise.all([redis.strLen(key), redis.pTTL(key)]),
      );
      // PTTL: -2 no such key, -1 no expiry (never written by this store).
      if (pttl === -2) return null;
      const owner = sessionOwner(ctx);
      const ownerSessions =
        owner === null
          ? undefined
          : await run(ctx, 'ZRANGE + EXISTS (owner index)', async (redis) => {
              const keys = indexedKeys(await redis.zRange(ownerKeyFor(owner), 0, -1));
              return keys.length === 0 ? 0 : redis.exists(keys);
            });
      return {
        key: keyPrefix + shortenId(id),
        bytes,
        expiresAt: pttl >= 0 ? ctx.now() + pttl : null,
        location: `Redis at ${link.address}`,
        ...(ownerSessions !== undefined && { ownerSessions }),
      };
    },

    async revokeAll(ctx: DemoContext): Promise<number> {
      const owner = sessionOwner(ctx);
      if (owner === null) return 0;
      const ownerKey = ownerKeyFor(owner);
      const revoked = await run(ctx, 'MULTI ZRANGE + DEL, then DEL', async (redis) => {
        // The index is read and deleted in one MULTI: a session saved meanwhile starts a fresh
        // index instead of vanishing from this one unrevoked.
        const [ids] = await redis.multi().zRange(ownerKey, 0, -1).del(ownerKey).execTyped();
        const keys = indexedKeys(ids);
        // DEL counts only the keys that existed: an id whose session expired is not counted.
        return { ids, count: keys.length === 0 ? 0 : await redis.del(keys) };
      });
      // A save later in this request must not bring the revoked session back under its old id.
      const current = trusted.get(ctx.cookies);
      if (current !== undefined && revoked.ids.includes(current)) trusted.delete(ctx.cookies);
      return revoked.count;
    },

    ping: () => link.ping(),

    close: () => link.close(),
  };
}

function parseSession(stored: string): SessionData | null {
  try {
    const value: unknown = JSON.parse(stored);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      return value as SessionData;
    }
  } catch {
    // fall through: not JSON
  }
  return null;
}
