import type { CookieOptions, OutgoingCookie } from '../../sessions/cookie-jar';
import {
  generateSessionToken,
  hashSecret,
  isExpired,
  lastSeenAfter,
  parseSessionToken,
  shouldExtend,
  verifySecret,
} from '../../sessions/lucia-token';
import type { SiteDb } from '../platform/site-db/open';

/*
 * The instructor's sign-in session: the same Lucia-style tokens as the learner's (`id.secret` in
 * the cookie, only the SHA-256 of the secret in `instructor_session`), with a shorter, sliding
 * lifetime because this cookie opens the class dashboards, exports and the reset.
 */

export const INSTRUCTOR_SESSION_COOKIE = 'session_lab_instructor';

const HOUR_MS = 60 * 60 * 1000;
/** A teaching day; sliding, so a dashboard left open on the projector stays signed in. */
export const INSTRUCTOR_SESSION_LIFETIME_MS = 12 * HOUR_MS;

export interface InstructorSession {
  id: string;
  createdAt: Date;
  expiresAt: Date;
  lastSeenAt: Date;
}

export interface ValidatedInstructorSession {
  session: InstructorSession;
  /** The expiry moved forward: send the cookie again so the browser's copy lasts as long. */
  fresh: boolean;
}

export class InstructorSessions {
  readonly #db: SiteDb;
  readonly #now: () => number;
  readonly #lifetimeMs: number;

  constructor(db: SiteDb, options: { now?: () => number; lifetimeMs?: number } = {}) {
    this.#db = db;
    this.#now = options.now ?? Date.now;
    this.#lifetimeMs = options.lifetimeMs ?? INSTRUCTOR_SESSION_LIFETIME_MS;
  }

  /** Starts a session after a correct token; expired rows are purged on the way. */
  async create(): Promise<{ token: string; session: InstructorSession }> {
    const { id, secret, token } = generateSessionToken();
    const now = this.#now();
    await this.#db.deleteFrom('instructor_session').where('expires_at', '<=', now).execute();
    const expiresAt = now + this.#lifetimeMs;
    await this.#db
      .insertInto('instructor_session')
      .values({
        id,
        secret_hash: hashSecret(secret),
        created_at: now,
        expires_at: expiresAt,
        last_seen_at: now,
      })
      .execute();
    return {
      token,
      session: {
        id,
        createdAt: new Date(now),
        expiresAt: new Date(expiresAt),
        lastSeenAt: new Date(now),
      },
    };
  }

  /** The session a cookie value belongs to, or null; anything not shaped like a token is refused. */
  async validate(token: string | null | undefined): Promise<ValidatedInstructorSession | null> {
    const parsed = parseSessionToken(token);
    if (!parsed) return null;
    const row = await this.#db
      .selectFrom('instructor_session')
      .select(['id', 'secret_hash', 'created_at', 'expires_at', 'last_seen_at'])
      .where('id', '=', parsed.id)
      .executeTakeFirst();
    // Hashed even for an unknown id, so timing does not tell "no such id" from "wrong secret".
    if (!verifySecret(parsed.secret, row?.secret_hash ?? null) || !row) return null;
    const now = this.#now();
    if (isExpired(row.expires_at, now)) {
      await this.invalidate(row.id);
      return null;
    }
    const fresh = shouldExtend(row.expires_at, now, this.#lifetimeMs);
    const expiresAt = fresh ? now + this.#lifetimeMs : row.expires_at;
    const lastSeenAt = lastSeenAfter(row.last_seen_at, now);
    if (fresh || lastSeenAt !== row.last_seen_at) {
      await this.#db
        .updateTable('instructor_session')
        .set({ expires_at: expiresAt, last_seen_at: lastSeenAt })
        .where('id', '=', row.id)
        .execute();
    }
    return {
      session: {
        id: row.id,
        createdAt: new Date(row.created_at),
        expiresAt: new Date(expiresAt),
        lastSeenAt: new Date(lastSeenAt),
      },
      fresh,
    };
  }

  async invalidate(sessionId: string): Promise<void> {
    await this.#db.deleteFrom('instructor_session').where('id', '=', sessionId).execute();
  }
}

function cookieOptions(secure: boolean, expires: Date): CookieOptions {
  // Strict: no other site can make the browser send this cookie, not even on a top-level link,
  // so a forged form or link never acts as the instructor. Following a link here from elsewhere
  // just shows the sign-in form once.
  return { httpOnly: true, sameSite: 'Strict', path: '/', secure, expires };
}

export function instructorSessionCookie(
  token: string,
  expiresAt: Date,
  { secure }: { secure: boolean },
): OutgoingCookie {
  return {
    name: INSTRUCTOR_SESSION_COOKIE,
    value: token,
    options: cookieOptions(secure, expiresAt),
  };
}

export function blankInstructorSessionCookie({ secure }: { secure: boolean }): OutgoingCookie {
  return {
    name: INSTRUCTOR_SESSION_COOKIE,
    value: '',
    options: { ...cookieOptions(secure, new Date(0)), maxAge: 0 },
  };
}
