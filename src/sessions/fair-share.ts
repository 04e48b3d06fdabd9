/**
 * Fair share of the shared demo stores. Every server store has a global cap, and a visitor who
 * starts sessions in a loop would otherwise fill it for everyone. So each store also limits how
 * many live sessions one learner (`ctx.owner`) and one network address (`ctx.clientAddress`) may
 * keep in it. Past a share, that learner's or address's own oldest session goes; at the global cap,
 * the store's oldest session goes. A newcomer is never refused. Whoever loses a session this way
 * is told so on their next load (status `evicted`), with the reason, from a small bounded record
 * of evicted ids.
 */
import { hash } from 'node:crypto';
import { isIP } from 'node:net';
import { wholeNumberBetween } from './stores/common/store-options';
import { maxIndexedSessionsPerOwner } from './session-owner';
import type { DemoContext } from './types';

/**
 * Live sessions one learner may keep in one store (in one instance, for memory and filesystem).
 * The demos need a handful: this browser, the "second device", a few tabs or forged cookies. 20
 * leaves room for all of that, and keeps one learner below 0.2 % of a full directory.
 */
export const defaultMaxSessionsPerOwner = 20;

/**
 * Live sessions one network address may keep in one store, with or without a learner id. It bounds
 * a visitor who drops cookies (each cookieless write is a new learner), and is wider than the
 * learner share because a class behind one router shares one address: 30 to 50 learners with a
 * session or two each fit. One address can then hold at most 1 % of a memory instance or a
 * filesystem directory (10 000) and 0.1 % of the SQLite table (100 000).
 */
export const defaultMaxSessionsPerVisitor = 100;

/** Why a store dropped a live session. */
export type EvictionCause = 'store-full' | 'owner-share' | 'visitor-share';

/** What a store remembers about a session it evicted, until the session would have expired. */
export interface EvictionRecord {
  cause: EvictionCause;
  /** The limit that was reached: sessions, or bytes when `unit` says so. */
  limit: number;
  unit?: 'sessions' | 'bytes';
  /** When the evicted session would have expired; the record is worthless after that. */
  expiresAt: number;
}

/** The learner and address shares a store enforces; both checked when the store is made. */
export interface FairShare {
  perOwner: number;
  perVisitor: number;
}

export function fairShare(
  store: string,
  options: { maxSessionsPerOwner?: number; maxSessionsPerVisitor?: number },
): FairShare {
  // An owner index holds at most `maxIndexedSessionsPerOwner` ids: a share above it could not
  // be counted.
  return {
    perOwner: wholeNumberBetween(
      store,
      'maxSessionsPerOwner',
      options.maxSessionsPerOwner ?? defaultMaxSessionsPerOwner,
      1,
      maxIndexedSessionsPerOwner,
    ),
    perVisitor: wholeNumberBetween(
      store,
      'maxSessionsPerVisitor',
      options.maxSessionsPerVisitor ?? defaultMaxSessionsPerVisitor,
      1,
      maxIndexedSessionsPerOwner,
    ),
  };
}

/**
 * The request's network address as a store may record it, or null when there is none. IPv6
 * addresses count by their /64 prefix: one home or phone gets a whole /64 and can pick any address
 * in it, so counting single IPv6 addresses would give one visitor billions of shares.
 *
 * Hashed (truncated SHA-256, base64url), so no store writes an address to a file or a row. That is
 * tidiness, not anonymity: without a secret, anyone holding a hash could find an IPv4 address by
 * trying all 2^32. The value lives only as long as its session.
 */
export function sessionVisitor(ctx: DemoContext): string | null {
  const address = ctx.clientAddress;
  if (typeof address !== 'string') return null;
  const group = addressGroup(address);
  return group === null
    ? null
    : hash('sha256', `session-lab visitor ${group}`, 'base64url').slice(0, 22);
}

/** A recorded visitor is 22 base64url characters; anything else in a file or row is ignored. */
export function isVisitorKey(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9_-]{22}$/.test(value);
}

/** Longer strings are not addresses; the rate limiter's key is bounded the same way. */
const maxAddressLength = 100;

/** The address, or its /64 for IPv6; other non-empty strings (a socket name) count as they are. */
export function addressGroup(address: string): string | null {
  const trimmed = address.trim();
  if (trimmed === '' || trimmed.length > maxAddressLength) return null;
  const bare = trimmed.replace(/%.*$/, '');
  if (isIP(bare) !== 6) return trimmed.toLowerCase();
  const groups = ipv6Groups(bare);
  if (groups === null) return trimmed.toLowerCase();
  // ::ffff:a.b.c.d is an IPv4 client reaching a dual-stack socket: count it as that IPv4 address.
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) {
    return [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff].join('.');
  }
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address (`isIP` has checked it). */
function ipv6Groups(address: string): number[] | null {
  const [head = '', tail] = address.toLowerCase().split('::');
  const parse = (part: string): number[] => {
    if (part === '') return [];
    const groups: number[] = [];
    for (const piece of part.split(':')) {
      if (piece.includes('.')) {
        const [a = 0, b = 0, c = 0, d = 0] = piece.split('.').map(Number);
        groups.push((a << 8) | b, (c << 8) | d);
      } else groups.push(Number.parseInt(piece, 16));
    }
    return groups;
  };
  const front = parse(head);
  const back = tail === undefined ? [] : parse(tail);
  const missing = 8 - front.length - back.length;
  if (missing < 0 || (tail === undefined && missing !== 0)) return null;
  return [...front, ...Array<number>(missing).fill(0), ...back];
}

/** How an evicted session is remembered: a hash, so the record is no list of session ids. */
export function evictionKey(id: string): string {
  return hash('sha256', id, 'base64url');
}

/** Evicted sessions one record keeps; past it the oldest records go first. */
export const defaultEvictionRecords = 2000;

/**
 * A bounded, expiring record of evicted sessions, by `evictionKey`: enough for the next load of
 * an evicted session to say what happened. Losing a record only loses the explanation.
 */
export class EvictionLog {
  readonly #records = new Map<string, EvictionRecord>();

  constructor(readonly capacity: number = defaultEvictionRecords) {}

  get size(): number {
    return this.#records.size;
  }

  record(key: string, record: EvictionRecord): void {
    this.#records.delete(key);
    this.#records.set(key, record);
    for (const oldest of this.#records.keys()) {
      if (this.#records.size <= this.capacity) break;
      this.#records.delete(oldest);
    }
  }

  find(key: string, now: number): EvictionRecord | undefined {
    const record = this.#records.get(key);
    if (record && now >= record.expiresAt) {
      this.#records.delete(key);
      return undefined;
    }
    return record;
  }

  forget(key: string): void {
    this.#records.delete(key);
  }

  purge(now: number): void {
    for (const [key, record] of this.#records)
      if (now >= record.expiresAt) this.#records.delete(key);
  }
}

/**
 * An eviction record as the network stores keep it, `<cause> <share>`: they hold it under a key of
 * its own, with the session's remaining lifetime as its TTL.
 */
export function encodeShareEviction(cause: EvictionCause, limit: number): string {
  return `${cause} ${limit}`;
}

export function decodeShareEviction(
  value: string | null | undefined,
): Pick<EvictionRecord, 'cause' | 'limit'> | null {
  const match = /^(owner-share|visitor-share) (\d{1,9})$/.exec(value ?? '');
  if (!match) return null;
  return { cause: match[1] as EvictionCause, limit: Number(match[2]) };
}

function describeLimit(record: Pick<EvictionRecord, 'limit' | 'unit'>): string {
  if (record.unit !== 'bytes') return `${record.limit} sessions`;
  const mib = 1024 * 1024;
  return record.limit % mib === 0
    ? `${record.limit / mib} MiB of sessions`
    : `${record.limit} bytes of sessions`;
}

/**
 * What a learner reads when their session was evicted. `place` names where it lived ("the SQLite
 * demo store", "the memory of instance 1"); `oldest` says what "oldest" means there.
 */
function liveSessions(count: number): string {
  return count === 1 ? '1 live session' : `${count} live sessions`;
}

export function evictionReason(
  record: Pick<EvictionRecord, 'cause' | 'limit' | 'unit'>,
  place: string,
  oldest = 'the oldest',
): string {
  switch (record.cause) {
    case 'store-full':
      return (
        `This session was evicted: ${place} holds at most ${describeLimit(record)}, and when a ` +
        `newer session needed room this one was ${oldest}, so it went first. A new session starts.`
      );
    case 'owner-share':
      return (
        `This session was evicted: you started another session while you already had ` +
        `${liveSessions(record.limit)} in ${place}, the most one learner may keep there, and ` +
        'your oldest goes first. A new session starts.'
      );
    case 'visitor-share':
      return (
        `This session was evicted: your network address started another session while it ` +
        `already had ${liveSessions(record.limit)} in ${place}, the most one address may keep ` +
        'there (so that no visitor can fill the store for everyone), and its oldest goes first. ' +
        'A new session starts.'
      );
  }
}
