/**
 * Server-side sessions in PostgreSQL, the Lucia way, as the SQLite store keeps them (see
 * `../sqlite/store.ts` and `../../lucia-token.ts`): the cookie holds `id.secret`, the
 * `demo_session` table holds the id, the SHA-256 of the secret and the data. The table lives in a
 * server every process on every machine reaches, so a session one process created is read by the
 * next, and revoking a learner's rows logs them out everywhere at once.
 *
 * The same rules as SQLite: strict mode (an id is used only after its secret matched a row this
 * store wrote, so a planted cookie ends in a new session with a new id); one answer, after one
 * hash, for an unknown id and a wrong secret; sliding expiry written at most once per half
 * lifetime (each UPDATE writes a new row version that VACUUM must clean up); a save whose session
 * was revoked after its load writes nothing; the last of two overlapping saves wins.
 *
 * PostgreSQL is optional for the site: without DATABASE_URL, or while the server is down, `load`
 * answers `unavailable` with how to fix it and writes throw `StoreUnavailableError`. The pool is
 * bounded and every wait has a limit (see `./connection.ts`), so a full pool or a hung server
 * answers 503 within a second or two instead of hanging the request.
 */
import type { CookieJar, CookieOptions } from '../../cookie-jar';
import type { RunningStore } from '../../store-kind';
import { positiveInteger } from '../common/store-options';
import { assertSessionFits, defaultMaxSessionBytes } from '../../limits';
import { sessionOwner } from '../../session-owner';
import { evictionReason, fairShare, sessionVisitor } from '../../fair-share';
import { generateSessionToken, hashSecret, lastSeenAfter, shouldExtend } from '../../lucia-token';
import { StoreUnavailableError } from '../../types';
import type { DemoContext, Loaded, ServerView, SessionData, StoreInfo } from '../../types';
import { createPostgresAdmin, postgresRevokeCounts } from './admin';
import { postgresCounterFixes } from './increment';
import { PostgresLink } from './connection';
import { insertFairly } from './fair-share';
import { lookupSession, type Lookup, type Verified } from './lookup';
import { sql } from './queries';

/** Who this store is in the catalog: its id, its title, and where it keeps a session. */
export const postgresIdentity = { id: 'postgres', title: 'PostgreSQL', where: 'server' } as const;

export const postgresNotConfiguredMessage =
  'PostgreSQL is not configured: set DATABASE_URL=postgres://user:password@127.0.0.1:5432/dbname ' +
  'to a database the site may create tables in, and start PostgreSQL (npm run services starts one ' +
  'locally)';

export interface PostgresStoreOptions {
  /** DATABASE_URL, `postgres://…`; `null` when not configured. */
  url: string | null;
  secure: boolean;
  /** Idle lifetime; sliding, so an active session lives on. 24 hours unless set. */
  ttlSeconds?: number;
  /** The most rows the table may hold; when full, expired rows go first, then the oldest. */
  maxSessions?: number;
  maxSessionsPerOwner?: number;
  maxSessionsPerVisitor?: number;
  /** Evicted sessions remembered for their next load, newest kept. 10 000 unless set. */
  maxEvictionRecords?: number;
  /** Largest JSON a session may serialize to; 64 KiB unless set. */
  maxSessionBytes?: number;
  /** Connections this process's pool may hold. 5 unless set. */
  maxConnections?: number;
  /** How long a query may wait for a connection. 1000 ms unless set. */
  connectTimeoutMs?: number;
  /** How long one statement may run. 1000 ms unless set. */
  statementTimeoutMs?: number;
  /** An unused connection closes after this long. 10 s unless set. */
  idleTimeoutMs?: number;
  cookieName?: string;
  cookiePath?: string;
  /** Where outage and recovery notices go, once per outage; `console.warn` unless set. */
  log?: (message: string) => void;
}

const DAY_SECONDS = 24 * 60 * 60;
const SWEEP_BATCH = 1000;
/** One sweep deletes at most this many batches; the next timer tick takes the rest. */
const SWEEP_MAX_BATCHES = 100;
const PLACE = 'the PostgreSQL demo store';

const NOT_ISSUED_REASON =
  'The cookie named no session this server holds with that secret, so a new session starts with a ' +
  'new id; the id in the cookie is never reused.';
const MALFORMED_REASON =
  'The cookie is not a token this store issues (id.secret, 32 base32 letters each), so it was ' +
  'ignored and a new session starts.';
const EXPIRED_REASON =
  'The session passed its expiry without a visit, so the server deleted it and a new one starts.';

export function createPostgresStore(options: PostgresStoreOptions): RunningStore {
  const { secure } = options;
  const ttlSeconds = options.ttlSeconds ?? DAY_SECONDS;
  const maxSessionBytes = options.maxSessionBytes ?? defaultMaxSessionBytes;
  const caps = {
    share: fairShare('postgres', options),
    maxSessions: options.maxSessions ?? 100_000,
    maxEvictionRecords: options.maxEvictionRecords ?? 10_000,
  };
  const pool = {
    maxConnections: options.maxConnections ?? 5,
    connectTimeoutMs: options.connectTimeoutMs ?? 1000,
    statementTimeoutMs: options.statementTimeoutMs ?? 1000,
    idleTimeoutMs: options.idleTimeoutMs ?? 10_000,
  };
  const { maxSessions, maxEvictionRecords } = caps;
  const limits = { ttlSeconds, maxSessionBytes, maxSessions, maxEvictionRecords, ...pool };
  for (const [name, value] of Object.entries(limits)) {
    positiveInteger('postgres', name, value);
  }
  const ttlMs = ttlSeconds * 1000;
  const cookieName = options.cookieName ?? 'postgres_session';
  const cookiePath = options.cookiePath ?? '/api/demo/postgres';
  const attributes: CookieOptions = { httpOnly: true, sameSite: 'Lax', secure, path: cookiePath };
  const link = new PostgresLink({
    url: options.url,
    notConfigured: postgresNotConfiguredMessage,
    ...pool,
    log: options.log ?? console.warn,
  });
  const location = `PostgreSQL table demo_session at ${link.address ?? '(not configured)'}`;

  const info: StoreInfo = {
    id: 'postgres',
    title: postgresIdentity.title,
    where: 'server',
    summary:
      'A row per session in a PostgreSQL table that every server instance on every machine ' +
      'queries: the cookie carries a random id and secret, the database keeps the data and only a ' +
      'hash of the secret, so any session can be listed or revoked everywhere at once.',
    revokeCounts: postgresRevokeCounts,
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
  };

  const timed = <T>(ctx: DemoContext, description: string, work: () => Promise<T>) =>
    ctx.timer.measure('store', `PostgreSQL ${description}`, work);

  /** What load verified, by request, so that save need not SELECT and hash again. */
  const verifiedInRequest = new WeakMap<CookieJar, Verified>();

  /** The row this request's load verified, while the browser still sends the same token. */
  const verifiedId = (ctx: DemoContext): string | undefined => {
    const verified = verifiedInRequest.get(ctx.cookies);
    return verified && ctx.cookies.get(cookieName) === verified.token ? verified.id : undefined;
  };

  const lookup = (ctx: DemoContext, measured = true): Promise<Lookup> =>
    lookupSession(link, ctx, cookieName, measured);

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

  async function load(ctx: DemoContext): Promise<Loaded> {
    const found = await lookup(ctx);
    switch (found.kind) {
      case 'none':
        await link.reachable();
        return { status: 'new', data: {} };
      case 'malformed':
        await link.reachable();
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
        const extend = shouldExtend(row.expiresAt, now, ttlMs);
        const expiresAt = extend ? now + ttlMs : row.expiresAt;
        const lastSeenAt = lastSeenAfter(row.lastSeenAt, now);
        if (extend || lastSeenAt !== row.lastSeenAt) {
          await timed(ctx, 'UPDATE (extend)', () =>
            link.query(sql.touch, [new Date(expiresAt), new Date(lastSeenAt), row.id]),
          );
        }
        // As Lucia's guide does: the browser's copy must expire no earlier than the row.
        if (extend) sendCookie(ctx, token, expiresAt);
        verifiedInRequest.set(ctx.cookies, { token, id: row.id, expiresAt });
        return { status: 'ok', data: JSON.parse(row.data) as SessionData };
      }
    }
  }

  return {
    info,
    admin: createPostgresAdmin(link),
    counterFixes: postgresCounterFixes(link, verifiedId, timed),
    notConfigured: options.url === null ? postgresNotConfiguredMessage : null,

    async load(ctx: DemoContext): Promise<Loaded> {
      try {
        return await load(ctx);
      } catch (error) {
        if (error instanceof StoreUnavailableError) {
          return { status: 'unavailable', reason: error.message, data: {} };
        }
        throw error;
      }
    },

    async save(ctx: DemoContext, data: SessionData): Promise<void> {
      const serialized = JSON.stringify(data);
      assertSessionFits(info.title, serialized, maxSessionBytes);
      const bytes = Buffer.byteLength(serialized, 'utf8');
      const now = ctx.now();
      const owner = sessionOwner(ctx);

      /** Writes over a live row; false when no row matched, so nothing was written. */
      const update = async ({ token, id, expiresAt: current }: Verified, unchanged: boolean) => {
        const extend = shouldExtend(current, now, ttlMs);
        const expiresAt = extend ? now + ttlMs : current;
        const values = [serialized, bytes, new Date(expiresAt), owner, id, new Date(now)];
        const result = await timed(ctx, 'UPDATE', () =>
          unchanged
            ? link.query(sql.updateUnchanged, [...values, new Date(current)])
            : link.query(sql.update, values),
        );
        if (result.rowCount !== 1) return false;
        if (extend) sendCookie(ctx, token, expiresAt);
        verifiedInRequest.set(ctx.cookies, { token, id, expiresAt });
        return true;
      };

      const verified = verifiedInRequest.get(ctx.cookies);
      if (
        verified &&
        ctx.cookies.get(cookieName) === verified.token &&
        (await update(verified, true))
      ) {
        return;
      }
      const found = await lookup(ctx);
      if (found.kind === 'valid') {
        const { row, token } = found;
        if (await update({ token, id: row.id, expiresAt: row.expiresAt }, false)) return;
      }
      if (found.kind !== 'none' && found.kind !== 'malformed') {
        // The session was live when this request loaded it but was revoked or expired since:
        // writing it into a new session would undo a "log out everywhere" made meanwhile.
        clearCookie(ctx);
        return;
      }

      const { id, secret, token } = generateSessionToken();
      const secretHash = ctx.timer.measureSync('crypto', 'SHA-256', () => hashSecret(secret));
      const expiresAt = now + ttlMs;
      const session = {
        id,
        secretHash: Buffer.from(secretHash),
        owner,
        visitor: sessionVisitor(ctx),
        data: serialized,
        bytes,
        now,
        expiresAt,
      };
      await timed(ctx, 'INSERT within fair share', () =>
        link.transaction((client) => insertFairly(client, session, caps)),
      );
      sendCookie(ctx, token, expiresAt);
      verifiedInRequest.set(ctx.cookies, { token, id, expiresAt });
    },

    async destroy(ctx: DemoContext): Promise<void> {
      verifiedInRequest.delete(ctx.cookies);
      const found = await lookup(ctx);
      if (found.kind === 'valid') {
        await timed(ctx, 'DELETE', () => link.query(sql.delete, [found.row.id]));
      }
      if (found.kind !== 'none') clearCookie(ctx);
    },

    async peek(ctx: DemoContext): Promise<ServerView | null> {
      const found = await lookup(ctx, false);
      if (found.kind !== 'valid') return null;
      const owner = sessionOwner(ctx);
      const ownerSessions =
        owner === null
          ? undefined
          : (await link.query<{ n: number }>(sql.countOwned, [owner, new Date(ctx.now())])).rows[0]!
              .n;
      return {
        key: found.row.id,
        bytes: found.row.bytes,
        expiresAt: found.row.expiresAt,
        location,
        ...(ownerSessions !== undefined && { ownerSessions }),
      };
    },

    async revokeAll(ctx: DemoContext): Promise<number> {
      const owner = sessionOwner(ctx);
      if (owner === null) return 0;
      const now = ctx.now();
      const { rows } = await timed(ctx, 'DELETE (every session of the owner)', () =>
        link.query<{ expires_at: Date }>(sql.deleteOwned, [owner]),
      );
      verifiedInRequest.delete(ctx.cookies);
      // Expired rows go too, but only the live ones were sessions someone could still use.
      return rows.filter((row) => row.expires_at.getTime() > now).length;
    },

    async sweep(now: number): Promise<number> {
      // Nothing to sweep in a database that is not there.
      if (options.url === null) return 0;
      const at = new Date(now);
      await link.query(sql.sweepEvictions, [at]);
      let removed = 0;
      for (let batch = 0; batch < SWEEP_MAX_BATCHES; batch++) {
        const { rowCount } = await link.query(sql.sweepBatch, [at, SWEEP_BATCH]);
        removed += rowCount ?? 0;
        if ((rowCount ?? 0) < SWEEP_BATCH) break;
      }
      return removed;
    },

    ping: () => link.ping(),

    close: () => link.close(),
  };
}
