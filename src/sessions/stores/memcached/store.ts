/** The Memcached store's load, save and revocation; the kind's overview is in ./index.ts. */
import { Client } from 'memjs';
import type { CookieJar } from '../../cookie-jar';
import type { RunningStore } from '../../store-kind';
import { wholeNumberBetween } from '../common/store-options';
import { createMemcachedAdmin, memcachedRevokeCounts } from './admin';
import { memcachedAddLock } from './lock';
import { MemcachedLink, memcachedNotConfiguredMessage } from './connection';
import {
  currentGeneration,
  freshGeneration,
  joinList,
  listedIds,
  memcachedKeys,
  parseStored,
  signedOut,
  type StoredSession,
} from './items';
import { assertSessionFits, defaultMaxSessionBytes } from '../../limits';
import { sessionOwner } from '../../session-owner';
import { decodeShareEviction, evictionReason, fairShare, sessionVisitor } from '../../fair-share';
import {
  clearSessionId,
  newSessionId,
  readSessionId,
  shortenId,
  writeSessionId,
  type SessionIdCookie,
} from '../../server-session-id';
import { StoreUnavailableError, type DemoContext, type Loaded } from '../../types';
import type { ServerView, SessionData, SessionStore, StoreInfo } from '../../types';

/** Who this store is in the catalog: its id, its title, and where it keeps a session. */
export const memcachedIdentity = { id: 'memcached', title: 'Memcached', where: 'server' } as const;

export interface MemcachedStoreOptions {
  /** MEMCACHED_SERVERS as `host:port` entries; empty when not configured. */
  servers: readonly string[];
  /** Send the id cookie with `Secure`. */
  secure: boolean;
  /** Set on every write; 24 hours unless set, at most 30 days. */
  ttlSeconds?: number;
  /** Largest session accepted, in bytes of JSON; 64 KiB unless set, below 1 MB. */
  maxSessionBytes?: number;
  /** Live sessions one learner keeps before their oldest is evicted. 20 unless set. */
  maxSessionsPerOwner?: number;
  /** Live sessions one address keeps before its oldest is evicted. 100 unless set. */
  maxSessionsPerVisitor?: number;
  keyPrefix?: string;
  /** How long one command may take, connecting included; 500 ms unless set. */
  timeoutMs?: number;
  cookieName?: string;
  cookiePath?: string;
  /** Where outage and recovery notices go, once per outage; `console.warn` unless set. */
  log?: (message: string) => void;
}

const defaultTtlSeconds = 24 * 60 * 60;
/** Memcached reads a larger expiry as an absolute Unix time. */
const maxRelativeTtlSeconds = 30 * 24 * 60 * 60;
/** memcached's default item size limit is 1 MiB, key and item header included. */
const maxItemDataBytes = 1_000_000;
/** Memcached keys are at most 250 bytes; an id takes 43 of them. */
const maxKeyPrefixBytes = 200;
const defaultKeyPrefix = 'session-lab:session:';

/** What a request may write under: the id `load` found or `save` issued, and its stamp. */
interface Trusted {
  id: string;
  owner: string | null;
  gen: number | null;
}

export function createMemcachedStore(options: MemcachedStoreOptions): RunningStore {
  const ttlSeconds = options.ttlSeconds ?? defaultTtlSeconds;
  const maxSessionBytes = options.maxSessionBytes ?? defaultMaxSessionBytes;
  const keyPrefix = options.keyPrefix ?? defaultKeyPrefix;
  const timeoutMs = options.timeoutMs ?? 500;
  wholeNumberBetween('memcached', 'ttlSeconds', ttlSeconds, 1, maxRelativeTtlSeconds);
  wholeNumberBetween('memcached', 'maxSessionBytes', maxSessionBytes, 1, maxItemDataBytes);
  wholeNumberBetween('memcached', 'timeoutMs', timeoutMs, 1, 60_000);
  const share = fairShare('memcached', options);
  if (Buffer.byteLength(keyPrefix) > maxKeyPrefixBytes || /[\s\p{Cc}]/u.test(keyPrefix)) {
    throw new Error(
      `the memcached store needs a keyPrefix of at most ${maxKeyPrefixBytes} bytes without spaces`,
    );
  }
  const servers = options.servers.map((server) => server.trim());
  if (servers.some((server) => !/^[^\s,@]+:\d{1,5}$/.test(server))) {
    throw new Error(`the memcached store needs host:port servers, got ${servers.join(', ')}`);
  }
  const where = servers.join(', ');
  const cookie: SessionIdCookie = {
    name: options.cookieName ?? 'memcached_sid',
    path: options.cookiePath ?? '/api/demo/memcached',
    secure: options.secure,
    maxAgeSeconds: ttlSeconds,
  };

  const title = memcachedIdentity.title;
  const info: StoreInfo = {
    id: 'memcached',
    title,
    where: 'server',
    summary:
      'The cookie holds only a random id; the data lives in Memcached, shared by every server ' +
      'instance and revocable, but it is a cache: it may evict sessions before they expire when ' +
      'memory runs short, and loses them all when it restarts.',
    facts: {
      sharedAcrossInstances: true,
      survivesRestart: true,
      revocable: true,
      readableByClient: false,
      tamperEvident: true,
      sizeLimit: { bytes: maxSessionBytes, counts: 'bytes of session JSON stored in Memcached' },
    },
    revokeCounts: memcachedRevokeCounts,
  };

  /** Ids this request may write under: one `load` found in Memcached, or one `save` issued. */
  const trusted = new WeakMap<CookieJar, Trusted>();
  /** Generations and id lists outlive the sessions they cover by a margin, within 30 days. */
  const ownerTtlSeconds = Math.min(ttlSeconds + 60, maxRelativeTtlSeconds);

  const link = new MemcachedLink({
    servers,
    timeoutMs,
    ttlSeconds,
    log: options.log ?? ((message: string) => console.warn(message)),
  });

  /** Runs one memjs command with a hard deadline, timed as a `store` part of Server-Timing. */
  function run<T>(
    ctx: DemoContext | null,
    description: string,
    work: (memcached: Client) => Promise<T>,
  ): Promise<T> {
    return ctx
      ? ctx.timer.measure('store', `Memcached ${description}`, () => link.command(work))
      : link.command(work);
  }

  /** The owner's current generation, or null when Memcached holds none (never made, or lost). */
  async function generationOf(ctx: DemoContext, owner: string): Promise<number | null> {
    const { value } = await run(ctx, 'GET (owner generation)', (memcached) =>
      memcached.get(generationKeyFor(owner)),
    );
    const generation = value === null ? NaN : Number(value.toString('utf8'));
    return Number.isSafeInteger(generation) ? generation : null;
  }

  const keys = memcachedKeys(keyPrefix);
  const { keyFor, generationKeyFor, idListKeyFor, visitorListKeyFor, evictedKeyFor } = keys;

  async function read(
    ctx: DemoContext,
    id: string,
  ): Promise<{ raw: Buffer; stored: StoredSession | null } | null> {
    const { value } = await run(ctx, 'GET', (memcached) => memcached.get(keyFor(id)));
    if (value === null) return null;
    return { raw: value, stored: parseStored(value.toString('utf8')) };
  }

  function startOver(
    ctx: DemoContext,
    status: 'new' | 'expired' | 'evicted',
    reason: string,
  ): Loaded {
    // Drop the id the browser sent, so the next save issues a fresh one (no fixation).
    clearSessionId(ctx.cookies, cookie, ctx.secure);
    trusted.delete(ctx.cookies);
    return { status, reason, data: {} };
  }

  const store: SessionStore = {
    info,
    counterFixes: [memcachedAddLock(keyPrefix, (ctx) => readSessionId(ctx.cookies, cookie), run)],
    notConfigured: servers.length === 0 ? memcachedNotConfiguredMessage : null,

    async load(ctx: DemoContext): Promise<Loaded> {
      try {
        const sent = ctx.cookies.get(cookie.name);
        const id = readSessionId(ctx.cookies, cookie);
        if (id === undefined) {
          link.assertConfigured();
          // A first visit costs no round trip, unless the server was down last time: then ask.
          if (link.outage) await run(ctx, 'GET', (memcached) => memcached.get(keyPrefix));
          if (!sent) return { status: 'new', data: {} };
          return startOver(
            ctx,
            'new',
            'The session id cookie was malformed; a new session starts.',
          );
        }
        const owner = sessionOwner(ctx);
        // The request's owner is most likely the session's: ask for both at once.
        const [found, ownerGeneration] = await Promise.all([
          read(ctx, id),
          owner === null ? null : generationOf(ctx, owner),
        ]);
        if (found === null) {
          const record = await run(ctx, 'GET (eviction record)', (memcached) =>
            memcached.get(evictedKeyFor(id)),
          );
          const evicted = decodeShareEviction(record.value?.toString('utf8'));
          if (evicted) {
            return startOver(ctx, 'evicted', evictionReason(evicted, 'the Memcached demo store'));
          }
          return startOver(
            ctx,
            'new',
            'Memcached holds no session under this id (it expired, was evicted or destroyed, or ' +
              'was never issued here); a new session starts with a fresh id.',
          );
        }
        if (found.stored === null) {
          return startOver(
            ctx,
            'new',
            'The value stored under this id is not a session; a new one starts.',
          );
        }
        if (found.stored.expiresAt <= ctx.now()) {
          await run(ctx, 'DELETE', (memcached) => memcached.delete(keyFor(id)));
          return startOver(ctx, 'expired', 'The session’s lifetime is over; a new session starts.');
        }
        const stored = found.stored;
        if (stored.owner !== undefined) {
          const current =
            stored.owner === owner ? ownerGeneration : await generationOf(ctx, stored.owner);
          if (signedOut(stored, current)) {
            await run(ctx, 'DELETE', (memcached) => memcached.delete(keyFor(id)));
            return startOver(
              ctx,
              'new',
              current === null
                ? 'Signed out everywhere, to be safe: Memcached no longer holds the sign-out ' +
                    'generation this session was stamped with (evicted, or Memcached restarted), ' +
                    'so it cannot tell whether a sign-out happened; a new session starts.'
                : 'Signed out everywhere: this learner signed out every session after this one was ' +
                    'last saved, so its generation is out of date; a new session starts.',
            );
          }
        }
        trusted.set(ctx.cookies, { id, owner: stored.owner ?? null, gen: stored.gen ?? null });
        return { status: 'ok', data: stored.data };
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
      const expiresAt = ctx.now() + ttlSeconds * 1000;
      const known = trusted.get(ctx.cookies);
      const id = known?.id ?? newSessionId();
      // A request without an owner leaves the session's owner as it was.
      const owner = sessionOwner(ctx) ?? known?.owner ?? null;
      if (owner === null) {
        const item = `{"expiresAt":${expiresAt},"data":${serialized}}`;
        await run(ctx, 'SET', (memcached) =>
          memcached.set(keyFor(id), item, { expires: ttlSeconds }),
        );
        trusted.set(ctx.cookies, { id, owner: null, gen: null });
      } else {
        // A loaded session keeps the generation it was loaded under, so a sign-out that lands
        // between this request's load and save still refuses it; a new one gets the current one.
        const stamped = known?.owner === owner ? known.gen : null;
        const gen = await run(
          ctx,
          stamped === null ? 'INCR 0 + GET + SET ×2 (owner)' : 'SET + TOUCH ×2 (owner)',
          async (memcached) => {
            const generation =
              stamped ?? (await currentGeneration(memcached, keys, owner, ownerTtlSeconds));
            const item =
              `{"expiresAt":${expiresAt},"owner":${JSON.stringify(owner)},` +
              `"gen":${generation},"data":${serialized}}`;
            await Promise.all([
              memcached.set(keyFor(id), item, { expires: ttlSeconds }),
              // The generation must outlive every session stamped with it.
              memcached.touch(generationKeyFor(owner), ownerTtlSeconds),
              stamped === null
                ? joinList(
                    memcached,
                    keys,
                    ownerTtlSeconds,
                    { key: idListKeyFor(owner), share: share.perOwner, cause: 'owner-share' },
                    id,
                    ctx.now(),
                  )
                : memcached.touch(idListKeyFor(owner), ownerTtlSeconds),
            ]);
            return generation;
          },
        );
        trusted.set(ctx.cookies, { id, owner, gen });
      }
      // A new session counts against its address's share.
      const visitor = known === undefined ? sessionVisitor(ctx) : null;
      if (visitor !== null) {
        const list = {
          key: visitorListKeyFor(visitor),
          share: share.perVisitor,
          cause: 'visitor-share',
        } as const;
        await run(ctx, 'GET + SET (address list)', (memcached) =>
          joinList(memcached, keys, ownerTtlSeconds, list, id, ctx.now()),
        );
      }
      writeSessionId(ctx.cookies, cookie, id, ctx.now(), ctx.secure);
    },
    // #endregion save

    async destroy(ctx: DemoContext): Promise<void> {
      const id = trusted.get(ctx.cookies)?.id ?? readSessionId(ctx.cookies, cookie);
      if (id !== undefined) await run(ctx, 'DELETE', (memcached) => memcached.delete(keyFor(id)));
      else link.assertConfigured();
      trusted.delete(ctx.cookies);
      clearSessionId(ctx.cookies, cookie, ctx.secure);
    },

    async peek(ctx: DemoContext): Promise<ServerView | null> {
      const id = trusted.get(ctx.cookies)?.id ?? readSessionId(ctx.cookies, cookie);
      if (id === undefined) return null;
      const found = await read(ctx, id);
      if (found === null) return null;
      // Signed out, the item is only waiting for its next load (or expiry) to be deleted.
      const owner = found.stored?.owner;
      if (owner !== undefined && signedOut(found.stored!, await generationOf(ctx, owner))) {
        return null;
      }
      // No `ownerSessions`: Memcached cannot count them (see the header comment).
      return {
        key: keyPrefix + shortenId(id),
        bytes: found.raw.byteLength,
        expiresAt: found.stored?.expiresAt ?? null,
        location: `Memcached at ${where}`,
      };
    },

    async revokeAll(ctx: DemoContext): Promise<number> {
      const owner = sessionOwner(ctx);
      if (owner === null) return 0;
      const [generation, ids] = await run(ctx, 'INCR + GET (owner)', (memcached) =>
        Promise.all([
          memcached.increment(generationKeyFor(owner), 1, {
            initial: freshGeneration(),
            expires: ownerTtlSeconds,
          }),
          listedIds(memcached, idListKeyFor(owner)),
        ]),
      );
      // Every session stamped before this point is refused from now on. What follows only
      // counts them and frees their memory now instead of at their next load or expiry.
      const current = trusted.get(ctx.cookies);
      if (current?.owner === owner) trusted.delete(ctx.cookies);
      if (ids.length === 0) return 0;
      const items = await run(ctx, `GET ×${ids.length} (listed sessions)`, (memcached) =>
        Promise.all(ids.map((id) => memcached.get(keyFor(id)))),
      );
      const now = ctx.now();
      const revoked = ids.filter((_, index) => {
        const value = items[index]?.value;
        const stored = value ? parseStored(value.toString('utf8')) : null;
        // Only this owner's sessions from before the increment: a session the list still names
        // may have started since, or changed hands.
        return (
          stored !== null &&
          stored.owner === owner &&
          stored.gen !== generation.value &&
          stored.expiresAt > now
        );
      });
      await run(ctx, `DELETE ×${revoked.length + 1}`, (memcached) =>
        Promise.all([
          memcached.delete(idListKeyFor(owner)),
          ...revoked.map((id) => memcached.delete(keyFor(id))),
        ]),
      );
      return revoked.length;
    },

    async ping(): Promise<void> {
      await run(null, 'GET', (memcached) => memcached.get(keyPrefix));
    },

    close: async () => link.close(),
  };
  return { ...store, admin: createMemcachedAdmin(store, ttlSeconds) };
}
