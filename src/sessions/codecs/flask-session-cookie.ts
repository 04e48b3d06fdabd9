/**
 * Flask's session cookie: itsdangerous' URLSafeTimedSerializer as SecureCookieSessionInterface
 * configures it (salt "cookie-session", key derivation "hmac", SHA-1, Flask's tagged JSON).
 *
 *   [.]base64url(json or zlib(json)) "." base64url(timestamp) "." base64url(HMAC-SHA1(key, …))
 *
 * Decoding never throws: a cookie is attacker-controlled text, and the store turns every problem
 * into a status with a reason a learner can read.
 */
import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import { deflateSync, inflateSync } from 'node:zlib';
import type { SessionData } from '../types';
import { decodeBase64Url, encodeBase64Url } from './base64url';
import { decodeTaggedJson, encodeTaggedJson } from './flask-tagged-json';

/** SecureCookieSessionInterface.salt */
export const FLASK_SESSION_SALT = 'cookie-session';

/** Most JSON a cookie may unpack to: far above any real session, far below a memory problem. */
export const MAX_PAYLOAD_BYTES = 64 * 1024;

/** Room for an uncompressed payload of MAX_PAYLOAD_BYTES, plus timestamp and signature. */
const MAX_COOKIE_CHARS = Math.ceil((MAX_PAYLOAD_BYTES * 4) / 3) + 64;

/** The last second a JavaScript Date can hold; a later timestamp cannot be a real signing time. */
const MAX_TIMESTAMP_SECONDS = 8.64e12;

const FLASK_COOKIE_ALPHABET = /^[A-Za-z0-9_.-]*$/;
const FOREIGN_CHARACTERS = 'it holds characters Flask never writes (only A–Z a–z 0–9 - _ .)';

/** Throws on bytes that are not UTF-8; one instance serves every call (each decode starts afresh). */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Derived signing keys by secret (see `signingKey`), oldest first. */
const signingKeys = new Map<string, KeyObject>();
const MAX_SIGNING_KEYS = 16;

export type FlaskDecodeResult =
  | { status: 'ok'; data: SessionData; issuedAt: Date; keyIndex: number }
  | { status: 'expired'; reason: string; issuedAt: Date }
  | { status: 'tampered'; reason: string };

export interface FlaskCookieInspection {
  /** Why the cookie is not (entirely) readable as Flask's format; absent when everything decoded. */
  error?: string;
  /** The three dot-separated parts as they travel (payload keeps its leading "." if compressed). */
  parts?: { payload: string; timestamp: string; signature: string };
  compressed: boolean;
  /** The JSON text inside the payload, after base64url and (if compressed) zlib. */
  payloadJson?: string;
  data?: unknown;
  issuedAt?: Date;
  ageSeconds?: number;
  /** 'not-checked' when no secret was given: anyone can read the data, only the key can vouch for it. */
  signature: 'valid' | 'invalid' | 'not-checked';
  /** Which of the given secrets signed it. */
  keyIndex?: number;
}

type Outcome<T> = { ok: true; value: T } | { ok: false; reason: string };

export function encodeFlaskSession(
  data: SessionData,
  secret: string,
  options: { nowSeconds?: number } = {},
): string {
  if (!secret) throw new Error('Flask will not sign a session without a SECRET_KEY');
  const timestamp = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (!Number.isSafeInteger(timestamp) || timestamp < 0 || timestamp > MAX_TIMESTAMP_SECONDS) {
    throw new RangeError(`timestamp must be whole seconds since 1970, got ${timestamp}`);
  }
  const signedPart = `${encodePayload(data)}.${encodeBase64Url(timestampBytes(timestamp))}`;
  return `${signedPart}.${signatureFor(secret, signedPart)}`;
}

export function decodeFlaskSession(
  cookie: string,
  secrets: readonly string[],
  options: { maxAgeSeconds: number; nowSeconds?: number },
): FlaskDecodeResult {
  let result: FlaskDecodeResult;
  try {
    result = decodeVerified(cookie, secrets, options);
  } catch (error) {
    // Every known failure is reported below; this keeps the promise for the unforeseen ones.
    result = { status: 'tampered', reason: `unreadable cookie: ${describe(error)}` };
  }
  return withAlphabetChecked(cookie, result);
}

export function inspectFlaskCookie(
  cookie: string,
  secrets: readonly string[] = [],
  options: { nowSeconds?: number } = {},
): FlaskCookieInspection {
  const inspection: FlaskCookieInspection = {
    compressed: false,
    signature: secrets.length > 0 ? 'invalid' : 'not-checked',
  };
  try {
    inspectInto(inspection, cookie, secrets, options.nowSeconds ?? Math.floor(Date.now() / 1000));
  } catch (error) {
    inspection.error ??= `unreadable cookie: ${describe(error)}`;
  }
  return inspection;
}

// ---------------------------------------------------------------------------------------------

function decodeVerified(
  cookie: string,
  secrets: readonly string[],
  {
    maxAgeSeconds,
    nowSeconds = Math.floor(Date.now() / 1000),
  }: { maxAgeSeconds: number; nowSeconds?: number },
): FlaskDecodeResult {
  // The alphabet is checked afterwards, by withAlphabetChecked.
  const signatureSplit = splitSignature(cookie, { checkAlphabet: false });
  if (!signatureSplit.ok) return { status: 'tampered', reason: signatureSplit.reason };
  const { signedPart, signature } = signatureSplit.value;

  if (secrets.length === 0) return { status: 'tampered', reason: 'no secret key to verify with' };
  // #region verify
  const keyIndex = findSigningKey(signedPart, signature, secrets);
  if (keyIndex < 0) {
    const keys =
      secrets.length === 1 ? 'the secret key' : `any of the ${secrets.length} secret keys`;
    return {
      status: 'tampered',
      reason: `the signature does not match ${keys}: the cookie was changed, or signed with another key`,
    };
  }

  // From here on the bytes are exactly what a key holder signed; failures mean a buggy signer.
  const timestampSplit = splitTimestamp(signedPart);
  if (!timestampSplit.ok) return { status: 'tampered', reason: timestampSplit.reason };
  const issued = parseTimestamp(timestampSplit.value.timestamp);
  if (!issued.ok) return { status: 'tampered', reason: issued.reason };
  const issuedAt = new Date(issued.value * 1000);

  // itsdangerous checks age before it reads the payload, and treats a future timestamp as expired.
  const age = nowSeconds - issued.value;
  if (age > maxAgeSeconds) {
    return {
      status: 'expired',
      reason: `signed ${age} s ago, older than the ${maxAgeSeconds} s the session may live`,
      issuedAt,
    };
  }
  if (age < 0) {
    return {
      status: 'expired',
      reason: `signed ${-age} s in the future; the clocks disagree`,
      issuedAt,
    };
  }
  // #endregion verify

  const payload = readPayload(timestampSplit.value.payload);
  if (!payload.ok) return { status: 'tampered', reason: `signed, but ${payload.reason}` };
  const data = payload.value.data;
  if (!isSessionDict(data)) {
    return { status: 'tampered', reason: 'signed, but the payload is not a JSON object' };
  }
  return { status: 'ok', data, issuedAt, keyIndex };
}

function inspectInto(
  inspection: FlaskCookieInspection,
  cookie: string,
  secrets: readonly string[],
  nowSeconds: number,
): void {
  const signatureSplit = splitSignature(cookie);
  if (!signatureSplit.ok) {
    inspection.error = `not a Flask session cookie: ${signatureSplit.reason}`;
    return;
  }
  const { signedPart, signature } = signatureSplit.value;
  if (secrets.length > 0) {
    const keyIndex = findSigningKey(signedPart, signature, secrets);
    if (keyIndex >= 0) {
      inspection.signature = 'valid';
      inspection.keyIndex = keyIndex;
    }
  }

  const timestampSplit = splitTimestamp(signedPart);
  if (!timestampSplit.ok) {
    inspection.error = `not a Flask session cookie: ${timestampSplit.reason}`;
    return;
  }
  inspection.parts = {
    payload: timestampSplit.value.payload,
    timestamp: timestampSplit.value.timestamp,
    signature,
  };
  inspection.compressed = timestampSplit.value.payload.startsWith('.');

  const issued = parseTimestamp(timestampSplit.value.timestamp);
  if (issued.ok) {
    inspection.issuedAt = new Date(issued.value * 1000);
    inspection.ageSeconds = nowSeconds - issued.value;
  } else {
    inspection.error = issued.reason;
  }

  const payload = readPayload(timestampSplit.value.payload);
  if (payload.ok) {
    inspection.payloadJson = payload.value.json;
    inspection.data = payload.value.data;
  } else {
    inspection.error ??= payload.reason;
    if (payload.json !== undefined) inspection.payloadJson = payload.json;
  }
}

function splitSignature(
  cookie: unknown,
  { checkAlphabet = true } = {},
): Outcome<{ signedPart: string; signature: string }> {
  if (typeof cookie !== 'string') return { ok: false, reason: 'the cookie is not text' };
  if (cookie.length > MAX_COOKIE_CHARS) {
    return {
      ok: false,
      reason: `the cookie is ${cookie.length} characters, more than any session here`,
    };
  }
  if (checkAlphabet && !FLASK_COOKIE_ALPHABET.test(cookie)) {
    return { ok: false, reason: FOREIGN_CHARACTERS };
  }
  const lastDot = cookie.lastIndexOf('.');
  if (lastDot < 0) return { ok: false, reason: 'there is no "." before a signature' };
  return {
    ok: true,
    value: { signedPart: cookie.slice(0, lastDot), signature: cookie.slice(lastDot + 1) },
  };
}

/**
 * Characters Flask never writes are reported before anything but the cookie's type and size, as
 * splitSignature does, but decodeFlaskSession checks for them last: a regular expression over a
 * 4 kB cookie costs more than its HMAC. A cookie that decoded needs only a look for "=": its
 * signature matched as exact text, and its timestamp and payload decoded as base64url, which lets
 * nothing else outside the alphabet through (only padding).
 */
function withAlphabetChecked(cookie: unknown, result: FlaskDecodeResult): FlaskDecodeResult {
  if (typeof cookie !== 'string' || cookie.length > MAX_COOKIE_CHARS) return result;
  const foreign =
    result.status === 'ok' ? cookie.includes('=') : !FLASK_COOKIE_ALPHABET.test(cookie);
  return foreign ? { status: 'tampered', reason: FOREIGN_CHARACTERS } : result;
}

function splitTimestamp(signedPart: string): Outcome<{ payload: string; timestamp: string }> {
  const lastDot = signedPart.lastIndexOf('.');
  if (lastDot < 0)
    return { ok: false, reason: 'there is no timestamp between payload and signature' };
  return {
    ok: true,
    value: { payload: signedPart.slice(0, lastDot), timestamp: signedPart.slice(lastDot + 1) },
  };
}

/** Index of the first secret whose signature matches, or -1. */
// #region sign
function findSigningKey(signedPart: string, signature: string, secrets: readonly string[]): number {
  // Comparing the encoded text rather than decoded bytes also rejects the variants itsdangerous
  // lets through (unused low bits in the last character, stray padding). UTF-8, so that no
  // character outside the alphabet can pass for one inside it.
  const given = Buffer.from(signature, 'utf8');
  return secrets.findIndex((secret) => {
    const expected = Buffer.from(signatureFor(secret, signedPart), 'utf8');
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
}

/** signature = HMAC-SHA1(key, signed part), with the key below. */
function signatureFor(secret: string, signedPart: string): string {
  return createHmac('sha1', signingKey(secret)).update(signedPart).digest('base64url');
}

/**
 * key = HMAC-SHA1(secret, salt), itsdangerous' key derivation "hmac". It depends on the secret
 * alone, so each secret's key is derived once and kept as a KeyObject, which node:crypto sets an
 * HMAC up from several times faster than from raw bytes.
 */
function signingKey(secret: string): KeyObject {
  let key = signingKeys.get(secret);
  if (key === undefined) {
    key = createSecretKey(createHmac('sha1', secret).update(FLASK_SESSION_SALT).digest());
    // A handful of secrets are in use at a time (current and rotated out); forget the oldest.
    if (signingKeys.size >= MAX_SIGNING_KEYS) signingKeys.delete(signingKeys.keys().next().value!);
    signingKeys.set(secret, key);
  }
  return key;
}

// #endregion sign

function encodePayload(data: SessionData): string {
  const json = Buffer.from(encodeTaggedJson(data), 'utf8');
  const compressed = deflateSync(json);
  // URLSafeSerializerMixin.dump_payload: compress only when it saves at least two bytes, and say
  // so with a leading "." (which is inside the signed part).
  if (compressed.length < json.length - 1) return `.${encodeBase64Url(compressed)}`;
  return encodeBase64Url(json);
}

/** itsdangerous' int_to_bytes: big-endian, leading zero bytes stripped (0 is empty). */
function timestampBytes(seconds: number): Uint8Array {
  const bytes: number[] = [];
  for (let rest = seconds; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Uint8Array.from(bytes);
}

function parseTimestamp(text: string): Outcome<number> {
  const bytes = decodeBase64Url(text);
  // itsdangerous reads at most eight bytes (struct ">Q").
  if (bytes === null || bytes.length > 8)
    return { ok: false, reason: 'the timestamp is malformed' };
  const seconds = bytes.reduce((total, byte) => total * 256 + byte, 0);
  if (seconds > MAX_TIMESTAMP_SECONDS)
    return { ok: false, reason: 'the timestamp is beyond any date' };
  return { ok: true, value: seconds };
}

type PayloadOutcome =
  | { ok: true; value: { json: string; data: unknown } }
  | { ok: false; reason: string; json?: string };

function readPayload(payload: string): PayloadOutcome {
  const compressed = payload.startsWith('.');
  const bytes = decodeBase64Url(compressed ? payload.slice(1) : payload);
  if (bytes === null) return { ok: false, reason: 'the payload is not base64url' };

  let jsonBytes: Uint8Array = bytes;
  if (compressed) {
    const inflated = inflateBounded(bytes);
    if (!inflated.ok) return inflated;
    jsonBytes = inflated.value;
  }

  let json: string;
  try {
    json = strictUtf8.decode(jsonBytes);
  } catch {
    return { ok: false, reason: 'the payload is not UTF-8 text' };
  }
  try {
    return { ok: true, value: { json, data: decodeTaggedJson(json) } };
  } catch (error) {
    return { ok: false, reason: `the payload is not Flask's JSON (${describe(error)})`, json };
  }
}

function inflateBounded(bytes: Uint8Array): Outcome<Uint8Array> {
  try {
    // maxOutputLength makes zlib stop early, so a zip bomb costs at most this much memory.
    return { ok: true, value: inflateSync(bytes, { maxOutputLength: MAX_PAYLOAD_BYTES }) };
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
      return { ok: false, reason: `the payload inflates to more than ${MAX_PAYLOAD_BYTES} bytes` };
    }
    return {
      ok: false,
      reason: `the payload is marked compressed (leading ".") but zlib cannot inflate it (${describe(error)})`,
    };
  }
}

function isSessionDict(value: unknown): value is SessionData {
  return (
    typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype
  );
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
