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
  const session: SessionData = {
    user_id: 48213,
    username: `learner_${randomText(8)}`,
    csrf_token: randomText(43),
    theme: 'dark',
    locale: 'en-GB',
    [CHANGED_KEY]: FIRST_VISITS,
    cart: [] as unknown[],
    notes: '',
  };
  const cart = session.cart as unknown[];
  // Larger sessions grow as real ones do, by accumulating items, until the notes pad the rest.
  while (jsonBytes(session) < bytes * 0.6) {
    cart.push({ sku: randomText(10), qty: 1 + (cart.length % 9), price_cents: 1999 });
  }
  const missing = bytes - jsonBytes(session);
  if (missing < 0) throw new Error(`a session cannot be as small as ${bytes} bytes of JSON`);
  session.notes = randomText(missing);
  if (jsonBytes(session) !== bytes) throw new Error('session size calculation is off');
  return session;
}
