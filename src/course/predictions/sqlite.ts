import { describeResult, flipMiddleCharacter, reportOf, storeSetCookie } from './read-results';
import { logOutEverywhereCheckpoint } from './log-out-everywhere';
import type { Checkpoint, StepResult } from './types';

/** The learner's `id.secret` cookie with one character of the secret changed. */
function wrongSecretCookie(earlier: readonly StepResult[]) {
  const cookie = storeSetCookie(reportOf(earlier.at(-1)));
  const [id = '', secret = ''] = (cookie?.value ?? '').split('.');
  return {
    method: 'POST' as const,
    action: {
      action: 'tamper' as const,
      cookie: cookie?.name ?? 'sqlite_session',
      value: `${id}.${flipMiddleCharacter(secret)}`,
    },
  };
}

export const sqliteCheckpoints: Checkpoint[] = [
  {
    id: 'sqlite-wrong-secret',
    lesson: 'sqlite',
    store: 'sqlite',
    question:
      'The cookie is id.secret and the table keeps only the secret’s SHA-256. You keep the id and change one character of the secret. Will the server find the session?',
    setup:
      'Pressing starts a new SQLite session, plants its cookie with one character of the secret changed, then reads.',
    pressLabel: 'Change the secret, then read',
    options: [
      {
        id: 'refused',
        label: 'No: the hash does not match, so it starts a new session',
        explanation:
          'The id finds the row, but the SHA-256 of the changed secret does not match the stored hash (compared in constant time), so the server treats the cookie as one it never issued.',
      },
      {
        id: 'found',
        label: 'Yes: the id alone finds the row',
        explanation: 'The server found the session by its id without checking the secret.',
      },
    ],
    steps: [
      { method: 'POST', action: { action: 'destroy' } },
      { method: 'POST', action: { action: 'increment' } },
      wrongSecretCookie,
      { method: 'GET' },
    ],
    outcome(results) {
      const read = reportOf(results[3]);
      if (!read) return null;
      return {
        option: read.status === 'ok' ? 'found' : 'refused',
        observed: `The read came back with ${describeResult(results[3])}${read.reason ? ` (${read.reason})` : ''}.`,
      };
    },
  },
  logOutEverywhereCheckpoint('sqlite-log-out-everywhere', 'sqlite', 'sqlite', {
    question:
      'You are signed in here and on another device. You press “log out everywhere”. Is this browser still signed in afterwards?',
    signedOut:
      'The server deleted every row that names you, this browser’s included; the cookie it still holds now names nothing. Only a server store can do this.',
  }),
];
