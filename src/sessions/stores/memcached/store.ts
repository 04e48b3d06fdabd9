/**
 * Server-side sessions in Memcached (memjs, binary protocol): the cookie carries only a random id;
 * the item under a prefixed key is `{ expiresAt, data }` as JSON, written with a TTL on every
 * save. Memcached cannot report an item's remaining TTL to this client, so `expiresAt` is stored
 * alongside the data for the panel and checked on load against the request's clock.
 *
 * Memcached is a cache, not a database: it may evict a session before its TTL when memory runs
 * short (LRU), everything is lost when it restarts, an item may be at most 1 MiB by default
 * (`-I`), and an expiry over 30 days is read as a Unix timestamp, so TTLs here stay below that.
 *
 * memjs connects lazily per server and reconnects on the next command after a failure. Retries
 * and failover are off and every command races a deadline, so a down server answers within the
 * timeout: `load` reports `unavailable` with how to fix it, writes throw `StoreUnavailableError`.
 *
 * Concurrency: overlapping requests on one session each GET the whole item, change it and SET it
 * back; the last SET wins and the others' updates are lost (20 concurrent increments from 0 end
 * at 1 in the integration test). memcached's CAS could detect it; session libraries do not.
 *
 * Owners: Memcached cannot list its keys, so "log out everywhere" cannot find an owner's sessions
 * by asking. Each owner (`ctx.owner`) has a generation number instead, `<prefix>owner-gen:<owner>`,
 * and a session saved for an owner carries the owner and the generation it was stamped with.
 * `revokeAll` increments the generation; `load` refuses a session whose generation is not the
 * owner's current one, wherever and whenever it was made. That is what signs sessions out. A
 * missing generation (evicted, or Memcached restarted) refuses every stamped session too, and is
 * re-created at a random value, so stamps from before can never match it again.
 *
 * For the count `revokeAll` returns, and to free the memory at once rather than at expiry, each
 * owner also has a list of the ids of sessions started for them, `<prefix>owner-ids:<owner>`, the
 * newest `maxIndexedSessionsPerOwner`. It is only an aid: read, changed and written back without
 * a lock, two sessions starting at the same moment can lose one entry, and an evicted list loses
 * them all; those sessions are still refused by the generation, just not counted or deleted early.
 * For the same reason the panel gets no `ownerSessions` from this store: a count would mean a GET
 * per listed id on every request, and could still be short.
 *
 * Fair share (see `../fair-share.ts`): a new session also joins a list of its address,
 * `<prefix>visitor-ids:<hashed address>`. When the owner's or the address's list grows past its
 * share (`maxSessionsPerOwner`, `maxSessionsPerVisitor`), the store GETs the listed sessions, drops
 * the ones that are gone, and evicts the oldest live ones past the share, leaving
 * `<prefix>evicted:<hash of the id>` for their next load to report. Like the lists themselves this
 * is best effort, without a lock: two sessions starting at the same moment can both see room, so
 * a share can be passed by the few that raced, until the next new session trims it back. It costs
 * one GET per listed session, and only when a list is past its share. Memcached bounds its memory
 * itself (`-m`) by evicting least recently used items; those evictions it does not report.
 */
import { createHash, randomInt } from 'node:crypto';
import { Client } from 'memjs';
import type { CookieJar } from '../../cookie-jar';
import type { RunningStore } from '../../store-kind';
import { wholeNumberBetween } from '../common/store-options';
import { createMemcachedAdmin } from './admin';
import { assertSessionFits, defaultMaxSessionBytes } from '../../limits';
import { maxIndexedSessionsPerOwner, maxOwnerLength, sessionOwner } from '../../session-owner';
import {
  decodeShareEviction,
  encodeShareEviction,
  evictionReason,
  fairShare,
  sessionVisitor,
  type EvictionCause,
} from '../../fair-share';
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
import type {
  DemoContext,
  Loaded,
  ServerView,
  SessionData,
  SessionStore,
  StoreInfo,
} from '../../types';
import { describeError, withDeadline } from '../common/remote-service';

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

export const memcachedNotConfiguredMessage =
  'Memcached is not configured: set MEMCACHED_SERVERS=127.0.0.1:11211 and start memcached ' +
  '(npm run services starts one locally)';

interface StoredSession {
  expiresAt: number;
  /** Present together: who the session belongs to, and the generation it was stamped with. */
  owner?: string;
  gen?: number;
  data: SessionData;
}

/** What a request may write under: the id `load` found or `save` issued, and its stamp. */
interface Trusted {
  id: string;
  owner: string | null;
  gen: number | null;
}

/** Owner ids that are used in keys as they are; anything else is hashed to fit a key. */
const keySafeOwner = /^[A-Za-z0-9_-]{1,40}$/;

/**
 * Memcached keys are at most 250 bytes, without spaces or control characters, and an owner id may
 * be 128 characters of anything. '~' is outside `keySafeOwner`, so a hash never equals a raw id.
 */
function ownerKeyPart(owner: string): string {
  if (keySafeOwner.test(owner)) return owner;
  return `~${createHash('sha256').update(owner).digest('base64url').slice(0, 32)}`;
}

/** Where a new generation starts: random, so no stamp from before an eviction can match it. */
function freshGeneration(): number {
  return randomInt(1, 2 ** 31);
}

export function createMemcachedStore(options: MemcachedStoreOptions): RunningStore {
  const ttlSeconds = options.ttlSeconds ?? defaultTtlSeconds;
  const maxSessionBytes = options.maxSessionBytes ?? defaultMaxSessionBytes;
  const keyPrefix = options.keyPrefix ?? defaultKeyPrefix;
  const timeoutMs = options.timeoutMs ?? 500;
  const log = options.log ?? ((message: string) => console.warn(message));
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
  };

  /** Ids this request may write under: one `load` found in Memcached, or one `save` issued. */
  const trusted = new WeakMap<CookieJar, Trusted>();
  /** Generations and id lists outlive the sessions they cover by a margin, within 30 days. */
  const ownerTtlSeconds = Math.min(ttlSeconds + 60, maxRelativeTtlSeconds);

  let client: Client | null = null;
  /** Whether the last command failed; only then does a first visit's load ask the server. */
  let outage = false;

  const notAnswering = (why: string) =>
    `Memcached at ${where} is not answering (${why}); start memcached or check MEMCACHED_SERVERS`;

  function connection(): Client {
    if (servers.length === 0) throw new StoreUnavailableError(memcachedNotConfiguredMessage);
    client ??= Client.create(servers.join(','), {
      // One attempt, no failover to another node: a down server answers within the timeout,
      // and the next command simply connects again.
      retries: 1,
      failover: false,
      timeout: timeoutMs / 1000,
      conntimeout: timeoutMs / 1000,
      expires: ttlSeconds,
      // memjs logs every failed command; the store logs once per outage instead.
      logger: { log: () => {} },
    });
    return client;
  }

  /** Runs one memjs command with a hard deadline, timed as the `store` part of Server-Timing. */
  function run<T>(
    ctx: DemoContext | null,
    description: string,
    work: (memcached: Client) => Promise<T>,
  ): Promise<T> {
    const attempt = async () => {
      const memcached = connection();
      try {
        const result = await withDeadline(
          work(memcached),
          timeoutMs,
          `no reply within ${timeoutMs} ms`,
        );
        if (outage) log(`[session-lab] Memcached at ${where} is answering again.`);
        outage = false;
        return result;
      } catch (error) {
        const message = notAnswering(describeError(error));
        if (!outage) log(`[session-lab] ${message}.`);
        outage = true;
        throw new StoreUnavailableError(message);
      }
    };
    return ctx ? ctx.timer.measure('store', `Memcached ${description}`, attempt) : attempt();
  }

  const keyFor = (id: string) => keyPrefix + id;
  // At most 200 + 10 + 40 bytes, within Memcached's 250.
  const generationKeyFor = (owner: string) => `${keyPrefix}owner-gen:${ownerKeyPart(owner)}`;
  const idListKeyFor = (owner: string) => `${keyPrefix}owner-ids:${ownerKeyPart(owner)}`;
  // 22 key-safe characters (`sessionVisitor`).
  const visitorListKeyFor = (visitor: string) => `${keyPrefix}visitor-ids:${visitor}`;
  // At most 200 + 8 + 32 bytes; a hash, so the records are no list of ids.
  const evictedKeyFor = (id: string) =>
    `${keyPrefix}evicted:${createHash('sha256').update(id).digest('base64url').slice(0, 32)}`;

  /** The owner's current generation, or null when Memcached holds none (never made, or lost). */
  async function generationOf(ctx: DemoContext, owner: string): Promise<number | null> {
    const { value } = await run(ctx, 'GET (owner generation)', (memcached) =>
      memcached.get(generationKeyFor(owner)),
    );
    const generation = value === null ? NaN : Number(value.toString('utf8'));
    return Number.isSafeInteger(generation) ? generation : null;
  }

  /** The current generation, made if missing; incrementing by 0 reads and creates atomically. */
  async function currentGeneration(memcached: Client, owner: string): Promise<number> {
    const { value } = await memcached.increment(generationKeyFor(owner), 0, {
      initial: freshGeneration(),
      expires: ownerTtlSeconds,
    });
    if (typeof value !== 'number') throw new Error('memcached returned no generation');
    return value;
  }

  async function listedIds(memcached: Client, listKey: string): Promise<string[]> {
    const { value } = await memcached.get(listKey);
    return value === null ? [] : value.toString('utf8').split(' ').filter(isWellFormedSessionId);
  }

  /**
   * Adds a new session to an owner's or an address's list, newest last, and evicts the oldest live
   * sessions the list names past its share. Unlocked: see the header comment.
   */
  async function joinList(
    memcached: Client,
    list: { key: string; share: number; cause: EvictionCause },
    id: string,
    now: number,
  ): Promise<void> {
    let ids = (await listedIds(memcached, list.key)).filter((listed) => listed !== id);
    if (ids.length + 1 > list.share) {
      const items = await Promise.all(ids.map((listed) => memcached.get(keyFor(listed))));
      const live = ids
        .map((listed, index) => {
          const value = items[index]?.value ?? null;
          return { listed, stored: value === null ? null : parseStored(value.toString('utf8')) };
        })
        .filter(({ stored }) => stored !== null && stored.expiresAt > now);
      const evicted = live.slice(0, Math.max(0, live.length + 1 - list.share));
      await Promise.all(
        evicted.map(({ listed, stored }) =>
          Promise.all([
            memcached.delete(keyFor(listed)),
            memcached.set(evictedKeyFor(listed), encodeShareEviction(list.cause, list.share), {
              expires: Math.max(1, Math.ceil((stored!.expiresAt - now) / 1000)),
            }),
          ]),
        ),
      );
      ids = live.slice(evicted.length).map(({ listed }) => listed);
    }
    ids.push(id);
    await memcached.set(list.key, ids.slice(-maxIndexedSessionsPerOwner).join(' '), {
      expires: ownerTtlSeconds,
    });
  }

  /** Whether a stored session was signed out everywhere since it was stamped. */
  function signedOut(stored: StoredSession, current: number | null): boolean {
    return stored.owner !== undefined && stored.gen !== current;
  }

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
    notConfigured: servers.length === 0 ? memcachedNotConfiguredMessage : null,

    async load(ctx: DemoContext): Promise<Loaded> {
      try {
        const sent = ctx.cookies.get(cookie.name);
        const id = readSessionId(ctx.cookies, cookie);
        if (id === undefined) {
          connection();
          // A first visit costs no round trip, unless the server was down last time: then ask.
          if (outage) await run(ctx, 'GET', (memcached) => memcached.get(keyPrefix));
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
            const generation = stamped ?? (await currentGeneration(memcached, owner));
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
          joinList(memcached, list, id, ctx.now()),
        );
      }
      writeSessionId(ctx.cookies, cookie, id, ctx.now(), ctx.secure);
    },
    // #endregion save

    async destroy(ctx: DemoContext): Promise<void> {
      const id = trusted.get(ctx.cookies)?.id ?? readSessionId(ctx.cookies, cookie);
      if (id !== undefined) await run(ctx, 'DELETE', (memcached) => memcached.delete(keyFor(id)));
      else connection();
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

    async close(): Promise<void> {
      const closing = client;
      client = null;
      outage = false;
      closing?.close();
    },
  };
  return { ...store, admin: createMemcachedAdmin(store, ttlSeconds) };
}

function parseStored(text: string): StoredSession | null {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return null;
    const { expiresAt, owner, gen, data } = value as Partial<StoredSession>;
    if (typeof expiresAt !== 'number') return null;
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return null;
    if (owner === undefined && gen === undefined) return { expiresAt, data };
    // A stamp this store would not have written makes the item no session at all.
    if (typeof owner !== 'string' || owner === '' || owner.length > maxOwnerLength) return null;
    if (!Number.isSafeInteger(gen)) return null;
    return { expiresAt, owner, gen, data };
  } catch {
    return null;
  }
}
