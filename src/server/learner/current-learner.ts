/**
 * The anonymous learner behind a request, read from (and, with something to store for them,
 * created into) the site's database session cookie. Kept out of a global middleware so demo
 * responses carry only the cookies their store sets: the panel reports every `Set-Cookie` it sends.
 */
import type { AstroCookies } from 'astro';
import type { OutgoingCookie } from '../../sessions/cookie-jar';
import { getAppContext } from '../platform/app-context';
import {
  blankLearnerSessionCookie,
  LEARNER_SESSION_COOKIE,
  LearnerSessions,
  learnerSessionCookie,
} from './learner-sessions';

export interface CurrentLearner {
  learnerId: string;
  sessionId: string;
}

let sessions: LearnerSessions | undefined;

function learnerSessions(): LearnerSessions {
  sessions ??= new LearnerSessions(getAppContext().db);
  return sessions;
}

/** Returns the learner, or null; refreshes or clears the cookie as validation requires. */
export function readLearner(cookies: AstroCookies, secure: boolean): CurrentLearner | null {
  const token = cookies.get(LEARNER_SESSION_COOKIE)?.value;
  if (!token) return null;
  const validated = learnerSessions().validateLearnerSessionToken(token);
  if (!validated) {
    setCookie(cookies, blankLearnerSessionCookie({ secure }));
    return null;
  }
  if (validated.fresh) {
    setCookie(cookies, learnerSessionCookie(token, validated.session.expiresAt, { secure }));
  }
  return { learnerId: validated.learner.id, sessionId: validated.session.id };
}

/**
 * Runs `write` (a synchronous database write, such as recording a quiz attempt) for the learner
 * behind the request. A visitor without one gets a learner and a session in the same transaction
 * as the write, and the cookie only after it committed: a write that throws leaves no learner.
 */
export function withLearner<T>(
  cookies: AstroCookies,
  secure: boolean,
  write: (learnerId: string) => T,
): { learner: CurrentLearner; result: T } {
  const existing = readLearner(cookies, secure);
  if (existing) return { learner: existing, result: write(existing.learnerId) };
  const created = learnerSessions().createLearnerFor(write);
  setCookie(cookies, learnerSessionCookie(created.token, created.session.expiresAt, { secure }));
  return {
    learner: { learnerId: created.learner.id, sessionId: created.session.id },
    result: created.result,
  };
}

function setCookie(cookies: AstroCookies, cookie: OutgoingCookie): void {
  const { options } = cookie;
  cookies.set(cookie.name, cookie.value, {
    httpOnly: options.httpOnly,
    secure: options.secure,
    sameSite:
      options.sameSite === 'None' ? 'none' : options.sameSite === 'Strict' ? 'strict' : 'lax',
    path: options.path ?? '/',
    expires: options.expires,
    maxAge: options.maxAge,
    // Values are base32 and need no encoding; keep them byte-identical to what the store issued.
    encode: (value) => value,
  });
}
