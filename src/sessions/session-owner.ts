/**
 * Who a server-side session belongs to (`DemoContext.owner`, the site's anonymous learner id), so
 * "log out everywhere" and "your session data" can find every session of one person. The id is
 * opaque to the stores, but bounded: a caller's bug must not turn it into megabytes of index.
 */
import type { DemoContext } from './types';

/** Longer owner ids are ignored, as if the request had none. */
export const maxOwnerLength = 128;

/**
 * The most session ids a store indexes for one owner, and so the largest share of live sessions
 * one learner or address can be given (`fair-share.ts`). The shares keep live sessions far below
 * it; Redis and Memcached trim their lists to it too, since ids of sessions that are gone stay
 * listed until met, so a visitor who starts sessions in a loop cannot grow an index without limit.
 */
export const maxIndexedSessionsPerOwner = 1000;

/** The request's owner when it is one a store may record, else null. */
export function sessionOwner(ctx: DemoContext): string | null {
  const owner = ctx.owner;
  if (typeof owner !== 'string' || owner === '' || owner.length > maxOwnerLength) return null;
  return owner;
}
