import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  LAST_SEEN_PRECISION_MS,
  TOKEN_LENGTH,
  generateSessionToken,
  hashSecret,
  isExpired,
  lastSeenAfter,
  parseSessionToken,
  randomTokenPart,
  shouldExtend,
  verifySecret,
} from '../../src/sessions/lucia-token';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('Lucia-style session tokens', () => {
  it('generates id.secret from two independent 160-bit base32 parts', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 500; i += 1) {
      const { id, secret, token } = generateSessionToken();
      expect(token).toBe(`${id}.${secret}`);
      expect(token).toHaveLength(TOKEN_LENGTH);
      for (const part of [id, secret]) {
        expect(part).toMatch(/^[a-z2-7]{32}$/);
        expect(seen.has(part)).toBe(false);
        seen.add(part);
      }
    }
    expect(randomTokenPart()).toMatch(/^[a-z2-7]{32}$/);
  });

  it('spreads the random bits over the whole alphabet', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 2000; i += 1) {
      for (const letter of randomTokenPart()) counts.set(letter, (counts.get(letter) ?? 0) + 1);
    }
    // 64 000 letters, 32 symbols: 2000 expected each; a broken generator would be far off.
    expect(counts.size).toBe(32);
    for (const count of counts.values()) expect(Math.abs(count - 2000)).toBeLessThan(300);
  });

  it('parses what it generates', () => {
    const { id, secret, token } = generateSessionToken();
    expect(parseSessionToken(token)).toEqual({ id, secret });
  });

  it('refuses every other shape without throwing', () => {
    const { id, secret, token } = generateSessionToken();
    const malformed: unknown[] = [
      '',
      '.',
      'a.b.c',
      id,
      `${id}.`,
      `.${secret}`,
      `${id}.${secret}.`,
      `${id}..${secret}`,
      `${id}.${secret}x`,
      `${id}:${secret}`,
      token.toUpperCase(),
      ` ${token.slice(1)}`,
      `${token.slice(0, -1)}\n`,
      `${id}.${secret.slice(0, -1)}é`,
      `${id}.${secret.slice(0, -2)}😀`,
      `${id}.${'1'.repeat(32)}`,
      'x'.repeat(10 * 1024),
      `${id}.${'a'.repeat(10 * 1024)}`,
      'ü'.repeat(TOKEN_LENGTH),
      '\u0000'.repeat(TOKEN_LENGTH),
      undefined,
      null,
      12345,
      [token],
      { toString: () => token },
    ];
    for (const candidate of malformed) {
      expect(parseSessionToken(candidate)).toBeNull();
    }
  });

  it('hashes the secret with SHA-256 of its UTF-8 bytes', () => {
    const { secret } = generateSessionToken();
    const expected = new Uint8Array(createHash('sha256').update(secret, 'utf8').digest());
    expect(hashSecret(secret)).toEqual(expected);
    expect(hashSecret(secret)).toHaveLength(32);
  });

  it('verifies the right secret and refuses a wrong one, a wrong-length hash and no hash', () => {
    const { secret } = generateSessionToken();
    const stored = hashSecret(secret);
    expect(verifySecret(secret, stored)).toBe(true);
    // better-sqlite3 hands BLOBs back as Buffers.
    expect(verifySecret(secret, Buffer.from(stored))).toBe(true);

    const flipped = (secret[0] === 'a' ? 'b' : 'a') + secret.slice(1);
    expect(verifySecret(flipped, stored)).toBe(false);
    expect(verifySecret(secret, stored.slice(0, 31))).toBe(false);
    expect(verifySecret(secret, new Uint8Array(32))).toBe(false);
    expect(verifySecret(secret, null)).toBe(false);
    // The all-zero stand-in for a missing row must not verify any secret.
    expect(verifySecret('', null)).toBe(false);
  });

  it('expires at the expiry instant, not after it', () => {
    expect(isExpired(1000, 999)).toBe(false);
    expect(isExpired(1000, 1000)).toBe(true);
    expect(isExpired(1000, 1001)).toBe(true);
  });

  it('extends only once less than half the lifetime remains', () => {
    const lifetime = 30 * DAY_MS;
    const start = Date.UTC(2026, 0, 1);
    const expiresAt = start + lifetime;
    expect(shouldExtend(expiresAt, start, lifetime)).toBe(false);
    expect(shouldExtend(expiresAt, start + 15 * DAY_MS, lifetime)).toBe(false);
    expect(shouldExtend(expiresAt, start + 15 * DAY_MS + 1, lifetime)).toBe(true);
    expect(shouldExtend(expiresAt, expiresAt - 1, lifetime)).toBe(true);
  });

  it('moves last-seen only when it is a minute stale', () => {
    expect(lastSeenAfter(0, LAST_SEEN_PRECISION_MS - 1)).toBe(0);
    expect(lastSeenAfter(0, LAST_SEEN_PRECISION_MS)).toBe(LAST_SEEN_PRECISION_MS);
  });
});
