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
import { preparedFor, type Database } from '../platform/database';

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

interface SessionRow {
  id: string;
  secret_hash: Uint8Array;
  learner_id: string;
  created_at: number;
  expires_at: number;
  last_seen_at: number;
  learner_created_at: number;
  learner_last_active_at: number;
}

type PublicSessionRow = Omit<
  SessionRow,
  'secret_hash' | 'learner_created_at' | 'learner_last_active_at'
>;

function prepareStatements(db: Database) {
  return {
    insertLearner: db.prepare<[string, number, number]>(
      'INSERT INTO learner (id, created_at, last_active_at) VALUES (?, ?, ?)',
    ),
    insertSession: db.prepare<[string, Uint8Array, string, number, number, number]>(
      `INSERT INTO learner_session (id, secret_hash, learner_id, created_at, expires_at, last_seen_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    ),
    selectSessionWithLearner: db.prepare<[string], SessionRow>(
      `SELECT s.id, s.secret_hash, s.learner_id, s.created_at, s.expires_at, s.last_seen_at,
              l.created_at AS learner_created_at, l.last_active_at AS learner_last_active_at
       FROM learner_session AS s JOIN learner AS l ON l.id = s.learner_id
       WHERE s.id = ?`,
    ),
    touchSession: db.prepare<[number, number, string]>(
      'UPDATE learner_session SET expires_at = ?, last_seen_at = ? WHERE id = ?',
    ),
    touchLearner: db.prepare<[number, string]>(
      'UPDATE learner SET last_active_at = ? WHERE id = ?',
    ),
    deleteSession: db.prepare<[string]>('DELETE FROM learner_session WHERE id = ?'),
    deleteLearnerSessions: db.prepare<[string]>('DELETE FROM learner_session WHERE learner_id = ?'),
    selectLearnerSessions: db.prepare<[string, number], PublicSessionRow>(
      `SELECT id, learner_id, created_at, expires_at, last_seen_at
       FROM learner_session WHERE learner_id = ? AND expires_at > ?
       ORDER BY last_seen_at DESC, id`,
    ),
    deleteExpired: db.prepare<[number]>('DELETE FROM learner_session WHERE expires_at <= ?'),
  };
}

const statementCache = new WeakMap<Database, ReturnType<typeof prepareStatements>>();

export class LearnerSessions {
  readonly #db: Database;
  readonly #statements: ReturnType<typeof prepareStatements>;
  readonly #now: () => number;
  readonly #lifetimeMs: number;

  constructor(db: Database, options: LearnerSessionsOptions = {}) {
    this.#db = db;
    this.#statements = preparedFor(statementCache, db, prepareStatements);
    this.#now = options.now ?? Date.now;
    this.#lifetimeMs = options.lifetimeMs ?? LEARNER_SESSION_LIFETIME_MS;
  }

  createLearner(id: string = reserveLearnerId()): Learner {
    const now = this.#now();
    this.#statements.insertLearner.run(id, now, now);
    return { id, createdAt: new Date(now) };
  }

  /**
   * A new learner and their first session, both or neither. Callers create one only when they
   * store something for the visitor (a quiz attempt, a demo session), never on a mere visit or a
   * refused request, so every learner row has something behind it.
   */
  createLearnerWithSession(id: string = reserveLearnerId()): {
    learner: Learner;
    token: string;
    session: LearnerSession;
  } {
    return this.#db.transaction(() => {
      const learner = this.createLearner(id);
      return { learner, ...this.createLearnerSession(learner.id) };
    })();
  }

  /**
   * A new learner, their first session and `write(learnerId)` (what is stored for them, such as a
   * quiz attempt) in one transaction: when `write` throws, none of it is kept.
   */
  createLearnerFor<T>(write: (learnerId: string) => T): {
    learner: Learner;
    token: string;
    session: LearnerSession;
    result: T;
  } {
    return this.#db.transaction(() => {
      const created = this.createLearnerWithSession();
      return { ...created, result: write(created.learner.id) };
    })();
  }

  createLearnerSession(learnerId: string): { token: string; session: LearnerSession } {
    const { id, secret, token } = generateSessionToken();
    const now = this.#now();
    const session: LearnerSession = {
      id,
      learnerId,
      createdAt: new Date(now),
      expiresAt: new Date(now + this.#lifetimeMs),
      lastSeenAt: new Date(now),
    };
    this.#statements.insertSession.run(
      id,
      hashSecret(secret),
      learnerId,
      now,
      now + this.#lifetimeMs,
      now,
    );
    return { token, session };
  }

  /**
   * The session a cookie value belongs to, or null. Anything that is not exactly the shape this
   * module issues is refused before the database sees it, so oversized or odd cookies cost nothing.
   */
  validateLearnerSessionToken(token: string | null | undefined): ValidatedLearnerSession | null {
    const parsed = parseSessionToken(token);
    if (!parsed) return null;
    const { id, secret } = parsed;

    const row = this.#statements.selectSessionWithLearner.get(id);
    // Hashed even for an unknown id, so timing does not tell "no such id" from "wrong secret".
    if (!verifySecret(secret, row?.secret_hash ?? null) || !row) return null;

    const now = this.#now();
    if (isExpired(row.expires_at, now)) {
      this.#statements.deleteSession.run(id);
      return null;
    }

    const fresh = shouldExtend(row.expires_at, now, this.#lifetimeMs);
    const expiresAt = fresh ? now + this.#lifetimeMs : row.expires_at;
    const lastSeenAt = lastSeenAfter(row.last_seen_at, now);
    if (fresh || lastSeenAt !== row.last_seen_at) {
      this.#statements.touchSession.run(expiresAt, lastSeenAt, id);
    }
    // Every request that knows its learner comes through here, so this is where activity is seen.
    if (now - row.learner_last_active_at >= LEARNER_ACTIVITY_PRECISION_MS) {
      this.#statements.touchLearner.run(now, row.learner_id);
    }

    return {
      session: toSession({ ...row, expires_at: expiresAt, last_seen_at: lastSeenAt }),
      learner: { id: row.learner_id, createdAt: new Date(row.learner_created_at) },
      fresh,
    };
  }

  // #region sign-out-everywhere
  invalidateLearnerSession(sessionId: string): void {
    this.#statements.deleteSession.run(sessionId);
  }

  /** Signs the learner out everywhere; returns how many sessions ended. */
  invalidateAllLearnerSessions(learnerId: string): number {
    return this.#statements.deleteLearnerSessions.run(learnerId).changes;
  }
  // #endregion sign-out-everywhere

  /** The learner's unexpired sessions, most recently used first. Never includes secret hashes. */
  listLearnerSessions(learnerId: string): LearnerSession[] {
    return this.#statements.selectLearnerSessions.all(learnerId, this.#now()).map(toSession);
  }

  /** Purges expired rows (validation only deletes those it meets); returns how many went. */
  deleteExpiredLearnerSessions(): number {
    return this.#statements.deleteExpired.run(this.#now()).changes;
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

function toSession(row: PublicSessionRow): LearnerSession {
  return {
    id: row.id,
    learnerId: row.learner_id,
    createdAt: new Date(row.created_at),
    expiresAt: new Date(row.expires_at),
    lastSeenAt: new Date(row.last_seen_at),
  };
}
