/**
 * Sessions in the memory of one server process, as express-session's MemoryStore keeps them: the
 * browser holds only a random id. Each simulated instance has its own memory, so a restarted or
 * different instance (a serverless cold start) knows none of the sessions.
 *
 * Bounded: per instance at most `maxEntries` sessions and `maxTotalBytes` of serialized data; a
 * save that would pass either evicts expired sessions first, then the least recently used ones. A
 * learner keeps at most `maxSessionsPerOwner` live sessions and an address `maxSessionsPerVisitor`
 * (see `../fair-share.ts`): a new one past that share evicts that learner's or address's own
 * oldest, so one visitor can push out their own sessions, not fill the instance for everyone. The
 * next load of an evicted session says so (status `evicted`), from a bounded record per instance.
 *
 * Owners: each session records the learner who saved it (`ctx.owner`), so `revokeAll` can sign one
 * learner out of every session this instance holds. Only this instance: another instance is
 * another process, on another machine in production, whose memory this one cannot reach. Real
 * multi-server apps need a store every server shares (SQLite, Redis …) to log out everywhere.
 *
 * Concurrency: `load` hands out a copy and `save` replaces the whole session, so overlapping
 * requests lose updates: 20 load + increment + save sequences fired together at one session all
 * load before any saves, and the counter ends at 1, not 20 (last write wins; measured in
 * tests/unit/memory-store.test.ts). Each operation itself is synchronous, so the LRU order and the
 * byte total can never be torn. The race demo's fix: a mutex per session id in this process.
 */
import type { RunningStore } from '../../store-kind';
import { positiveInteger } from '../common/store-options';
import { createMemoryAdmin, memoryRevokeCounts } from './admin';
import { inProcessLock } from '../common/in-process-lock';
import { assertSessionFits, defaultMaxSessionBytes } from '../../limits';
import { sessionOwner } from '../../session-owner';
import {
  EvictionLog,
  evictionKey,
  evictionReason,
  fairShare,
  sessionVisitor,
  type EvictionRecord,
} from '../../fair-share';
import {
  evictionRecord,
  SessionLedger,
  type LedgerCaps,
  type LedgerEntry,
} from '../common/session-ledger';
import {
  clearSessionId,
  newSessionId,
  readSessionId,
  shortenId,
  writeSessionId,
  type SessionIdCookie,
} from '../../server-session-id';
import type { DemoContext, Loaded, ServerView, SessionData, StoreInfo } from '../../types';

/** Who this store is in the catalog: its id, its title, and where it keeps a session. */
export const memoryIdentity = { id: 'memory', title: 'Server memory', where: 'server' } as const;

export interface MemoryStoreOptions {
  secure: boolean;
  /** Idle lifetime; every save starts it again (sliding). 24 hours unless set. */
  ttlSeconds?: number;
  /** Sessions one instance keeps before evicting the least recently used. 10 000 unless set. */
  maxEntries?: number;
  /** Bytes of serialized sessions one instance keeps before evicting. 32 MiB unless set. */
  maxTotalBytes?: number;
  /** Largest session accepted, in bytes of serialized JSON. 64 KiB unless set. */
  maxSessionBytes?: number;
  /** Live sessions one learner keeps per instance before their oldest is evicted. 20 unless set. */
  maxSessionsPerOwner?: number;
  /** Live sessions one address keeps per instance before its oldest is evicted. 100 unless set. */
  maxSessionsPerVisitor?: number;
  cookieName?: string;
}

const defaultTtlSeconds = 24 * 60 * 60;
const defaultMaxEntries = 10_000;
const defaultMaxTotalBytes = 32 * 1024 * 1024;
const defaultCookieName = 'memory_sid';

interface MemoryEntry extends LedgerEntry {
  /** Serialized, so byte counts are exact and callers cannot mutate what is stored. */
  json: string;
}

/**
 * One store's sessions in one instance, least recently used first, and what it evicted. Both live
 * in the instance's memory, so a restart forgets them together.
 */
class InstanceSessions {
  readonly ledger = new SessionLedger<MemoryEntry>();
  readonly evicted = new EvictionLog();
}

function isExpired(entry: MemoryEntry, now: number): boolean {
  return now >= entry.expiresAt;
}

function stateKey(cookieName: string): string {
  return `session-lab:memory-store:${cookieName}`;
}

function findSessions(
  memory: Map<string, unknown>,
  cookieName: string,
  key: string = stateKey(cookieName),
): InstanceSessions | undefined {
  const state = memory.get(key);
  return state instanceof InstanceSessions ? state : undefined;
}

/** Drops every session the store keeps in an instance's memory; returns how many there were. */
export function forgetMemorySessions(
  instanceMemory: Map<string, unknown>,
  cookieName: string = defaultCookieName,
): number {
  const held = findSessions(instanceMemory, cookieName)?.ledger.size ?? 0;
  instanceMemory.delete(stateKey(cookieName));
  return held;
}

/** How many sessions, and how many bytes of them, an instance's memory holds, for the panel. */
export function memoryStoreStats(
  instanceMemory: Map<string, unknown>,
  cookieName: string = defaultCookieName,
): { entries: number; bytes: number } {
  const sessions = findSessions(instanceMemory, cookieName);
  return { entries: sessions?.ledger.size ?? 0, bytes: sessions?.ledger.bytes ?? 0 };
}

export function createMemoryStore(options: MemoryStoreOptions): RunningStore {
  const ttlSeconds = positiveInteger(
    'memory',
    'ttlSeconds',
    options.ttlSeconds ?? defaultTtlSeconds,
  );
  const maxEntries = positiveInteger(
    'memory',
    'maxEntries',
    options.maxEntries ?? defaultMaxEntries,
  );
  const maxTotalBytes = positiveInteger(
    'memory',
    'maxTotalBytes',
    options.maxTotalBytes ?? defaultMaxTotalBytes,
  );
  const maxSessionBytes = positiveInteger(
    'memory',
    'maxSessionBytes',
    options.maxSessionBytes ?? defaultMaxSessionBytes,
  );
  if (maxSessionBytes > maxTotalBytes) {
    throw new Error("the memory store's maxSessionBytes cannot exceed its maxTotalBytes");
  }
  const caps: LedgerCaps = {
    maxSessions: maxEntries,
    maxTotalBytes,
    ...fairShare('memory', options),
  };
  const cookieName = options.cookieName ?? defaultCookieName;
  const cookie: SessionIdCookie = {
    name: cookieName,
    path: '/api/demo/memory',
    secure: options.secure,
    maxAgeSeconds: ttlSeconds,
  };
  const title = memoryIdentity.title;
  const key = stateKey(cookieName);

  /*
   * `sweep(now)` has no context, so the store remembers every instance it has written to. Weak
   * references: a restarted instance's memory, or a "fresh" serverless one, is garbage once the
   * simulator drops it, and the store must not keep it alive (a public server sees thousands).
   */
  const seen = new Set<WeakRef<InstanceSessions>>();
  const forgetSeen = new FinalizationRegistry<WeakRef<InstanceSessions>>((ref) => seen.delete(ref));

  function sessionsOf(ctx: DemoContext): InstanceSessions | undefined {
    return findSessions(ctx.instance.memory, cookieName, key);
  }

  function createSessionsFor(ctx: DemoContext): InstanceSessions {
    const sessions = new InstanceSessions();
    ctx.instance.memory.set(key, sessions);
    const ref = new WeakRef(sessions);
    seen.add(ref);
    forgetSeen.register(sessions, ref);
    return sessions;
  }

  /** The live session for this request's id, or why there is none; never issues anything. */
  function lookup(
    ctx: DemoContext,
  ):
    | { kind: 'live'; id: string; entry: MemoryEntry; sessions: InstanceSessions }
    | { kind: 'expired'; entry: MemoryEntry }
    | { kind: 'evicted'; record: EvictionRecord }
    | { kind: 'none'; reason?: string } {
    const raw = ctx.cookies.get(cookieName);
    if (raw === undefined || raw === '') return { kind: 'none' };
    const id = readSessionId(ctx.cookies, cookie);
    if (!id) return { kind: 'none', reason: 'the session id cookie was malformed and was ignored' };
    const sessions = sessionsOf(ctx);
    const entry = sessions?.ledger.get(id);
    if (!sessions || !entry) {
      const record = sessions?.evicted.find(evictionKey(id), ctx.now());
      if (record) return { kind: 'evicted', record };
      return {
        kind: 'none',
        reason:
          `instance ${ctx.instance.id} holds no session ${shortenId(id)} in its memory: it was ` +
          'never issued here, was evicted, or the instance restarted',
      };
    }
    if (isExpired(entry, ctx.now())) {
      sessions.ledger.remove(id);
      return { kind: 'expired', entry };
    }
    return { kind: 'live', id, entry, sessions };
  }

  const info: StoreInfo = {
    id: 'memory',
    title,
    where: 'server',
    summary:
      'The data stays in the memory of one server process; the browser holds only a random id. Fast, but a restart or another instance has none of it.',
    facts: {
      sharedAcrossInstances: false,
      survivesRestart: false,
      revocable: true,
      readableByClient: false,
      // The id is random: a forged one misses, it cannot point at data of the forger's choosing.
      tamperEvident: true,
      sizeLimit: { bytes: maxSessionBytes, counts: 'serialized JSON of the session data' },
    },
    revokeCounts: memoryRevokeCounts,
  };

  return {
    info,
    admin: createMemoryAdmin(cookieName),
    counterFixes: [inProcessLock(cookieName)],

    // #region load
    async load(ctx: DemoContext): Promise<Loaded> {
      return ctx.timer.measureSync('store', 'memory read', () => {
        const found = lookup(ctx);
        if (found.kind === 'expired') {
          return {
            status: 'expired',
            reason: `the session expired at ${new Date(found.entry.expiresAt).toISOString()}, ${ttlSeconds} s after its last save`,
            data: {},
          };
        }
        if (found.kind === 'evicted') {
          return {
            status: 'evicted',
            reason: evictionReason(
              found.record,
              `the memory of instance ${ctx.instance.id}`,
              'the least recently used',
            ),
            data: {},
          };
        }
        if (found.kind === 'none') {
          return found.reason
            ? { status: 'new', reason: found.reason, data: {} }
            : { status: 'new', data: {} };
        }
        found.sessions.ledger.touch(found.id);
        return { status: 'ok', data: JSON.parse(found.entry.json) as SessionData };
      });
    },
    // #endregion load

    // #region save
    async save(ctx: DemoContext, data: SessionData): Promise<void> {
      const json = JSON.stringify(data);
      assertSessionFits(title, json, maxSessionBytes);
      ctx.timer.measureSync('store', 'memory write', () => {
        const now = ctx.now();
        const found = lookup(ctx);
        // Strict mode: only an id this instance issued and still holds is reused.
        const id = found.kind === 'live' ? found.id : newSessionId();
        const sessions = sessionsOf(ctx) ?? createSessionsFor(ctx);
        const live = found.kind === 'live' ? found.entry : undefined;
        const entry: MemoryEntry = {
          json,
          bytes: Buffer.byteLength(json, 'utf8'),
          expiresAt: now + ttlSeconds * 1000,
          // A request without an owner leaves the session's owner as it was.
          owner: sessionOwner(ctx) ?? live?.owner ?? null,
          // A session counts against the address that started it.
          visitor: live ? live.visitor : sessionVisitor(ctx),
        };
        for (const gone of sessions.ledger.makeRoom(id, entry, caps, now)) {
          const record = evictionRecord(caps, gone);
          if (record) sessions.evicted.record(evictionKey(gone.key), record);
        }
        sessions.ledger.put(id, entry);
        writeSessionId(ctx.cookies, cookie, id, now, ctx.secure);
      });
    },
    // #endregion save

    async destroy(ctx: DemoContext): Promise<void> {
      ctx.timer.measureSync('store', 'memory delete', () => {
        const id = readSessionId(ctx.cookies, cookie);
        if (id) sessionsOf(ctx)?.ledger.remove(id);
        clearSessionId(ctx.cookies, cookie, ctx.secure);
      });
    },

    async peek(ctx: DemoContext): Promise<ServerView | null> {
      const id = readSessionId(ctx.cookies, cookie);
      const sessions = sessionsOf(ctx);
      const entry = id ? sessions?.ledger.get(id) : undefined;
      if (!id || !sessions || !entry || isExpired(entry, ctx.now())) return null;
      const owner = sessionOwner(ctx);
      return {
        key: shortenId(id),
        bytes: entry.bytes,
        expiresAt: entry.expiresAt,
        location: `memory of instance ${ctx.instance.id}`,
        ...(owner !== null && { ownerSessions: sessions.ledger.liveOwnedBy(owner, ctx.now()) }),
      };
    },

    async revokeAll(ctx: DemoContext): Promise<number> {
      const owner = sessionOwner(ctx);
      if (owner === null) return 0;
      // This instance's memory only: see the header comment.
      return ctx.timer.measureSync('store', 'memory delete (every session of one owner)', () => {
        const sessions = sessionsOf(ctx);
        if (!sessions) return 0;
        const now = ctx.now();
        let revoked = 0;
        for (const id of sessions.ledger.ownedBy(owner)) {
          const entry = sessions.ledger.remove(id);
          if (entry && !isExpired(entry, now)) revoked++;
        }
        return revoked;
      });
    },

    async sweep(now: number): Promise<number> {
      let removed = 0;
      for (const ref of seen) {
        const sessions = ref.deref();
        if (!sessions) {
          seen.delete(ref);
          continue;
        }
        removed += sessions.ledger.removeExpired(now).length;
        sessions.evicted.purge(now);
      }
      return removed;
    },
  };
}
