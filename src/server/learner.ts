/**
 * The anonymous learner behind a request, read from (and, when asked, created into) the site's
 * database session cookie. Kept out of a global middleware so demo responses carry only the
 * cookies their store sets: the panel reports every `Set-Cookie` it sends.
 */
import type { AstroCookies } from 'astro';
import type { OutgoingCookie } from '../lab/cookie-jar';
import { getAppContext } from './app-context';
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

/** A learner gets a database session on their first quiz submission, not on their first visit. */
export function readOrCreateLearner(cookies: AstroCookies, secure: boolean): CurrentLearner {
  const existing = readLearner(cookies, secure);
  if (existing) return existing;
  const store = learnerSessions();
  const learner = store.createLearner();
  const { token, session } = store.createLearnerSession(learner.id);
  setCookie(cookies, learnerSessionCookie(token, session.expiresAt, { secure }));
  return { learnerId: learner.id, sessionId: session.id };
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
