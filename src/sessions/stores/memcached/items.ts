/**
 * What the Memcached store keeps besides sessions, and how it names them: the stored item, the
 * key of everything it writes under its prefix, and the lists of ids per owner and per address
 * that stand in for the key listing Memcached does not have.
 */
import { createHash, randomInt } from 'node:crypto';
import type { Client } from 'memjs';
import { encodeShareEviction, type EvictionCause } from '../../fair-share';
import { isWellFormedSessionId } from '../../server-session-id';
import { maxIndexedSessionsPerOwner, maxOwnerLength } from '../../session-owner';
import type { SessionData } from '../../types';

export interface StoredSession {
  expiresAt: number;
  /** Present together: who the session belongs to, and the generation it was stamped with. */
  owner?: string;
  gen?: number;
  data: SessionData;
}

/** Owner ids that are used in keys as they are; anything else is hashed to fit a key. */
const keySafeOwner = /^[A-Za-z0-9_-]{1,40}$/;

/**
 * Memcached keys are at most 250 bytes, without spaces or control characters, and an owner id may
 * be 128 characters of anything. '~' is outside `keySafeOwner`, so a hash never equals a raw id.
 */
export function ownerKeyPart(owner: string): string {
  if (keySafeOwner.test(owner)) return owner;
  return `~${createHash('sha256').update(owner).digest('base64url').slice(0, 32)}`;
}

/** Where a new generation starts: random, so no stamp from before an eviction can match it. */
export function freshGeneration(): number {
  return randomInt(1, 2 ** 31);
}

/** The keys the store writes, all under its prefix. */
export function memcachedKeys(keyPrefix: string) {
  return {
    keyFor: (id: string) => keyPrefix + id,
    // At most 200 + 10 + 40 bytes, within Memcached's 250.
    generationKeyFor: (owner: string) => `${keyPrefix}owner-gen:${ownerKeyPart(owner)}`,
    idListKeyFor: (owner: string) => `${keyPrefix}owner-ids:${ownerKeyPart(owner)}`,
    // 22 key-safe characters (`sessionVisitor`).
    visitorListKeyFor: (visitor: string) => `${keyPrefix}visitor-ids:${visitor}`,
    // At most 200 + 8 + 32 bytes; a hash, so the records are no list of ids.
    evictedKeyFor: (id: string) =>
      `${keyPrefix}evicted:${createHash('sha256').update(id).digest('base64url').slice(0, 32)}`,
  };
}

export type MemcachedKeys = ReturnType<typeof memcachedKeys>;

export function parseStored(text: string): StoredSession | null {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return null;
    const { expiresAt, owner, gen, data } = value as Partial<StoredSession>;
    if (typeof expiresAt !== 'number') return null;
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return null;
    if (owner === undefined && gen === undefined) return { expiresAt, data };
    // A stamp this store would not have written makes the item no session at all.
    if (typeof owner !== 'string' || owner === '' || owner.length > maxOwnerLength) return null;
    if (!Number.isSafeInteger(gen)) return null;
    return { expiresAt, owner, gen, data };
  } catch {
    return null;
  }
}

export async function listedIds(memcached: Client, listKey: string): Promise<string[]> {
  const { value } = await memcached.get(listKey);
  return value === null ? [] : value.toString('utf8').split(' ').filter(isWellFormedSessionId);
}

/**
 * Adds a new session to an owner's or an address's list, newest last, and evicts the oldest live
 * sessions the list names past its share. Unlocked: see the header comment.
 */
export async function joinList(
  memcached: Client,
  keys: MemcachedKeys,
  ownerTtlSeconds: number,
  list: { key: string; share: number; cause: EvictionCause },
  id: string,
  now: number,
): Promise<void> {
  let ids = (await listedIds(memcached, list.key)).filter((listed) => listed !== id);
  if (ids.length + 1 > list.share) {
    const items = await Promise.all(ids.map((listed) => memcached.get(keys.keyFor(listed))));
    const live = ids
      .map((listed, index) => {
        const value = items[index]?.value ?? null;
        return { listed, stored: value === null ? null : parseStored(value.toString('utf8')) };
      })
      .filter(({ stored }) => stored !== null && stored.expiresAt > now);
    const evicted = live.slice(0, Math.max(0, live.length + 1 - list.share));
    await Promise.all(
      evicted.map(({ listed, stored }) =>
        Promise.all([
          memcached.delete(keys.keyFor(listed)),
          memcached.set(keys.evictedKeyFor(listed), encodeShareEviction(list.cause, list.share), {
            expires: Math.max(1, Math.ceil((stored!.expiresAt - now) / 1000)),
          }),
        ]),
      ),
    );
    ids = live.slice(evicted.length).map(({ listed }) => listed);
  }
  ids.push(id);
  await memcached.set(list.key, ids.slice(-maxIndexedSessionsPerOwner).join(' '), {
    expires: ownerTtlSeconds,
  });
}

/** The current generation, made if missing; incrementing by 0 reads and creates atomically. */
export async function currentGeneration(
  memcached: Client,
  keys: MemcachedKeys,
  owner: string,
  ownerTtlSeconds: number,
): Promise<number> {
  const { value } = await memcached.increment(keys.generationKeyFor(owner), 0, {
    initial: freshGeneration(),
    expires: ownerTtlSeconds,
  });
  if (typeof value !== 'number') throw new Error('memcached returned no generation');
  return value;
}

/** Whether a stored session was signed out everywhere since it was stamped. */
export function signedOut(stored: StoredSession, current: number | null): boolean {
  return stored.owner !== undefined && stored.gen !== current;
}
