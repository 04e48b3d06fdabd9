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
 */
import { Client } from 'memjs';
import type { CookieJar } from '../../lab/cookie-jar';
import { storeTitles } from '../catalog';
import { assertSessionFits, defaultMaxSessionBytes } from '../limits';
import {
  clearSessionId,
  newSessionId,
  readSessionId,
  writeSessionId,
  type SessionIdCookie,
} from '../server-session-id';
import { StoreUnavailableError } from '../types';
import type {
  DemoContext,
  Loaded,
  ServerView,
  SessionData,
  SessionStore,
  StoreInfo,
} from '../types';
import { describeError, shortenId, withDeadline } from './remote-service';

export interface MemcachedStoreOptions {
  /** MEMCACHED_SERVERS as `host:port` entries; empty when not configured. */
  servers: readonly string[];
  /** Send the id cookie with `Secure`. */
  secure: boolean;
  /** Set on every write; 24 hours unless set, at most 30 days. */
  ttlSeconds?: number;
  /** Largest session accepted, in bytes of JSON; 64 KiB unless set, below 1 MB. */
  maxSessionBytes?: number;
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
  data: SessionData;
}

export function createMemcachedStore(options: MemcachedStoreOptions): SessionStore {
  const ttlSeconds = options.ttlSeconds ?? defaultTtlSeconds;
  const maxSessionBytes = options.maxSessionBytes ?? defaultMaxSessionBytes;
  const keyPrefix = options.keyPrefix ?? defaultKeyPrefix;
  const timeoutMs = options.timeoutMs ?? 500;
  const log = options.log ?? ((message: string) => console.warn(message));
  assertWholeNumber('ttlSeconds', ttlSeconds, 1, maxRelativeTtlSeconds);
  assertWholeNumber('maxSessionBytes', maxSessionBytes, 1, maxItemDataBytes);
  assertWholeNumber('timeoutMs', timeoutMs, 1, 60_000);
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

  const title = storeTitles.memcached;
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
  const trusted = new WeakMap<CookieJar, string>();

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

  async function read(
    ctx: DemoContext,
    id: string,
  ): Promise<{ raw: Buffer; stored: StoredSession | null } | null> {
    const { value } = await run(ctx, 'GET', (memcached) => memcached.get(keyFor(id)));
    if (value === null) return null;
    return { raw: value, stored: parseStored(value.toString('utf8')) };
  }

  function startOver(ctx: DemoContext, status: 'new' | 'expired', reason: string): Loaded {
    // Drop the id the browser sent, so the next save issues a fresh one (no fixation).
    clearSessionId(ctx.cookies, cookie);
    trusted.delete(ctx.cookies);
    return { status, reason, data: {} };
  }

  return {
    info,

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
        const found = await read(ctx, id);
        if (found === null) {
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
        trusted.set(ctx.cookies, id);
        return { status: 'ok', data: found.stored.data };
      } catch (error) {
        if (error instanceof StoreUnavailableError) {
          return { status: 'unavailable', reason: error.message, data: {} };
        }
        throw error;
      }
    },

    async save(ctx: DemoContext, data: SessionData): Promise<void> {
      const serialized = JSON.stringify(data);
      assertSessionFits(title, serialized, maxSessionBytes);
      const expiresAt = ctx.now() + ttlSeconds * 1000;
      const item = `{"expiresAt":${expiresAt},"data":${serialized}}`;
      const id = trusted.get(ctx.cookies) ?? newSessionId();
      await run(ctx, 'SET', (memcached) =>
        memcached.set(keyFor(id), item, { expires: ttlSeconds }),
      );
      trusted.set(ctx.cookies, id);
      writeSessionId(ctx.cookies, cookie, id, ctx.now());
    },

    async destroy(ctx: DemoContext): Promise<void> {
      const id = trusted.get(ctx.cookies) ?? readSessionId(ctx.cookies, cookie);
      if (id !== undefined) await run(ctx, 'DELETE', (memcached) => memcached.delete(keyFor(id)));
      else connection();
      trusted.delete(ctx.cookies);
      clearSessionId(ctx.cookies, cookie);
    },

    async peek(ctx: DemoContext): Promise<ServerView | null> {
      const id = trusted.get(ctx.cookies) ?? readSessionId(ctx.cookies, cookie);
      if (id === undefined) return null;
      const found = await read(ctx, id);
      if (found === null) return null;
      return {
        key: keyPrefix + shortenId(id),
        bytes: found.raw.byteLength,
        expiresAt: found.stored?.expiresAt ?? null,
        location: `Memcached at ${where}`,
      };
    },

    async close(): Promise<void> {
      const closing = client;
      client = null;
      outage = false;
      closing?.close();
    },
  };
}

function assertWholeNumber(name: string, value: number, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new Error(
      `the memcached store needs ${name} to be a whole number from ${min} to ${max}, got ${value}`,
    );
  }
}

function parseStored(text: string): StoredSession | null {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return null;
    const { expiresAt, data } = value as Partial<StoredSession>;
    if (typeof expiresAt !== 'number') return null;
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return null;
    return { expiresAt, data };
  } catch {
    return null;
  }
}
