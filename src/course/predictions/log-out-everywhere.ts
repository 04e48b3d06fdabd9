import type { StoreId } from '../../sessions/catalog';
import { describeResult, reportOf } from './read-results';
import type { Checkpoint } from './types';

/**
 * Signed in here and on a second device, then "log out everywhere": is this browser still signed
 * in? The same press for every database store; `signedOut` says why, in the store's own terms.
 */
export function logOutEverywhereCheckpoint(
  id: string,
  lesson: string,
  store: StoreId,
  { question, signedOut }: { question: string; signedOut: string },
): Checkpoint {
  return {
    id,
    lesson,
    store,
    question,
    setup:
      'Pressing increments the counter, starts a second session as another device, logs out everywhere, then reads.',
    pressLabel: 'Sign in twice, log out everywhere, read',
    options: [
      { id: 'signed-out', label: 'No: the read finds no session', explanation: signedOut },
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
  };
}
