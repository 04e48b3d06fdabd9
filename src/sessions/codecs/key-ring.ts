/**
 * Keys for the stores that seal or sign with the site's secrets. The same secrets reach every
 * store, so each derives its own key for one purpose (HKDF-SHA256, RFC 5869): an AES key and an
 * HMAC key made from one secret are unrelated, and no key is ever used by two algorithms.
 *
 * Each key carries a short id (a fingerprint) that travels with the cookie, so after a rotation
 * the server picks the right key instead of trying them all.
 */
import { createHash, createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';

/** Fixed and public: HKDF's salt need not be secret, only the same on every server. */
const HKDF_SALT = 'session-lab key ring v1';

/** 256 bits: AES-256's key size, and the least RFC 7518 allows for an HS256 key. */
export const DERIVED_KEY_BYTES = 32;

/** 8 hex digits (32 bits): enough to tell a handful of live keys apart, too short to matter. */
const FINGERPRINT_HEX_DIGITS = 8;

export interface RingKey {
  /** The fingerprint, safe to show and to send: SHA-256 of the key reveals nothing of it. */
  id: string;
  key: Uint8Array;
  /**
   * The same key as a KeyObject, made once. node:crypto sets a cipher or an HMAC up several times
   * faster from a KeyObject than from raw bytes, which it would import again on every call.
   */
  keyObject: KeyObject;
}

export interface KeyRing {
  /** Derived from the first secret: seals and signs. */
  current: RingKey;
  /** Every key, current first: all of them open and verify. */
  keys: readonly RingKey[];
  /** The keys with this id (more than one only if two fingerprints collide), current first. */
  withId(id: string): RingKey[];
}

// #region derive-key
/** HKDF-SHA256(secret, fixed salt, purpose) → 32 bytes. `purpose` names what the key is for. */
export function deriveKey(secret: string, purpose: string): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', secret, HKDF_SALT, purpose, DERIVED_KEY_BYTES));
}

/** The first 8 hex digits of SHA-256 of the key. */
export function keyFingerprint(key: Uint8Array): string {
  return createHash('sha256').update(key).digest('hex').slice(0, FINGERPRINT_HEX_DIGITS);
}
// #endregion derive-key

/** Derives one key per secret for `purpose`. Throws when there is no usable secret. */
export function createKeyRing(secrets: readonly string[], purpose: string): KeyRing {
  if (secrets.length === 0 || secrets.some((secret) => !secret)) {
    throw new Error(`the key ring for "${purpose}" needs at least one secret, and no empty ones`);
  }
  const keys = secrets.map((secret) => {
    const key = deriveKey(secret, purpose);
    return { id: keyFingerprint(key), key, keyObject: createSecretKey(key) };
  });
  return {
    current: keys[0]!,
    keys,
    withId: (id) => keys.filter((key) => key.id === id),
  };
}
