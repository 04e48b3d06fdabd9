/**
 * Sessions whose JSON is an exact number of bytes, padded with random text: compression (zlib in
 * Flask's cookie) cannot shrink random base64url much, so a "3 KB session" costs what 3 KB of real
 * data would. Every character is one a cookie carries unescaped, so no store pays for escapes.
 */
import { randomBytes } from 'node:crypto';
import type { SessionData } from '../sessions/types';
import { utf8Bytes } from './wire';

/** The counter each measured request changes; seven digits throughout, so the size stays put. */
export const visitsKey = 'visits';
const firstVisits = 1_000_000;

export function randomText(length: number): string {
  return randomBytes(Math.ceil((length * 3) / 4) + 1)
    .toString('base64url')
    .slice(0, length);
}

export function sizedSession(bytes: number): SessionData {
  const session: SessionData = {
    user_id: 48213,
    theme: 'dark',
    [visitsKey]: firstVisits,
    notes: '',
  };
  const missing = bytes - utf8Bytes(JSON.stringify(session));
  if (missing < 0) throw new Error(`a session cannot be as small as ${bytes} bytes of JSON`);
  session.notes = randomText(missing);
  return session;
}

/** The next request's session: the counter moves on, nothing else changes. */
export function nextVisit(data: SessionData): SessionData {
  const visits = typeof data[visitsKey] === 'number' ? data[visitsKey] : firstVisits;
  return { ...data, [visitsKey]: visits + 1 };
}
