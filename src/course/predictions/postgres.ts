import { otherInstanceCheckpoint } from './server-memory';
import { describeResult, reportOf } from './read-results';
import type { Checkpoint } from './types';

/**
 * PostgreSQL is another server: when DATABASE_URL is not set here its demo answers 503, and the
 * press reports that the result could not be checked (see the press runner).
 */
export const postgresCheckpoints: Checkpoint[] = [
  otherInstanceCheckpoint(
    'postgres-fresh-instance',
    'postgres',
    'postgres',
    { write: 'fresh', read: 'fresh' },
    {
      yes: 'Every instance, a brand-new serverless one included, opens a connection to the same database, so the row the cookie names is there whichever instance answers.',
      no: 'The fresh instance did not find the row: it expired, was revoked or was evicted in between.',
    },
  ),
  {
    id: 'postgres-log-out-everywhere',
    lesson: 'postgres',
    store: 'postgres',
    question:
      'You are signed in here and on another device, both sessions rows in PostgreSQL. You press “log out everywhere”. Is this browser still signed in afterwards?',
    setup:
      'Pressing increments the counter, starts a second session as another device, logs out everywhere, then reads.',
    pressLabel: 'Sign in twice, log out everywhere, read',
    options: [
      {
        id: 'signed-out',
        label: 'No: the read finds no session',
        explanation:
          'One DELETE removed every row that names you, this browser’s included, on the database every instance shares; the cookie it still holds now names nothing.',
      },
      {
        id: 'still-in',
        label: 'Yes: only the other device was signed out',
        explanation: 'This browser’s session survived the revocation.',
      },
    ],
    steps: [
      { method: 'POST', action: { action: 'increment' } },
      { method: 'POST', action: { action: 'second-session' } },
      { method: 'POST', action: { action: 'revoke-all' } },
      { method: 'GET' },
    ],
    outcome(results) {
      const revoked = reportOf(results[2]);
      const read = reportOf(results[3]);
      if (!revoked || !read) return null;
      return {
        option: read.status === 'ok' ? 'still-in' : 'signed-out',
        observed: `${revoked.notice ?? 'Revoked.'} The read after it came back with ${describeResult(results[3])}.`,
      };
    },
  },
];
