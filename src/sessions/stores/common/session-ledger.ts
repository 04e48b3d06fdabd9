/**
 * The in-process bookkeeping of the memory and filesystem stores: every session's size, expiry,
 * owner and address, oldest first, with running totals, so deciding what to evict costs no I/O.
 * The ledger only decides and forgets; the store deletes what it says (a map entry, a file) and
 * records the evictions. Both stores are per instance, so one ledger covers one instance.
 */
import type { EvictionCause, EvictionRecord, FairShare } from '../../fair-share';

export interface LedgerEntry {
  bytes: number;
  expiresAt: number;
  /** The learner the session belongs to, or null. */
  owner: string | null;
  /** The hashed address that started the session (`sessionVisitor`), or null. */
  visitor: string | null;
}

export interface LedgerCaps extends FairShare {
  maxSessions: number;
  maxTotalBytes: number;
}

/** A session `makeRoom` took out of the ledger: expired ones are only tidied, not evicted. */
export interface LedgerRemoval<E extends LedgerEntry> {
  key: string;
  entry: E;
  cause: EvictionCause | 'expired';
  /** For `store-full`: which cap the store would have passed. */
  cap?: 'sessions' | 'bytes';
}

/** Session keys by group (an owner, an address), least recently saved first. */
class GroupIndex {
  readonly #members = new Map<string, Set<string>>();

  add(group: string, key: string): void {
    let keys = this.#members.get(group);
    if (!keys) {
      keys = new Set();
      this.#members.set(group, keys);
    }
    keys.delete(key);
    keys.add(key);
  }

  delete(group: string, key: string): void {
    const keys = this.#members.get(group);
    if (!keys) return;
    keys.delete(key);
    if (keys.size === 0) this.#members.delete(group);
  }

  /** A copy, oldest first, safe to remove from while iterating. */
  members(group: string): string[] {
    return [...(this.#members.get(group) ?? [])];
  }
}

export class SessionLedger<E extends LedgerEntry> {
  /** Insertion order is the eviction order: oldest first. */
  readonly #entries = new Map<string, E>();
  readonly #owners = new GroupIndex();
  readonly #visitors = new GroupIndex();
  #bytes = 0;

  get size(): number {
    return this.#entries.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  get(key: string): E | undefined {
    return this.#entries.get(key);
  }

  keys(): IterableIterator<string> {
    return this.#entries.keys();
  }

  /** Moves a session to the newest end without changing it (memory's LRU: a load is a use). */
  touch(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    this.#entries.set(key, entry);
  }

  /** Adds or replaces a session at the newest end. */
  put(key: string, entry: E): void {
    this.remove(key);
    this.#entries.set(key, entry);
    this.#bytes += entry.bytes;
    if (entry.owner !== null) this.#owners.add(entry.owner, key);
    if (entry.visitor !== null) this.#visitors.add(entry.visitor, key);
  }

  remove(key: string): E | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    this.#entries.delete(key);
    this.#bytes -= entry.bytes;
    if (entry.owner !== null) this.#owners.delete(entry.owner, key);
    if (entry.visitor !== null) this.#visitors.delete(entry.visitor, key);
    return entry;
  }

  /** The owner's sessions, least recently saved first, expired ones included. */
  ownedBy(owner: string): string[] {
    return this.#owners.members(owner);
  }

  liveOwnedBy(owner: string, now: number): number {
    return this.ownedBy(owner).filter((key) => now < (this.#entries.get(key)?.expiresAt ?? 0))
      .length;
  }

  /** Takes every expired session out and returns them. */
  removeExpired(now: number): LedgerRemoval<E>[] {
    const removed: LedgerRemoval<E>[] = [];
    for (const [key, entry] of this.#entries) {
      if (now >= entry.expiresAt) {
        this.remove(key);
        removed.push({ key, entry, cause: 'expired' });
      }
    }
    return removed;
  }

  // #region make-room
  /**
   * Makes room for `entry` under `key`, which leaves the ledger until the caller puts the entry
   * in, and returns what else had to go. A session that joins an owner or an address already at
   * its share pushes out that group's own oldest sessions; then, while the store would pass its
   * cap, expired sessions go, then the oldest. A newcomer is never refused.
   */
  makeRoom(key: string, entry: LedgerEntry, caps: LedgerCaps, now: number): LedgerRemoval<E>[] {
    // The stores check this when they are made; past it, emptying the store would not help.
    if (entry.bytes > caps.maxTotalBytes) {
      throw new RangeError(`a session of ${entry.bytes} bytes cannot fit in ${caps.maxTotalBytes}`);
    }
    const current = this.remove(key);
    const removed: LedgerRemoval<E>[] = [];
    const take = (victim: string, cause: LedgerRemoval<E>['cause'], cap?: 'sessions' | 'bytes') => {
      const gone = this.remove(victim);
      if (gone) removed.push({ key: victim, entry: gone, cause, ...(cap && { cap }) });
    };
    const shares = [
      [this.#owners, entry.owner, current?.owner, caps.perOwner, 'owner-share'],
      [this.#visitors, entry.visitor, current?.visitor, caps.perVisitor, 'visitor-share'],
    ] as const;
    for (const [index, group, before, share, cause] of shares) {
      // Only a session that joins the group can push it past its share.
      if (group === null || group === before) continue;
      const live: string[] = [];
      for (const member of index.members(group)) {
        if (now >= (this.#entries.get(member)?.expiresAt ?? 0)) take(member, 'expired');
        else live.push(member);
      }
      for (const oldest of live.slice(0, Math.max(0, live.length + 1 - share))) {
        take(oldest, cause);
      }
    }
    const over = () =>
      this.#entries.size + 1 > caps.maxSessions
        ? 'sessions'
        : this.#bytes + entry.bytes > caps.maxTotalBytes
          ? 'bytes'
          : null;
    if (over() === null) return removed;
    removed.push(...this.removeExpired(now));
    for (const oldest of this.#entries.keys()) {
      const cap = over();
      if (cap === null) break;
      take(oldest, 'store-full', cap);
    }
    return removed;
  }
  // #endregion make-room
}

/**
 * What the store remembers about a session the ledger evicted, for its next load; null for an
 * expired one, whose next load would have found it expired anyway.
 */
export function evictionRecord(
  caps: LedgerCaps,
  removal: LedgerRemoval<LedgerEntry>,
): EvictionRecord | null {
  const { cause, cap, entry } = removal;
  if (cause === 'expired') return null;
  const limit =
    cause === 'owner-share'
      ? caps.perOwner
      : cause === 'visitor-share'
        ? caps.perVisitor
        : cap === 'bytes'
          ? caps.maxTotalBytes
          : caps.maxSessions;
  return { cause, limit, unit: cap === 'bytes' ? 'bytes' : 'sessions', expiresAt: entry.expiresAt };
}
