/**
 * The learner's own session cookie, read and refreshed the same way wherever a request arrives:
 * through the demo handler's cookie jar (so the panel counts every byte it sets) or through
 * Astro's cookies on pages and the other API routes. Both reach the database through the one
 * `LearnerSessions` of the app context.
 */
import type { AstroCookies } from 'astro';
import type { CookieOptions } from '../../sessions/cookie-jar';
import type { AppContext } from '../platform/app-context';
import {
  blankLearnerSessionCookie,
  LEARNER_SESSION_COOKIE,
  learnerSessionCookie,
  LearnerSessions,
} from './learner-sessions';

/** What the learner code needs of a request's cookies; `CookieJar` has exactly this shape. */
export interface CookieAccess {
  get(name: string): string | undefined;
  set(name: string, value: string, options: CookieOptions): void;
}

/** Astro's cookies seen as `CookieAccess`, values kept byte for byte as issued. */
export function astroCookieAccess(cookies: AstroCookies): CookieAccess {
  return {
    get: (name) => cookies.get(name)?.value,
    set(name, value, options) {
      cookies.set(name, value, {
        httpOnly: options.httpOnly,
        secure: options.secure,
        sameSite:
          options.sameSite === 'None' ? 'none' : options.sameSite === 'Strict' ? 'strict' : 'lax',
        path: options.path ?? '/',
        expires: options.expires,
        maxAge: options.maxAge,
        // Values are base32 and need no encoding; keep them byte-identical to what was issued.
        encode: (raw) => raw,
      });
    },
  };
}

const sessionsByDatabase = new WeakMap<AppContext['db'], LearnerSessions>();

/** The learner sessions of the app's database, made once. */
export function learnerSessionsFor(app: Pick<AppContext, 'db'>): LearnerSessions {
  let sessions = sessionsByDatabase.get(app.db);
  if (!sessions) {
    sessions = new LearnerSessions(app.db);
    sessionsByDatabase.set(app.db, sessions);
  }
  return sessions;
}

export interface ValidLearnerCookie {
  learnerId: string;
  sessionId: string;
}

/**
 * The learner the cookie names, or null. A session near its expiry is extended and its cookie
 * sent again; with `clearInvalid`, a cookie that names no valid session is cleared.
 */
export async function validateLearnerCookie(
  app: Pick<AppContext, 'db'>,
  cookies: CookieAccess,
  { secure, clearInvalid }: { secure: boolean; clearInvalid: boolean },
): Promise<ValidLearnerCookie | null> {
  const token = cookies.get(LEARNER_SESSION_COOKIE);
  if (!token) return null;
  const validated = await learnerSessionsFor(app).validateLearnerSessionToken(token);
  if (!validated) {
    if (clearInvalid) send(cookies, blankLearnerSessionCookie({ secure }));
    return null;
  }
  if (validated.fresh) {
    send(cookies, learnerSessionCookie(token, validated.session.expiresAt, { secure }));
  }
  return { learnerId: validated.learner.id, sessionId: validated.session.id };
}

/** Issues a new learner session's cookie. */
export function sendLearnerCookie(
  cookies: CookieAccess,
  token: string,
  expiresAt: Date,
  secure: boolean,
): void {
  send(cookies, learnerSessionCookie(token, expiresAt, { secure }));
}

function send(
  cookies: CookieAccess,
  cookie: { name: string; value: string; options: CookieOptions },
) {
  cookies.set(cookie.name, cookie.value, cookie.options);
}
