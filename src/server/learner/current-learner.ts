/**
 * The anonymous learner behind a page or API request, read from (and, with something to store
 * for them, created into) the site's learner cookie. Kept out of a global middleware so demo
 * responses carry only the cookies their store sets: the panel reports every `Set-Cookie` it sends.
 */
import type { AstroCookies } from 'astro';
import { getAppContext } from '../platform/app-context';
import type { SiteDb } from '../platform/site-db/open';
import {
  astroCookieAccess,
  learnerSessionsFor,
  sendLearnerCookie,
  validateLearnerCookie,
  type ValidLearnerCookie,
} from './learner-cookie';

export type CurrentLearner = ValidLearnerCookie;

/** Returns the learner, or null; refreshes or clears the cookie as validation requires. */
export async function readLearner(
  cookies: AstroCookies,
  secure: boolean,
): Promise<CurrentLearner | null> {
  return validateLearnerCookie(getAppContext(), astroCookieAccess(cookies), {
    secure,
    clearInvalid: true,
  });
}

/**
 * Runs `write` (a database write on the `db` it is given, such as recording a quiz attempt) for
 * the learner behind the request. A visitor without one gets a learner and a session in the same transaction
 * as the write, and the cookie only after it committed: a write that throws leaves no learner.
 */
export async function withLearner<T>(
  cookies: AstroCookies,
  secure: boolean,
  write: (learnerId: string, db: SiteDb) => Promise<T>,
): Promise<{ learner: CurrentLearner; result: T }> {
  const app = getAppContext();
  const existing = await readLearner(cookies, secure);
  if (existing) return { learner: existing, result: await write(existing.learnerId, app.db) };
  const created = await learnerSessionsFor(app).createLearnerFor(write);
  sendLearnerCookie(astroCookieAccess(cookies), created.token, created.session.expiresAt, secure);
  return {
    learner: { learnerId: created.learner.id, sessionId: created.session.id },
    result: created.result,
  };
}
