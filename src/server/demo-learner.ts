/**
 * The learner behind a demo request, read from the site's own session cookie in the request's
 * cookie jar, so any cookie it sets shows up in the panel's byte report like every other.
 */
import type { CookieJar } from '../lab/cookie-jar';
import type { AppContext } from './app-context';
import { LEARNER_SESSION_COOKIE, learnerSessionCookie, LearnerSessions } from './learner-sessions';

const sessionsByDatabase = new WeakMap<AppContext['db'], LearnerSessions>();

export function learnerSessionsFor(app: AppContext): LearnerSessions {
  let sessions = sessionsByDatabase.get(app.db);
  if (!sessions) {
    sessions = new LearnerSessions(app.db);
    sessionsByDatabase.set(app.db, sessions);
  }
  return sessions;
}

/**
 * The learner id, or null. With `create`, a visitor without one gets a learner and a session,
 * as on a first quiz submission: their demo sessions then have an owner to be found by.
 */
export function demoLearner(
  app: AppContext,
  cookies: CookieJar,
  { create, secure }: { create: boolean; secure: boolean },
): string | null {
  const sessions = learnerSessionsFor(app);
  const validated = sessions.validateLearnerSessionToken(cookies.get(LEARNER_SESSION_COOKIE));
  if (validated) {
    if (validated.fresh) {
      const token = cookies.get(LEARNER_SESSION_COOKIE) ?? '';
      const cookie = learnerSessionCookie(token, validated.session.expiresAt, { secure });
      cookies.set(cookie.name, cookie.value, cookie.options);
    }
    return validated.learner.id;
  }
  if (!create) return null;
  const learner = sessions.createLearner();
  const { token, session } = sessions.createLearnerSession(learner.id);
  const cookie = learnerSessionCookie(token, session.expiresAt, { secure });
  cookies.set(cookie.name, cookie.value, cookie.options);
  return learner.id;
}
