import { notFoundAfterRestart, otherInstanceCheckpoint, restartCheckpoint } from './server-memory';
import type { Checkpoint } from './types';

/**
 * Redis and Memcached are other servers: when one is not configured here its demo answers 503,
 * and the press reports that the result could not be checked (see the press runner).
 */
export const redisMemcachedCheckpoints: Checkpoint[] = [
  otherInstanceCheckpoint(
    'redis-other-instance',
    'redis-memcached',
    'redis',
    { write: '1', read: '2' },
    {
      yes: 'Both instances talk to the same Redis server, so whichever instance answers finds the session the cookie names.',
      no: 'The second instance did not find the session in Redis: it expired or was evicted in between.',
    },
  ),
  restartCheckpoint('memcached-restart', 'redis-memcached', 'memcached', {
    yes: 'The session lives in the Memcached server, a separate process: restarting the app instance does not touch it.',
    no: notFoundAfterRestart,
  }),
];
