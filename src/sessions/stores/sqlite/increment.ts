/**
 * The SQLite store's fix for lost updates: the counter is changed by the database in one
 * statement, so no request can load it between another's read and write. It only works for a
 * change SQL can express (`+ 1` here); a handler that must compute the new value in code needs a
 * version check or a lock instead.
 */
import type { Database } from 'better-sqlite3';
import type { AtomicCounterFix } from '../../counter-fix';
import { preparedFor } from '../../prepared-statements';
import type { DemoContext, SessionData } from '../../types';

function prepareIncrement(db: Database) {
  // #region atomic-increment
  // The JSON path quotes the key ('$."counter"'), so a key with dots is one key, not a path. A
  // value that is not a number counts as 0, as the demo's own increment does.
  return db.prepare<{ id: string; path: string; now: number }, { data: string }>(
    `UPDATE demo_session
     SET data = next.data, bytes = length(CAST(next.data AS BLOB)), last_seen_at = @now
     FROM (SELECT json_set(data, @path,
                    CASE WHEN json_type(data, @path) IN ('integer', 'real')
                         THEN json_extract(data, @path) ELSE 0 END + 1) AS data
           FROM demo_session WHERE id = @id) AS next
     WHERE demo_session.id = @id AND demo_session.expires_at > @now
     RETURNING demo_session.data`,
  );
  // #endregion atomic-increment
}

const cache = new WeakMap<Database, ReturnType<typeof prepareIncrement>>();

/**
 * `verifiedId` names the row this request's load found valid (its secret checked); the update
 * touches only that row, and only while it is live.
 */
export function sqliteAtomicIncrement(
  db: Database,
  verifiedId: (ctx: DemoContext) => string | undefined,
  timed: <T>(ctx: DemoContext, work: () => T) => T,
): AtomicCounterFix {
  const statement = preparedFor(cache, db, prepareIncrement);
  return {
    kind: 'atomic',
    how: "one UPDATE … SET data = json_set(data, '$.counter', … + 1)",
    async increment(ctx: DemoContext, key: string): Promise<SessionData | null> {
      const id = verifiedId(ctx);
      if (id === undefined) return null;
      const row = timed(ctx, () => statement.get({ id, path: `$."${key}"`, now: ctx.now() }));
      return row ? (JSON.parse(row.data) as SessionData) : null;
    },
  };
}
