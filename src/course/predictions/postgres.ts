import { otherInstanceCheckpoint } from './server-memory';
import { logOutEverywhereCheckpoint } from './log-out-everywhere';
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
  logOutEverywhereCheckpoint('postgres-log-out-everywhere', 'postgres', 'postgres', {
    question:
      'You are signed in here and on another device, both sessions rows in PostgreSQL. You press “log out everywhere”. Is this browser still signed in afterwards?',
    signedOut:
      'One DELETE removed every row that names you, this browser’s included, on the database every instance shares; the cookie it still holds now names nothing.',
  }),
];
