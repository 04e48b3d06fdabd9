/**
 * The learner behind a demo request, read from the site's own session cookie in the request's
 * cookie jar, so any cookie it sets shows up in the panel's byte report like every other.
 */
import type { CookieJar } from '../../sessions/cookie-jar';
import type { AppContext } from '../platform/app-context';
import { learnerSessionsFor, sendLearnerCookie, validateLearnerCookie } from './learner-cookie';
import { reserveLearnerId } from './learner-sessions';

export interface DemoLearner {
  /** The id the stores record as the owner of the sessions they save in this request. */
  readonly id: string;
  /**
   * Makes a reserved id a learner: their row, their session and the cookie (into the request's
   * jar). Call it only once a store holds something under the id; for a learner who already
   * exists it does nothing.
   */
  record(): Promise<void>;
}

/**
 * The learner behind the request, or null. With `reserve`, a visitor without one gets an id that
 * exists nowhere yet: a write that is refused (too big, store full or down, bad input) then leaves
 * no learner, no learner session and no cookie behind. Only `record()` after a successful save
 * creates them, so the visitor's demo sessions have an owner to be found (and deleted) by.
 */
export async function demoLearner(
  app: AppContext,
  cookies: CookieJar,
  { reserve, secure }: { reserve: boolean; secure: boolean },
): Promise<DemoLearner | null> {
  // An invalid learner cookie is left alone here: a demo response sets only its store's cookies.
  const valid = await validateLearnerCookie(app, cookies, { secure, clearInvalid: false });
  if (valid) return { id: valid.learnerId, record: async () => {} };
  if (!reserve) return null;
  const id = reserveLearnerId();
  let recorded = false;
  return {
    id,
    async record() {
      if (recorded) return;
      recorded = true;
      const { token, session } = await learnerSessionsFor(app).createLearnerWithSession(id);
      sendLearnerCookie(cookies, token, session.expiresAt, secure);
    },
  };
}
