/**
 * Looking up a class by its join code, with a wall against guessing: each client (address, or
 * IPv6 /64) may look up `joinLookupLimit` codes that find no class, e.g. 20 a minute; past that,
 * every lookup from it is refused, right or wrong, until its window ends, so a hit cannot be
 * told from a miss while it is limited. Lookups that find a class cost nothing: a classroom
 * behind one school address can all join at once.
 */
import type { AppContext } from '../platform/app-context';
import { findClassByCode, type Classroom } from '../instructor/classes';
import { addressBucket } from '../platform/rate-limit';

export type JoinLookup =
  | { kind: 'found'; classroom: Classroom }
  | { kind: 'missing' }
  | { kind: 'limited'; retryAfterSeconds: number };

export async function lookUpJoinCode(
  app: Pick<AppContext, 'db' | 'joinLookupLimiter'>,
  client: string,
  code: unknown,
): Promise<JoinLookup> {
  const bucket = addressBucket(client);
  const before = await app.joinLookupLimiter.check(bucket);
  if (!before.allowed) return { kind: 'limited', retryAfterSeconds: before.retryAfterSeconds };
  const classroom = await findClassByCode(app.db, code);
  if (classroom) return { kind: 'found', classroom };
  const counted = await app.joinLookupLimiter.recordFailure(bucket);
  return counted.allowed
    ? { kind: 'missing' }
    : { kind: 'limited', retryAfterSeconds: counted.retryAfterSeconds };
}
