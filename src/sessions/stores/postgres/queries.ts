/**
 * Every statement the PostgreSQL store runs, with `$1`, `$2` … parameters, which node-postgres
 * sends apart from the SQL text, so a cookie value can never become SQL. Times are the store's
 * clock as `timestamptz`.
 */

export const sql = {
  // #region lookup
  // Both tables in one statement, so a live id, an evicted one and an unknown one all cost the
  // same round trip and one hash: the answer's timing tells nothing.
  select: `
    SELECT id, secret_hash, data, bytes, expires_at, last_seen_at,
           NULL AS cause, NULL::integer AS session_limit
    FROM demo_session WHERE id = $1
    UNION ALL
    SELECT id, secret_hash, NULL, NULL, expires_at, NULL, cause, session_limit
    FROM demo_session_eviction WHERE id = $1`,
  // #endregion lookup

  insert: `
    INSERT INTO demo_session
      (id, secret_hash, owner, visitor, data, bytes, created_at, expires_at, last_seen_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $7)`,

  // #region save
  // `expires_at > $6` makes a save that raced with expiry or revocation change nothing, so a
  // logout made meanwhile wins. A save without an owner leaves the row's owner as it was.
  update: `
    UPDATE demo_session
    SET data = $1, bytes = $2, expires_at = $3, last_seen_at = $6, owner = coalesce($4, owner)
    WHERE id = $5 AND expires_at > $6`,
  // The same write for the row this request's load verified, only while its expiry is still
  // what that load left ($7): if anything changed it since, the save looks the row up again.
  updateUnchanged: `
    UPDATE demo_session
    SET data = $1, bytes = $2, expires_at = $3, last_seen_at = $6, owner = coalesce($4, owner)
    WHERE id = $5 AND expires_at > $6 AND expires_at = $7`,
  // #endregion save

  touch: 'UPDATE demo_session SET expires_at = $1, last_seen_at = $2 WHERE id = $3',
  delete: 'DELETE FROM demo_session WHERE id = $1',
  countOwned:
    'SELECT count(*)::integer AS n FROM demo_session WHERE owner = $1 AND expires_at > $2',

  // #region revoke-all
  // One statement: every row of the owner goes at once, on every server that shares the table.
  deleteOwned: 'DELETE FROM demo_session WHERE owner = $1 RETURNING expires_at',
  // #endregion revoke-all

  // #region sweep
  // In batches, so one run never holds thousands of row locks at once. Several processes may
  // sweep together: a row one of them deleted is simply not found by the other.
  sweepBatch: `
    DELETE FROM demo_session WHERE id IN (
      SELECT id FROM demo_session WHERE expires_at <= $1 LIMIT $2)`,
  sweepEvictions: 'DELETE FROM demo_session_eviction WHERE expires_at <= $1',
  // #endregion sweep

  // The fair share, inside the insert's transaction (see `./fair-share.ts`).
  liveOwnedOldestFirst: `
    SELECT id FROM demo_session WHERE owner = $1 AND expires_at > $2
    ORDER BY last_seen_at, seq`,
  liveOfVisitorOldestFirst: `
    SELECT id FROM demo_session WHERE visitor = $1 AND expires_at > $2
    ORDER BY last_seen_at, seq`,
  count: 'SELECT count(*)::integer AS n FROM demo_session',
  deleteExpired: 'DELETE FROM demo_session WHERE expires_at <= $1',
  closestToExpiry: 'SELECT id FROM demo_session ORDER BY expires_at, seq LIMIT $1',
  recordEviction: `
    INSERT INTO demo_session_eviction
      (id, secret_hash, cause, session_limit, evicted_at, expires_at)
    SELECT id, secret_hash, $1, $2, $3, expires_at FROM demo_session WHERE id = $4
    ON CONFLICT (id) DO UPDATE SET
      cause = excluded.cause, session_limit = excluded.session_limit,
      evicted_at = excluded.evicted_at, expires_at = excluded.expires_at`,
  trimEvictions: `
    DELETE FROM demo_session_eviction WHERE id IN (
      SELECT id FROM demo_session_eviction ORDER BY evicted_at DESC, id OFFSET $1)`,

  // The admin face.
  countLive: `
    SELECT count(*)::integer AS sessions, coalesce(sum(bytes), 0)::bigint AS bytes
    FROM demo_session WHERE expires_at > $1`,
  selectOwned: `
    SELECT bytes, created_at, expires_at FROM demo_session
    WHERE owner = $1 AND expires_at > $2
    ORDER BY last_seen_at DESC, id`,
  deleteAll: 'DELETE FROM demo_session',
  deleteAllEvictions: 'DELETE FROM demo_session_eviction',
} as const;
