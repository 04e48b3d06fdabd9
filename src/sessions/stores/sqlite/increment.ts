/**
 * The SQLite store's fixes for lost updates, both shown live by the race demo:
 *
 * - atomic: the counter is changed by the database in one statement, so no request can load it
 *   between another's read and write. It only works for a change SQL can express (`+ 1` here);
 * - version: optimistic concurrency. The save goes through only if the row still holds the session
 *   this request loaded; if another request saved first, nothing is written and the handler loads
 *   again, redoes its change and retries. The stored JSON itself serves as the version: a counter
 *   only grows, so it can never return to a value a slower request loaded (no ABA). A table
 *   meant for it would add a `version` column and compare that instead.
 */
import type { Database } from 'better-sqlite3';
import type { CounterFix } from '../../counter-fix';
import { preparedFor } from '../../prepared-statements';
import type { DemoContext, SessionData } from '../../types';

function prepareFixes(db: Database) {
  return {
    // #region atomic-increment
    // The JSON path quotes the key ('$."counter"'), so a key with dots is one key, not a path. A
    // value that is not a number counts as 0, as the demo's own increment does.
    increment: db.prepare<{ id: string; path: string; now: number }, { data: string }>(
      `UPDATE demo_session
       SET data = next.data, bytes = length(CAST(next.data AS BLOB)), last_seen_at = @now
       FROM (SELECT json_set(data, @path,
                      CASE WHEN json_type(data, @path) IN ('integer', 'real')
                           THEN json_extract(data, @path) ELSE 0 END + 1) AS data
             FROM demo_session WHERE id = @id) AS next
       WHERE demo_session.id = @id AND demo_session.expires_at > @now
       RETURNING demo_session.data`,
    ),
    // #endregion atomic-increment
    // #region version-check
    // Writes only if the row still holds what this request loaded; `changes` says whether it did.
    saveIfUnchanged: db.prepare<{
      id: string;
      loaded: string;
      next: string;
      bytes: number;
      now: number;
    }>(
      `UPDATE demo_session SET data = @next, bytes = @bytes, last_seen_at = @now
       WHERE id = @id AND data = @loaded AND expires_at > @now`,
    ),
    // #endregion version-check
  };
}

const cache = new WeakMap<Database, ReturnType<typeof prepareFixes>>();

/**
 * `verifiedId` names the row this request's load found valid (its secret checked); the fixes
 * touch only that row, and only while it is live.
 */
export function sqliteCounterFixes(
  db: Database,
  verifiedId: (ctx: DemoContext) => string | undefined,
  timed: <T>(ctx: DemoContext, work: () => T) => T,
): CounterFix[] {
  const statements = preparedFor(cache, db, prepareFixes);
  return [
    {
      kind: 'atomic',
      how: "one UPDATE … SET data = json_set(data, '$.counter', … + 1)",
      async increment(ctx: DemoContext, key: string): Promise<SessionData | null> {
        const id = verifiedId(ctx);
        if (id === undefined) return null;
        const path = `$."${key}"`;
        const row = timed(ctx, () => statements.increment.get({ id, path, now: ctx.now() }));
        return row ? (JSON.parse(row.data) as SessionData) : null;
      },
    },
    {
      kind: 'version',
      how: 'UPDATE … WHERE data = the session as loaded; on a conflict, load again and retry',
      async saveIfUnchanged(ctx, loaded, next): Promise<boolean> {
        const id = verifiedId(ctx);
        if (id === undefined) return false;
        const serialized = JSON.stringify(next);
        const { changes } = timed(ctx, () =>
          statements.saveIfUnchanged.run({
            id,
            // What load parsed, serialized the same way the store wrote it.
            loaded: JSON.stringify(loaded),
            next: serialized,
            bytes: Buffer.byteLength(serialized, 'utf8'),
            now: ctx.now(),
          }),
        );
        return changes === 1;
      },
    },
  ];
}
