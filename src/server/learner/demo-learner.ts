/**
 * The learner behind a demo request, read from the site's own session cookie in the request's
 * cookie jar, so any cookie it sets shows up in the panel's byte report like every other.
 */
import type { CookieJar } from '../../sessions/cookie-jar';
import type { AppContext } from '../platform/app-context';
import {
  LEARNER_SESSION_COOKIE,
  learnerSessionCookie,
  LearnerSessions,
  reserveLearnerId,
} from './learner-sessions';

const sessionsByDatabase = new WeakMap<AppContext['db'], LearnerSessions>();

export function learnerSessionsFor(app: AppContext): LearnerSessions {
  let sessions = sessionsByDatabase.get(app.db);
  if (!sessions) {
    sessions = new LearnerSessions(app.db);
    sessionsByDatabase.set(app.db, sessions);
  }
  return sessions;
}

export interface DemoLearner {
  /** The id the stores record as the owner of the sessions they save in this request. */
  readonly id: string;
  /**
   * Makes a reserved id a learner: their row, their session and the cookie (into the request's
   * jar). Call it only once a store holds something under the id; for a learner who already
   * exists it does nothing.
   */
  record(): void;
}

/**
 * The learner behind the request, or null. With `reserve`, a visitor without one gets an id that
 * exists nowhere yet: a write that is refused (too big, store full or down, bad input) then leaves
 * no learner, no learner session and no cookie behind. Only `record()` after a successful save
 * creates them, so the visitor's demo sessions have an owner to be found (and deleted) by.
 */
export function demoLearner(
  app: AppContext,
  cookies: CookieJar,
  { reserve, secure }: { reserve: boolean; secure: boolean },
): DemoLearner | null {
  const sessions = learnerSessionsFor(app);
  const validated = sessions.validateLearnerSessionToken(cookies.get(LEARNER_SESSION_COOKIE));
  if (validated) {
    if (validated.fresh) {
      const token = cookies.get(LEARNER_SESSION_COOKIE) ?? '';
      const cookie = learnerSessionCookie(token, validated.session.expiresAt, { secure });
      cookies.set(cookie.name, cookie.value, cookie.options);
    }
    return { id: validated.learner.id, record: () => {} };
  }
  if (!reserve) return null;
  const id = reserveLearnerId();
  let recorded = false;
  return {
    id,
    record() {
      if (recorded) return;
      recorded = true;
      const { token, session } = sessions.createLearnerWithSession(id);
      const cookie = learnerSessionCookie(token, session.expiresAt, { secure });
      cookies.set(cookie.name, cookie.value, cookie.options);
    },
  };
}
