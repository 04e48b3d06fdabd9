/**
 * Realistic sessions of an exact JSON size. The filler is random base64url text: about 6 bits of
 * entropy per character, so zlib (Flask's compression) saves about a quarter and no more, and
 * every character is one a cookie carries without escaping, so no store pays for escapes the
 * others don't.
 */
import { randomBytes } from 'node:crypto';
import type { SessionData } from '../../src/sessions/types';

/** The key a "save" request changes; it stays seven digits for the whole run. */
export const CHANGED_KEY = 'visits';
export const FIRST_VISITS = 1_000_000;

export function randomText(length: number): string {
  return randomBytes(Math.ceil((length * 3) / 4) + 1)
    .toString('base64url')
    .slice(0, length);
}

export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}

/** A logged-in shopper's session whose JSON is exactly `bytes` long. */
export function makeSession(bytes: number): SessionData {
  // A larger session holds a few cart lines; the rest is random text, which zlib cannot shrink
  // much, so compression cannot make the larger session cheaper than its size says.
  const cart =
    bytes >= 1000 ? [1, 2, 3].map((qty) => ({ sku: randomText(10), qty, price_cents: 1999 })) : [];
  const session: SessionData = {
    user_id: 48213,
    username: `learner_${randomText(8)}`,
    csrf_token: randomText(43),
    theme: 'dark',
    locale: 'en-GB',
    [CHANGED_KEY]: FIRST_VISITS,
    cart,
    notes: '',
  };
  const missing = bytes - jsonBytes(session);
  if (missing < 0) throw new Error(`a session cannot be as small as ${bytes} bytes of JSON`);
  session.notes = randomText(missing);
  if (jsonBytes(session) !== bytes) throw new Error('session size calculation is off');
  return session;
}
