/** The SQLite store's load, save and revocation; the kind's overview is in ./index.ts. */
import type { CookieJar, CookieOptions } from '../../cookie-jar';
import type { Database } from 'better-sqlite3';
import type { RunningStore } from '../../store-kind';
import { createSqliteAdmin, sqliteRevokeCounts } from './admin';
import { sqliteCounterFixes } from './increment';
import { sqliteStatements, type NewSession, type SessionRow } from './statements';
import { positiveInteger } from '../common/store-options';
import { defaultMaxSessionBytes, assertSessionFits } from '../../limits';
import { sessionOwner } from '../../session-owner';
import {
  evictionReason,
  fairShare,
  sessionVisitor,
  type EvictionCause,
  type EvictionRecord,
} from '../../fair-share';
import {
  generateSessionToken,
  hashSecret,
  isExpired,
  lastSeenAfter,
  parseSessionToken,
  shouldExtend,
  verifySecret,
} from '../../lucia-token';
import type { DemoContext, Loaded, ServerView, SessionData, StoreInfo } from '../../types';

/** Who this store is in the catalog: its id, its title, and where it keeps a session. */
export const sqliteIdentity = { id: 'sqlite', title: 'SQLite', where: 'server' } as const;

export interface SqliteStoreOptions {
  /** The site's database, migrated (see `server/migrations.ts`); the store does not close it. */
  db: Database;
  secure: boolean;
  /** Idle lifetime; sliding, so an active session lives on. 24 hours unless set. */
  ttlSeconds?: number;
  /** The most rows the table may hold; when full, expired rows go first, then the oldest. */
  maxSessions?: number;
  /** Live sessions one learner keeps before their least recently seen is evicted. 20 unless set. */
  maxSessionsPerOwner?: number;
  /** Live sessions one address keeps before its least recently seen is evicted. 100 unless set. */
  maxSessionsPerVisitor?: number;
  /** Evicted sessions remembered for their next load, newest kept. 10 000 unless set. */
  maxEvictionRecords?: number;
  /** Largest JSON a session may serialize to; 64 KiB unless set. */
  maxSessionBytes?: number;
  cookieName?: string;
  cookiePath?: string;
}

const DAY_SECONDS = 24 * 60 * 60;
const DEFAULT_MAX_SESSIONS = 100_000;
/**
 * Evicted sessions remembered for their next load; past it the oldest records go. A record is
 * about 150 bytes, and a visitor who forces evictions in a loop only churns this table.
 */
const DEFAULT_MAX_EVICTION_RECORDS = 10_000;
const LOCATION = 'SQLite table demo_session';
const PLACE = 'the SQLite demo store';
const STORE_TIMING = 'SQLite demo_session';
const CRYPTO_TIMING = 'SHA-256 + constant-time compare';

/** One reason for both an unknown id and a wrong secret: which one it was stays secret. */
const NOT_ISSUED_REASON =
  'The cookie named no session this server holds with that secret, so a new session starts with a ' +
  'new id; the id in the cookie is never reused.';
const MALFORMED_REASON =
  'The cookie is not a token this store issues (id.secret, 32 base32 letters each), so it was ' +
  'ignored and a new session starts.';
const EXPIRED_REASON =
  'The session passed its expiry without a visit, so the server deleted it and a new one starts.';

/** The session a request's load found valid: its token, its row, and the expiry load left it with. */
interface Verified {
  token: string;
  id: string;
  expiresAt: number;
}

/** How a request's cookie turned out against the table. */
type Lookup =
  | { kind: 'none' }
  | { kind: 'malformed' }
  | { kind: 'not-issued' }
  | { kind: 'expired' }
  | { kind: 'evicted'; record: EvictionRecord }
  | { kind: 'valid'; token: string; row: SessionRow };

export function createSqliteStore(options: SqliteStoreOptions): RunningStore {
  const { db, secure } = options;
  const ttlSeconds = options.ttlSeconds ?? DAY_SECONDS;
  const maxSessions = options.maxSessions ?? DEFAULT_MAX_SESSIONS;
  const maxEvictionRecords = options.maxEvictionRecords ?? DEFAULT_MAX_EVICTION_RECORDS;
  const maxSessionBytes = options.maxSessionBytes ?? defaultMaxSessionBytes;
  const cookieName = options.cookieName ?? 'sqlite_session';
  const cookiePath = options.cookiePath ?? '/api/demo/sqlite';
  const limits = { ttlSeconds, maxSessions, maxSessionBytes, maxEvictionRecords };
  for (const [name, value] of Object.entries(limits)) {
    positiveInteger('sqlite', name, value);
  }
  const share = fairShare('sqlite', options);
  const ttlMs = ttlSeconds * 1000;
  const statements = sqliteStatements(db);
  const attributes: CookieOptions = { httpOnly: true, sameSite: 'Lax', secure, path: cookiePath };

  const info: StoreInfo = {
    id: 'sqlite',
    title: sqliteIdentity.title,
    where: 'server',
    summary:
      'A row per session in a SQLite table: the cookie carries a random id and secret, the database keeps the data and only a hash of the secret, so any session can be listed or revoked.',
    facts: {
      sharedAcrossInstances: true,
      survivesRestart: true,
      revocable: true,
      readableByClient: false,
      tamperEvident: true,
      sizeLimit: {
        bytes: maxSessionBytes,
        counts: 'bytes of the session’s JSON, as stored in the data column',
      },
    },
    revokeCounts: sqliteRevokeCounts,
  };

  const sql = <T>(ctx: DemoContext, work: () => T): T =>
    ctx.timer.measureSync('store', STORE_TIMING, work);

  /**
   * What load verified, by request (its cookie jar), so that save need not SELECT and hash again:
   * the secret was compared in constant time once, and the row is written only if it is still
   * live and unchanged since. Weak: it goes with the request.
   */
  const verifiedInRequest = new WeakMap<CookieJar, Verified>();
  /** The row this request's load verified, while the request still carries its token. */
  const verifiedId = (ctx: DemoContext): string | undefined => {
    const verified = verifiedInRequest.get(ctx.cookies);
    return verified && ctx.cookies.get(cookieName) === verified.token ? verified.id : undefined;
  };

  /**
   * Finds the row the cookie names and checks its secret; an expired row is deleted on sight.
   * `timed` is off for the panel's own peek, which is not part of the request's work.
   */
  // #region validate
  function lookup(ctx: DemoContext, timed = true): Lookup {
    const cookie = ctx.cookies.get(cookieName);
    if (!cookie) return { kind: 'none' };
    const parsed = parseSessionToken(cookie);
    if (!parsed) return { kind: 'malformed' };
    const measure = <T>(name: string, description: string, work: () => T): T =>
      timed ? ctx.timer.measureSync(name, description, work) : work();
    const row = measure('store', STORE_TIMING, () => statements.select.get({ id: parsed.id }));
    const matches = measure('crypto', CRYPTO_TIMING, () =>
      verifySecret(parsed.secret, row?.secret_hash ?? null),
    );
    if (!row || !matches) return { kind: 'not-issued' };
    if (row.cause !== null) {
      if (isExpired(row.expires_at, ctx.now())) return { kind: 'expired' };
      return {
        kind: 'evicted',
        record: { cause: row.cause, limit: row.session_limit, expiresAt: row.expires_at },
      };
    }
    if (isExpired(row.expires_at, ctx.now())) {
      measure('store', STORE_TIMING, () => statements.delete.run(row.id));
      return { kind: 'expired' };
    }
    return { kind: 'valid', token: cookie, row };
  }
  // #endregion validate

  function sendCookie(ctx: DemoContext, token: string, expiresAt: number): void {
    ctx.cookies.set(cookieName, token, {
      ...attributes,
      secure: ctx.secure ?? secure,
      maxAge: Math.max(0, Math.floor((expiresAt - ctx.now()) / 1000)),
      expires: new Date(expiresAt),
    });
  }

  function clearCookie(ctx: DemoContext): void {
    ctx.cookies.delete(cookieName, { ...attributes, secure: ctx.secure ?? secure });
  }

  // #region fair-share
  /**
   * Inserts a session after making room for it: its learner's and its address's oldest live
   * rows past their shares go, then, at the cap, expired rows and the rows closest to expiry.
   * IMMEDIATE, so two processes sharing the file cannot both count the same free place. Returns
   * how many live sessions were evicted.
   */
  const insertFairly = db.transaction((session: NewSession): number => {
    let evicted = 0;
    const evict = (id: string, cause: EvictionCause, limit: number) => {
      statements.recordEviction.run(cause, limit, session.now, id);
      statements.delete.run(id);
      evicted++;
    };
    const shares = [
      [session.owner, statements.liveOwnedOldestFirst, share.perOwner, 'owner-share'],
      [session.visitor, statements.liveOfVisitorOldestFirst, share.perVisitor, 'visitor-share'],
    ] as const;
    for (const [group, oldestFirst, limit, cause] of shares) {
      if (group === null) continue;
      const live = oldestFirst.all(group, session.now);
      for (const id of live.slice(0, Math.max(0, live.length + 1 - limit))) evict(id, cause, limit);
    }
    let count = statements.count.get()!;
    if (count >= maxSessions) {
      count -= statements.deleteExpired.run(session.now).changes;
      statements.deleteExpiredEvictions.run(session.now);
    }
    if (count >= maxSessions) {
      for (const id of statements.closestToExpiry.all(count - maxSessions + 1)) {
        evict(id, 'store-full', maxSessions);
      }
    }
    statements.insert.run(
      session.id,
      session.secretHash,
      session.owner,
      session.visitor,
      session.data,
      session.bytes,
      session.now,
      session.expiresAt,
      session.now,
    );
    if (evicted > 0) statements.trimEvictions.run(maxEvictionRecords);
    return evicted;
  });
  // #endregion fair-share

  // #region revoke-all
  /** Deletes every row of the owner, expired ones too; counts the live ones, which went now. */
  const revokeOwned = db.transaction((owner: string, now: number): number => {
    const live = statements.countOwned.get(owner, now)!;
    statements.deleteOwned.run(owner);
    return live;
  });
  // #endregion revoke-all

  return {
    info,
    admin: createSqliteAdmin(db),
    counterFixes: sqliteCounterFixes(db, verifiedId, sql),

    async load(ctx: DemoContext): Promise<Loaded> {
      const found = lookup(ctx);
      switch (found.kind) {
        case 'none':
          return { status: 'new', data: {} };
        case 'malformed':
          clearCookie(ctx);
          return { status: 'new', reason: MALFORMED_REASON, data: {} };
        case 'not-issued':
          clearCookie(ctx);
          return { status: 'new', reason: NOT_ISSUED_REASON, data: {} };
        case 'expired':
          clearCookie(ctx);
          return { status: 'expired', reason: EXPIRED_REASON, data: {} };
        case 'evicted':
          clearCookie(ctx);
          return { status: 'evicted', reason: evictionReason(found.record, PLACE), data: {} };
        case 'valid': {
          const { row, token } = found;
          const now = ctx.now();
          const extend = shouldExtend(row.expires_at, now, ttlMs);
          const expiresAt = extend ? now + ttlMs : row.expires_at;
          const lastSeenAt = lastSeenAfter(row.last_seen_at, now);
          if (extend || lastSeenAt !== row.last_seen_at) {
            sql(ctx, () => statements.touch.run(expiresAt, lastSeenAt, row.id));
          }
          // As Lucia's guide does: the browser's copy must expire no earlier than the row.
          if (extend) sendCookie(ctx, token, expiresAt);
          verifiedInRequest.set(ctx.cookies, { token, id: row.id, expiresAt });
          return { status: 'ok', data: JSON.parse(row.data) as SessionData };
        }
      }
    },

    async save(ctx: DemoContext, data: SessionData): Promise<void> {
      const serialized = JSON.stringify(data);
      assertSessionFits(info.title, serialized, maxSessionBytes);
      const bytes = Buffer.byteLength(serialized, 'utf8');
      const now = ctx.now();
      const owner = sessionOwner(ctx);

      /** Writes over a live row; false when no row matched, so nothing was written. */
      const update = ({ token, id, expiresAt: current }: Verified, unchanged: boolean) => {
        const extend = shouldExtend(current, now, ttlMs);
        const expiresAt = extend ? now + ttlMs : current;
        const { changes } = sql(ctx, () =>
          unchanged
            ? statements.updateUnchanged.run(
                serialized,
                bytes,
                expiresAt,
                now,
                owner,
                id,
                current,
                now,
              )
            : statements.update.run(serialized, bytes, expiresAt, now, owner, id, now),
        );
        if (changes !== 1) return false;
        if (extend) sendCookie(ctx, token, expiresAt);
        verifiedInRequest.set(ctx.cookies, { token, id, expiresAt });
        return true;
      };

      // The row this request's load verified, while the request still carries its token. If the
      // row changed, was revoked or expired since, nothing is written and the lookup below decides,
      // exactly as if there had been no load.
      const verified = verifiedInRequest.get(ctx.cookies);
      if (verified && ctx.cookies.get(cookieName) === verified.token && update(verified, true)) {
        return;
      }

      const found = lookup(ctx);
      if (found.kind === 'valid') {
        const { row, token } = found;
        if (update({ token, id: row.id, expiresAt: row.expires_at }, false)) return;
      }
      if (found.kind !== 'none' && found.kind !== 'malformed') {
        // The cookie named a session that was live when this request loaded it (load clears any
        // other cookie) but has been revoked or has expired since. Writing it into a new session
        // would undo a "log out everywhere" made meanwhile, so the write is dropped instead.
        clearCookie(ctx);
        return;
      }

      const { id, secret, token } = generateSessionToken();
      const secretHash = ctx.timer.measureSync('crypto', CRYPTO_TIMING, () => hashSecret(secret));
      const expiresAt = now + ttlMs;
      const visitor = sessionVisitor(ctx);
      sql(ctx, () =>
        insertFairly.immediate({
          id,
          secretHash,
          owner,
          visitor,
          data: serialized,
          bytes,
          now,
          expiresAt,
        }),
      );
      sendCookie(ctx, token, expiresAt);
      verifiedInRequest.set(ctx.cookies, { token, id, expiresAt });
    },

    async destroy(ctx: DemoContext): Promise<void> {
      verifiedInRequest.delete(ctx.cookies);
      const found = lookup(ctx);
      if (found.kind === 'valid') sql(ctx, () => statements.delete.run(found.row.id));
      if (found.kind !== 'none') clearCookie(ctx);
    },

    async peek(ctx: DemoContext): Promise<ServerView | null> {
      const found = lookup(ctx, false);
      if (found.kind !== 'valid') return null;
      const owner = sessionOwner(ctx);
      return {
        key: found.row.id,
        bytes: found.row.bytes,
        expiresAt: found.row.expires_at,
        location: LOCATION,
        ...(owner !== null && { ownerSessions: statements.countOwned.get(owner, ctx.now())! }),
      };
    },

    async revokeAll(ctx: DemoContext): Promise<number> {
      const owner = sessionOwner(ctx);
      if (owner === null) return 0;
      return sql(ctx, () => revokeOwned.immediate(owner, ctx.now()));
    },

    // #region sweep
    async sweep(now: number): Promise<number> {
      statements.deleteExpiredEvictions.run(now);
      return statements.deleteExpired.run(now).changes;
    },
    // #endregion sweep
  };
}
