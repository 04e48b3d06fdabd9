/**
 * How the PostgreSQL store finds the session a cookie names: parse the token, read the row by id
 * (live or evicted, one statement), hash the secret and compare it in constant time. An unknown id
 * is checked against an all-zero hash, so it costs what a wrong secret costs.
 */
import { type EvictionCause, type EvictionRecord } from '../../fair-share';
import { isExpired, parseSessionToken, verifySecret } from '../../lucia-token';
import type { DemoContext } from '../../types';
import type { PostgresLink } from './connection';
import { sql } from './queries';

export interface SessionRow {
  id: string;
  data: string;
  bytes: number;
  expiresAt: number;
  lastSeenAt: number;
}

/** The session a request's load found valid: its token, its row, and the expiry load left it. */
export interface Verified {
  token: string;
  id: string;
  expiresAt: number;
}

export type Lookup =
  | { kind: 'none' }
  | { kind: 'malformed' }
  | { kind: 'not-issued' }
  | { kind: 'expired' }
  | { kind: 'evicted'; record: EvictionRecord }
  | { kind: 'valid'; token: string; row: SessionRow };

/** A row as node-postgres returns it: `bytea` as a Buffer, `timestamptz` as a Date. */
interface FoundRow {
  id: string;
  secret_hash: Buffer;
  data: string | null;
  bytes: number | null;
  expires_at: Date;
  last_seen_at: Date | null;
  cause: EvictionCause | null;
  session_limit: number | null;
}

// #region validate
/**
 * Finds the row the cookie names and checks its secret; an expired row is deleted on sight.
 * `measured` is off for the panel's own peek, which is not part of the request's work.
 */
export async function lookupSession(
  link: PostgresLink,
  ctx: DemoContext,
  cookieName: string,
  measured: boolean,
): Promise<Lookup> {
  const cookie = ctx.cookies.get(cookieName);
  if (!cookie) return { kind: 'none' };
  const parsed = parseSessionToken(cookie);
  if (!parsed) return { kind: 'malformed' };
  const timer = measured ? ctx.timer : null;
  const select = () => link.query<FoundRow>(sql.select, [parsed.id]);
  const { rows } = await (timer ? timer.measure('store', 'PostgreSQL SELECT', select) : select());
  const row = rows[0];
  const check = () => verifySecret(parsed.secret, row?.secret_hash ?? null);
  const matches = timer
    ? timer.measureSync('crypto', 'SHA-256 + constant-time compare', check)
    : check();
  if (!row || !matches) return { kind: 'not-issued' };
  const expiresAt = row.expires_at.getTime();
  if (row.cause !== null) {
    if (isExpired(expiresAt, ctx.now())) return { kind: 'expired' };
    return {
      kind: 'evicted',
      record: { cause: row.cause, limit: row.session_limit ?? 0, expiresAt },
    };
  }
  if (isExpired(expiresAt, ctx.now())) {
    const remove = () => link.query(sql.delete, [row.id]);
    await (timer ? timer.measure('store', 'PostgreSQL DELETE (expired)', remove) : remove());
    return { kind: 'expired' };
  }
  return {
    kind: 'valid',
    token: cookie,
    row: {
      id: row.id,
      data: row.data ?? '{}',
      bytes: row.bytes ?? 0,
      expiresAt,
      lastSeenAt: row.last_seen_at?.getTime() ?? expiresAt,
    },
  };
}
// #endregion validate
