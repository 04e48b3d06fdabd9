import { reportOf, storeSetCookie } from './read-results';
import type { Checkpoint } from './types';

/** End the SQLite demo session, then start a new one, so the response sets its cookie afresh. */
const newSqliteSession = [
  { method: 'POST', action: { action: 'destroy' } },
  { method: 'POST', action: { action: 'increment' } },
] as const;

export const securityCheckpoints: Checkpoint[] = [
  {
    id: 'security-httponly',
    lesson: 'security',
    store: 'sqlite',
    question:
      'A script injected into this page runs document.cookie. Will it see the SQLite session cookie?',
    setup:
      'Pressing starts a new SQLite session; the check reads the attributes of the Set-Cookie line the server sent.',
    pressLabel: 'Start a new session',
    options: [
      {
        id: 'hidden',
        label: 'No: the cookie is HttpOnly',
        explanation:
          'With HttpOnly the browser sends the cookie with requests but keeps it out of document.cookie, so an injected script cannot copy the session id (it can still act within the page).',
      },
      {
        id: 'visible',
        label: 'Yes: any script on the page can read it',
        explanation: 'The cookie was sent without HttpOnly, so page scripts can read it.',
      },
    ],
    steps: newSqliteSession,
    outcome(results) {
      const cookie = storeSetCookie(reportOf(results[1]));
      if (!cookie) return null;
      const httpOnly = cookie.attributes.HttpOnly === true;
      return {
        option: httpOnly ? 'hidden' : 'visible',
        observed: `The Set-Cookie line for ${cookie.name} has the attributes ${Object.keys(cookie.attributes).join(', ')}.`,
      };
    },
  },
  {
    id: 'security-samesite',
    lesson: 'security',
    store: 'sqlite',
    question:
      'Another site embeds an image that loads a URL of this site. Will that cross-site request carry the SQLite session cookie?',
    setup:
      'Pressing starts a new SQLite session; the check reads the SameSite attribute the server set on its cookie.',
    pressLabel: 'Start a new session',
    options: [
      {
        id: 'not-sent',
        label: 'No: SameSite keeps it off cross-site subrequests',
        explanation:
          'The cookie is SameSite=Lax (or Strict): browsers leave it off cross-site subrequests such as images, frames and fetches; Lax still sends it when the user follows a link here.',
      },
      {
        id: 'sent',
        label: 'Yes: cookies go with every request to their site',
        explanation:
          'The cookie is SameSite=None or has no usable SameSite, so it rides along on cross-site requests (where the browser allows third-party cookies).',
      },
    ],
    steps: newSqliteSession,
    outcome(results) {
      const cookie = storeSetCookie(reportOf(results[1]));
      if (!cookie) return null;
      const sameSite = cookie.attributes.SameSite;
      const restricted = sameSite === 'Lax' || sameSite === 'Strict';
      return {
        option: restricted ? 'not-sent' : 'sent',
        observed: `The Set-Cookie line for ${cookie.name} says SameSite=${typeof sameSite === 'string' ? sameSite : '(not set)'}.`,
      };
    },
  },
];
