/**
 * A new PostgreSQL session, inserted within its shares (see `../../fair-share.ts`): its learner's
 * and its address's least recently seen live rows past their shares go first, then, at the table's
 * cap, expired rows and the rows closest to expiry. An evicted row leaves its id, secret hash,
 * cause and expiry in `demo_session_eviction`, so only the holder of its secret learns why.
 *
 * Every process on every machine inserts into the same table, so counting and inserting must not
 * interleave: the transaction first takes an advisory lock held until COMMIT, and new sessions are
 * inserted one at a time across all of them (loads and saves of existing sessions never wait for
 * it). Without the lock, two processes could both count one free place and both take it.
 */
import type { EvictionCause, FairShare } from '../../fair-share';
import type { Queryable } from './connection';
import { sql } from './queries';

/** Any fixed number, apart from the schema's lock. */
const insertLockKey = 0x5e55_1a_c;

export interface NewSession {
  id: string;
  secretHash: Uint8Array;
  owner: string | null;
  visitor: string | null;
  data: string;
  bytes: number;
  now: number;
  expiresAt: number;
}

export interface TableCaps {
  share: FairShare;
  maxSessions: number;
  maxEvictionRecords: number;
}

// #region fair-share
/** Inserts the session after making room for it; returns how many live sessions were evicted. */
export async function insertFairly(
  client: Queryable,
  session: NewSession,
  caps: TableCaps,
): Promise<number> {
  await client.query('SELECT pg_advisory_xact_lock($1)', [insertLockKey]);
  const now = new Date(session.now);
  let evicted = 0;
  const evict = async (id: string, cause: EvictionCause, limit: number) => {
    await client.query(sql.recordEviction, [cause, limit, now, id]);
    await client.query(sql.delete, [id]);
    evicted++;
  };
  const shares = [
    [session.owner, sql.liveOwnedOldestFirst, caps.share.perOwner, 'owner-share'],
    [session.visitor, sql.liveOfVisitorOldestFirst, caps.share.perVisitor, 'visitor-share'],
  ] as const;
  for (const [group, oldestFirst, limit, cause] of shares) {
    if (group === null) continue;
    const { rows } = await client.query<{ id: string }>(oldestFirst, [group, now]);
    for (const { id } of rows.slice(0, Math.max(0, rows.length + 1 - limit))) {
      await evict(id, cause, limit);
    }
  }
  const counted = async () => (await client.query<{ n: number }>(sql.count)).rows[0]!.n;
  let count = await counted();
  if (count >= caps.maxSessions) {
    count -= (await client.query(sql.deleteExpired, [now])).rowCount ?? 0;
    await client.query(sql.sweepEvictions, [now]);
  }
  if (count >= caps.maxSessions) {
    const { rows } = await client.query<{ id: string }>(sql.closestToExpiry, [
      count - caps.maxSessions + 1,
    ]);
    for (const { id } of rows) await evict(id, 'store-full', caps.maxSessions);
  }
  await client.query(sql.insert, [
    session.id,
    session.secretHash,
    session.owner,
    session.visitor,
    session.data,
    session.bytes,
    now,
    new Date(session.expiresAt),
  ]);
  if (evicted > 0) await client.query(sql.trimEvictions, [caps.maxEvictionRecords]);
  return evicted;
}
// #endregion fair-share
