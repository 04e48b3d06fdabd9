/**
 * The Memcached store seen from the instructor's side. Memcached cannot list its keys, and
 * `flush_all` would empty the whole server, other applications' data included. So its sessions
 * cannot be counted, and emptying it signs out every learner seen within the session lifetime:
 * `revokeAll` bumps each one's generation, so every session stamped before is refused wherever it
 * is, and the ones their owner list names are deleted at once. Every demo write gives the visitor
 * a learner, so that reaches every demo session the site made.
 */
import { CookieJar } from '../../cookie-jar';
import type { StoreAdmin } from '../../store-kind';
import { Timer } from '../../timer';
import type { SessionStore } from '../../types';

/** One reset signs out at most this many learners; the report then says it was incomplete. */
export const maxSignedOutLearners = 20_000;
const concurrency = 8;
/** A learner's last-seen time moves at most once a minute, so look a little further back. */
const lastSeenSlackMs = 2 * 60 * 1000;

export function createMemcachedAdmin(
  store: Pick<SessionStore, 'revokeAll'>,
  lifetimeSeconds: number,
): StoreAdmin {
  return {
    async count() {
      return { uncountable: 'Memcached cannot list its keys, so its sessions cannot be counted.' };
    },

    async empty(scope) {
      const since = scope.now - lifetimeSeconds * 1000 - lastSeenSlackMs;
      const learners = await scope.ownersSeenSince(since, maxSignedOutLearners + 1);
      const truncated = learners.length > maxSignedOutLearners;
      const queue = learners.slice(0, maxSignedOutLearners);
      const instance = scope.instances[0]!;
      let deleted = 0;
      const worker = async () => {
        for (let owner = queue.pop(); owner !== undefined; owner = queue.pop()) {
          deleted += await store.revokeAll!({
            cookies: new CookieJar(),
            instance,
            timer: new Timer(),
            now: () => scope.now,
            owner,
          });
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      const signedOut = Math.min(learners.length, maxSignedOutLearners);
      const hours = Math.round(lifetimeSeconds / 3600);
      const detail =
        `Memcached cannot list its keys and flush_all would empty the whole server, so the ` +
        `${signedOut} learners seen in the last ${hours} h were signed out of it: every session stamped ` +
        `for them is refused from now on; ${deleted} listed sessions were deleted at once.`;
      return truncated
        ? {
            outcome: 'incomplete',
            deleted,
            detail: `${detail} Learners seen less recently were not reached; their sessions expire within ${hours} h.`,
          }
        : { outcome: 'signed-out', deleted, detail };
    },
  };
}

/** What this store's "log out everywhere" count counts (shown beside the button). */
export const memcachedRevokeCounts =
  'Memcached cannot list its keys, so it signs sessions out by raising a generation number every session is stamped with, and counts only the sessions on its own list of your ids that were still live. That list is read, changed and written back without a lock: sessions that start at the same moment (a race sent before any cookie exists starts twenty) can drop off it. They are signed out all the same, just not counted or deleted until their next load, so this number can be lower than Redis’s for the same steps.';
