import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  DERIVED_KEY_BYTES,
  createKeyRing,
  deriveKey,
  keyFingerprint,
} from '../../src/sessions/codecs/key-ring';

/** RFC 5869 written out with HMAC alone, to check node's hkdfSync is used as intended. */
function hkdfByHand(secret: string, salt: string, info: string, length: number): Buffer {
  const prk = createHmac('sha256', salt).update(secret).digest();
  let block = Buffer.alloc(0);
  const output: Buffer[] = [];
  for (let counter = 1; output.length * 32 < length; counter++) {
    block = createHmac('sha256', prk)
      .update(Buffer.concat([block, Buffer.from(info), Buffer.from([counter])]))
      .digest();
    output.push(block);
  }
  return Buffer.concat(output).subarray(0, length);
}

describe('key ring', () => {
  it('derives a 256-bit key with HKDF-SHA256 over a fixed salt and the purpose as info', () => {
    const key = deriveKey('correct horse battery staple', 'test purpose');
    expect(key).toBeInstanceOf(Uint8Array);
    expect(key).toHaveLength(DERIVED_KEY_BYTES);
    expect(DERIVED_KEY_BYTES).toBe(32);
    const expected = hkdfByHand(
      'correct horse battery staple',
      'session-lab key ring v1',
      'test purpose',
      32,
    );
    expect(Buffer.from(key).equals(expected)).toBe(true);
  });

  it('is deterministic, and separates secrets and purposes', () => {
    const a = deriveKey('secret', 'seal');
    expect(deriveKey('secret', 'seal')).toEqual(a);
    expect(deriveKey('secret', 'sign')).not.toEqual(a);
    expect(deriveKey('secret2', 'seal')).not.toEqual(a);
    // The derived key is not the secret itself, padded or otherwise.
    expect(Buffer.from(a).includes(Buffer.from('secret'))).toBe(false);
  });

  it('fingerprints a key as the first 8 hex digits of its SHA-256', () => {
    const key = deriveKey('secret', 'seal');
    const id = keyFingerprint(key);
    expect(id).toMatch(/^[0-9a-f]{8}$/);
    expect(id).toBe(createHash('sha256').update(key).digest('hex').slice(0, 8));
    expect(keyFingerprint(deriveKey('secret', 'sign'))).not.toBe(id);
  });

  it('makes the first secret current and keeps the others, in order, for opening', () => {
    const ring = createKeyRing(['new', 'old', 'older'], 'seal');
    expect(ring.keys.map((key) => key.key)).toEqual([
      deriveKey('new', 'seal'),
      deriveKey('old', 'seal'),
      deriveKey('older', 'seal'),
    ]);
    expect(ring.current).toBe(ring.keys[0]);
    expect(ring.keys.map((key) => key.id)).toEqual(
      ['new', 'old', 'older'].map((secret) => keyFingerprint(deriveKey(secret, 'seal'))),
    );
    expect(new Set(ring.keys.map((key) => key.id)).size).toBe(3);
  });

  it('finds keys by id, and nothing for an id it does not hold', () => {
    const ring = createKeyRing(['new', 'old'], 'seal');
    const old = ring.keys[1]!;
    expect(ring.withId(old.id)).toEqual([old]);
    expect(ring.withId('00000000')).toEqual([]);
    expect(ring.withId('')).toEqual([]);
  });

  it('needs at least one secret and refuses empty ones', () => {
    expect(() => createKeyRing([], 'seal')).toThrow(/secret/);
    expect(() => createKeyRing([''], 'seal')).toThrow(/secret/);
    expect(() => createKeyRing(['a', ''], 'seal')).toThrow(/secret/);
  });
});
