import { learnerCookieName } from '../../lab/site-cookies';
import type { CookieOptions, OutgoingCookie } from '../../sessions/cookie-jar';
import {
  generateSessionToken,
  hashSecret,
  isExpired,
  lastSeenAfter,
  parseSessionToken,
  randomTokenPart,
  shouldExtend,
  verifySecret,
} from '../../sessions/lucia-token';
import type { SiteDb } from '../platform/site-db/open';
import type { LearnerSessionTable } from '../platform/site-db/tables';
import { changed, transaction } from '../platform/site-db/transactions';

/*
 * The anonymous learner's session, written the way Lucia's replacement guide does it. The token
 * rules (shape, hashing, constant-time check, sliding expiry) live in `lucia-token.ts`, shared with
 * the SQLite demo store, so the lesson's demo and the site's own sessions are the same code.
 */

export const LEARNER_SESSION_COOKIE = learnerCookieName;

const DAY_MS = 24 * 60 * 60 * 1000;
export const LEARNER_SESSION_LIFETIME_MS = 30 * DAY_MS;
/**
 * `learner.last_active_at` moves only when it is this stale, so an active learner costs one small
 * write an hour, not one per request; the 30-day purge does not need finer time.
 */
export const LEARNER_ACTIVITY_PRECISION_MS = 60 * 60 * 1000;

/**
 * An id for a learner who does not exist yet: a demo store can save a session under it, and the
 * learner is recorded (`createLearnerWithSession`) only once something was stored for them.
 */
export function reserveLearnerId(): string {
  return randomTokenPart();
}

export interface Learner {
  id: string;
  createdAt: Date;
}

export interface LearnerSession {
  id: string;
  learnerId: string;
  createdAt: Date;
  expiresAt: Date;
  lastSeenAt: Date;
}

export interface ValidatedLearnerSession {
  session: LearnerSession;
  learner: Learner;
  /** The expiry moved forward: send the cookie again so the browser's copy expires later too. */
  fresh: boolean;
}

export interface LearnerSessionsOptions {
  /** Milliseconds since the epoch; injectable so tests can move time. */
  now?: () => number;
  lifetimeMs?: number;
}

/** Sessions with their learner: the one read every request that carries the cookie makes. */
const sessionColumns = [
  's.id',
  's.secret_hash',
  's.learner_id',
  's.created_at',
  's.expires_at',
  's.last_seen_at',
] as const;

export class LearnerSessions {
  readonly #db: SiteDb;
  readonly #now: () => number;
  readonly #lifetimeMs: number;

  constructor(db: SiteDb, options: LearnerSessionsOptions = {}) {
    this.#db = db;
    this.#now = options.now ?? Date.now;
    this.#lifetimeMs = options.lifetimeMs ?? LEARNER_SESSION_LIFETIME_MS;
  }

  async createLearner(id: string = reserveLearnerId(), db = this.#db): Promise<Learner> {
    const now = this.#now();
    await db.insertInto('learner').values({ id, created_at: now, last_active_at: now }).execute();
    return { id, createdAt: new Date(now) };
  }

  /**
   * A new learner and their first session, both or neither. Callers create one only when they
   * store something for the visitor (a quiz attempt, a demo session), never on a mere visit or a
   * refused request, so every learner row has something behind it.
   */
  async createLearnerWithSession(id: string = reserveLearnerId()): Promise<{
    learner: Learner;
    token: string;
    session: LearnerSession;
  }> {
    return transaction(this.#db, async (trx) => {
      const learner = await this.createLearner(id, trx);
      return { learner, ...(await this.createLearnerSession(learner.id, trx)) };
    });
  }

  /**
   * A new learner, their first session and `write(learnerId, trx)` (what is stored for them, such
   * as a quiz attempt, written on `trx`) in one transaction: when `write` throws, none of it is kept.
   */
  async createLearnerFor<T>(write: (learnerId: string, trx: SiteDb) => Promise<T>): Promise<{
    learner: Learner;
    token: string;
    session: LearnerSession;
    result: T;
  }> {
    return transaction(this.#db, async (trx) => {
      const learner = await this.createLearner(reserveLearnerId(), trx);
      const created = await this.createLearnerSession(learner.id, trx);
      return { learner, ...created, result: await write(learner.id, trx) };
    });
  }

  async createLearnerSession(
    learnerId: string,
    db = this.#db,
  ): Promise<{ token: string; session: LearnerSession }> {
    const { id, secret, token } = generateSessionToken();
    const now = this.#now();
    const session: LearnerSession = {
      id,
      learnerId,
      createdAt: new Date(now),
      expiresAt: new Date(now + this.#lifetimeMs),
      lastSeenAt: new Date(now),
    };
    await db
      .insertInto('learner_session')
      .values({
        id,
        secret_hash: hashSecret(secret),
        learner_id: learnerId,
        created_at: now,
        expires_at: now + this.#lifetimeMs,
        last_seen_at: now,
      })
      .execute();
    return { token, session };
  }

  /**
   * The session a cookie value belongs to, or null. Anything that is not exactly the shape this
   * module issues is refused before the database sees it, so oversized or odd cookies cost nothing.
   */
  async validateLearnerSessionToken(
    token: string | null | undefined,
  ): Promise<ValidatedLearnerSession | null> {
    const parsed = parseSessionToken(token);
    if (!parsed) return null;
    const { id, secret } = parsed;

    const row = await this.#db
      .selectFrom('learner_session as s')
      .innerJoin('learner as l', 'l.id', 's.learner_id')
      .select([
        ...sessionColumns,
        'l.created_at as learner_created_at',
        'l.last_active_at as learner_last_active_at',
      ])
      .where('s.id', '=', id)
      .executeTakeFirst();
    // Hashed even for an unknown id, so timing does not tell "no such id" from "wrong secret".
    if (!verifySecret(secret, row?.secret_hash ?? null) || !row) return null;

    const now = this.#now();
    if (isExpired(row.expires_at, now)) {
      await this.invalidateLearnerSession(id);
      return null;
    }

    const fresh = shouldExtend(row.expires_at, now, this.#lifetimeMs);
    const expiresAt = fresh ? now + this.#lifetimeMs : row.expires_at;
    const lastSeenAt = lastSeenAfter(row.last_seen_at, now);
    if (fresh || lastSeenAt !== row.last_seen_at) {
      await this.#db
        .updateTable('learner_session')
        .set({ expires_at: expiresAt, last_seen_at: lastSeenAt })
        .where('id', '=', id)
        .execute();
    }
    // Every request that knows its learner comes through here, so this is where activity is seen.
    if (now - row.learner_last_active_at >= LEARNER_ACTIVITY_PRECISION_MS) {
      await this.#db
        .updateTable('learner')
        .set({ last_active_at: now })
        .where('id', '=', row.learner_id)
        .execute();
    }

    return {
      session: toSession({ ...row, expires_at: expiresAt, last_seen_at: lastSeenAt }),
      learner: { id: row.learner_id, createdAt: new Date(row.learner_created_at) },
      fresh,
    };
  }

  // #region sign-out-everywhere
  async invalidateLearnerSession(sessionId: string): Promise<void> {
    await this.#db.deleteFrom('learner_session').where('id', '=', sessionId).execute();
  }

  /** Signs the learner out everywhere; returns how many sessions ended. */
  async invalidateAllLearnerSessions(learnerId: string): Promise<number> {
    const result = await this.#db
      .deleteFrom('learner_session')
      .where('learner_id', '=', learnerId)
      .executeTakeFirst();
    return changed(result);
  }
  // #endregion sign-out-everywhere

  /** The learner's unexpired sessions, most recently used first. Never includes secret hashes. */
  async listLearnerSessions(learnerId: string): Promise<LearnerSession[]> {
    const rows = await this.#db
      .selectFrom('learner_session')
      .select(['id', 'learner_id', 'created_at', 'expires_at', 'last_seen_at'])
      .where('learner_id', '=', learnerId)
      .where('expires_at', '>', this.#now())
      .orderBy('last_seen_at', 'desc')
      .orderBy('id')
      .execute();
    return rows.map(toSession);
  }

  /** Purges expired rows (validation only deletes those it meets); returns how many went. */
  async deleteExpiredLearnerSessions(): Promise<number> {
    const result = await this.#db
      .deleteFrom('learner_session')
      .where('expires_at', '<=', this.#now())
      .executeTakeFirst();
    return changed(result);
  }
}

export function learnerSessionCookie(
  token: string,
  expiresAt: Date,
  { secure }: { secure: boolean },
): OutgoingCookie {
  return { name: LEARNER_SESSION_COOKIE, value: token, options: cookieOptions(secure, expiresAt) };
}

/** Tells the browser to drop the cookie, e.g. after sign-out or when validation failed. */
export function blankLearnerSessionCookie({ secure }: { secure: boolean }): OutgoingCookie {
  return {
    name: LEARNER_SESSION_COOKIE,
    value: '',
    options: { ...cookieOptions(secure, new Date(0)), maxAge: 0 },
  };
}

// #region cookie-options
function cookieOptions(secure: boolean, expires: Date): CookieOptions {
  // Lax still sends the cookie on top-level navigation from other sites (a link to a lesson keeps
  // the learner's progress) but not on cross-site posts, which blunts CSRF against quiz submits.
  return { httpOnly: true, sameSite: 'Lax', path: '/', secure, expires };
}
// #endregion cookie-options

function toSession(
  row: Omit<LearnerSessionTable, 'secret_hash'> & { secret_hash?: unknown },
): LearnerSession {
  return {
    id: row.id,
    learnerId: row.learner_id,
    createdAt: new Date(row.created_at),
    expiresAt: new Date(row.expires_at),
    lastSeenAt: new Date(row.last_seen_at),
  };
}
