/**
 * The token rules of Lucia's replacement guide, shared by the learner session and the SQLite demo
 * store: the cookie holds `id.secret`, the database holds the id and only the SHA-256 of the secret.
 * A leaked database (or backup, or log of SQL) then gives no working cookies, and because the id is
 * looked up by index but the secret is compared in constant time, response timing reveals nothing
 * about the secret. Pure functions: no database, no clock of their own.
 */
import { hash } from 'node:crypto';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';

/**
 * 20 random bytes = 160 bits per part, above OWASP's 128 bits for self-generated ids. Base32 of 20
 * bytes is exactly 32 characters with no padding, which makes the token shape easy to check.
 */
export const TOKEN_PART_BYTES = 20;
export const TOKEN_PART_LENGTH = 32;
export const TOKEN_LENGTH = TOKEN_PART_LENGTH * 2 + 1;
const TOKEN_SHAPE = /^([a-z2-7]{32})\.([a-z2-7]{32})$/;

/** SHA-256 output, the length of every stored `secret_hash`. */
export const SECRET_HASH_BYTES = 32;

/**
 * Writing `last_seen_at` on every request would turn every page view into a write, and SQLite has
 * one writer at a time. A minute of precision is plenty for "active sessions" lists.
 */
export const LAST_SEEN_PRECISION_MS = 60_000;

export interface SessionToken {
  /** Public half: the database key, safe to show in lists and logs. */
  id: string;
  /** Private half: only its hash is stored. */
  secret: string;
  /** What the cookie carries: `id.secret`. */
  token: string;
}

// #region token
/** 160 bits from the platform CSPRNG as 32 lower-case base32 letters. */
export function randomTokenPart(): string {
  const bytes = new Uint8Array(TOKEN_PART_BYTES);
  crypto.getRandomValues(bytes);
  return encodeBase32LowerCaseNoPadding(bytes);
}

export function generateSessionToken(): SessionToken {
  const id = randomTokenPart();
  const secret = randomTokenPart();
  return { id, secret, token: `${id}.${secret}` };
}

/**
 * The id and secret of a token, or null for anything that is not exactly the shape this module
 * issues. The length is checked before the pattern, so an oversized cookie costs nothing; it never
 * throws, whatever it is given.
 */
export function parseSessionToken(value: unknown): { id: string; secret: string } | null {
  if (typeof value !== 'string' || value.length !== TOKEN_LENGTH) return null;
  const match = TOKEN_SHAPE.exec(value);
  if (!match) return null;
  const [, id = '', secret = ''] = match;
  return { id, secret };
}

/** SHA-256 of the secret's UTF-8 bytes (node:crypto's one-shot hash: native, no Hash object). */
export function hashSecret(secret: string): Uint8Array {
  return new Uint8Array(hash('sha256', secret, 'buffer'));
}

/**
 * Whether `secret` hashes to `secretHash`, comparing every byte whatever the first difference. A
 * missing row can be checked against `null` so unknown ids and wrong secrets cost the same hash.
 */
export function verifySecret(secret: string, secretHash: Uint8Array | null): boolean {
  const actual = hashSecret(secret);
  const expected = secretHash ?? new Uint8Array(SECRET_HASH_BYTES);
  return constantTimeEqual(actual, expected) && secretHash !== null;
}
// #endregion token

/** A session is over at its expiry instant, the same rule the bulk purge (`expires_at <= now`) uses. */
export function isExpired(expiresAt: number, now: number): boolean {
  return now >= expiresAt;
}

// #region sliding-expiry
/**
 * Sliding expiry, for an unexpired session: an active user never gets logged out, but the expiry
 * (and the cookie) is rewritten at most about once per half-lifetime rather than on every request.
 */
export function shouldExtend(expiresAt: number, now: number, lifetimeMs: number): boolean {
  return expiresAt - now < lifetimeMs / 2;
}

/** The `last_seen_at` to keep: unchanged until it is a minute stale, so reads rarely write. */
export function lastSeenAfter(lastSeenAt: number, now: number): number {
  return now - lastSeenAt >= LAST_SEEN_PRECISION_MS ? now : lastSeenAt;
}
// #endregion sliding-expiry
