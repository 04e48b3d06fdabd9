/**
 * The PostgreSQL store's fixes for lost updates, shown live by the race demo as SQLite's are:
 *
 * - atomic: the database adds one to the counter in one UPDATE computed from the row itself, so
 *   a concurrent UPDATE waits for the row lock and then works on the committed value;
 * - version: optimistic concurrency. The save goes through only if the row still holds the
 *   session this request loaded, compared as `jsonb` (equal in meaning, whatever the spacing or
 *   key order); otherwise nothing is written and the handler loads again and retries. Under READ
 *   COMMITTED a second UPDATE waits for the first and then re-checks its WHERE on the new row.
 */
import type { CounterFix } from '../../counter-fix';
import type { DemoContext, SessionData } from '../../types';
import type { PostgresLink } from './connection';

// #region atomic-increment
/** The session with `key` (a number, or 0 when it is anything else) plus one, as text. */
const incremented = `jsonb_set(data::jsonb, ARRAY[$2::text], to_jsonb(
    CASE WHEN jsonb_typeof(data::jsonb -> $2::text) = 'number'
         THEN (data::jsonb ->> $2::text)::numeric ELSE 0 END + 1))::text`;

const increment = `
  UPDATE demo_session
  SET data = ${incremented}, bytes = octet_length(${incremented}), last_seen_at = $3
  WHERE id = $1 AND expires_at > $3
  RETURNING data`;
// #endregion atomic-increment

// #region version-check
const saveIfUnchanged = `
  UPDATE demo_session SET data = $2, bytes = $3, last_seen_at = $4
  WHERE id = $1 AND data::jsonb = $5::jsonb AND expires_at > $4`;
// #endregion version-check

/**
 * `verifiedId` names the row this request's load found valid (its secret checked); the fixes
 * touch only that row, and only while it is live.
 */
export function postgresCounterFixes(
  link: PostgresLink,
  verifiedId: (ctx: DemoContext) => string | undefined,
  timed: <T>(ctx: DemoContext, description: string, work: () => Promise<T>) => Promise<T>,
): CounterFix[] {
  return [
    {
      kind: 'atomic',
      how: 'one UPDATE … SET data = jsonb_set(data, {counter}, … + 1)',
      async increment(ctx: DemoContext, key: string): Promise<SessionData | null> {
        const id = verifiedId(ctx);
        if (id === undefined) return null;
        const result = await timed(ctx, 'UPDATE (atomic increment)', () =>
          link.query<{ data: string }>(increment, [id, key, new Date(ctx.now())]),
        );
        const row = result.rows[0];
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
        const result = await timed(ctx, 'UPDATE (if unchanged)', () =>
          link.query(saveIfUnchanged, [
            id,
            serialized,
            Buffer.byteLength(serialized, 'utf8'),
            new Date(ctx.now()),
            JSON.stringify(loaded),
          ]),
        );
        return result.rowCount === 1;
      },
    },
  ];
}
