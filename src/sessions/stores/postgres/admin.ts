/**
 * The PostgreSQL store seen from the instructor's and the learner's side: sessions are rows, so
 * they are counted, listed by owner and deleted with plain SQL, on the store's own pool.
 */
import type { StoreAdmin } from '../../store-kind';
import type { PostgresLink } from './connection';
import { sql } from './queries';

export function createPostgresAdmin(link: PostgresLink): StoreAdmin {
  return {
    async count(scope) {
      const { rows } = await link.query<{ sessions: number; bytes: string }>(sql.countLive, [
        new Date(scope.now),
      ]);
      const row = rows[0]!;
      // `sum` of integers is a bigint, which node-postgres returns as text.
      return { sessions: row.sessions, bytes: Number(row.bytes), note: null };
    },

    async empty() {
      const deleted = await link.transaction(async (client) => {
        const { rowCount } = await client.query(sql.deleteAll);
        await client.query(sql.deleteAllEvictions);
        return rowCount ?? 0;
      });
      return {
        outcome: 'emptied',
        deleted,
        detail: 'Deleted every demo_session row (and every eviction record).',
      };
    },

    async listOwned(owner, scope) {
      const { rows } = await link.query<{ bytes: number; created_at: Date; expires_at: Date }>(
        sql.selectOwned,
        [owner, new Date(scope.now)],
      );
      return rows.map((row) => ({
        bytes: row.bytes,
        createdAt: row.created_at.getTime(),
        expiresAt: row.expires_at.getTime(),
      }));
    },
  };
}

/** How "log out everywhere" counts here, for the panel. */
export const postgresRevokeCounts =
  'Counts the rows with your learner id that one DELETE … RETURNING removed and that were still live: the table can be queried, so the count is exact on every instance and machine.';
