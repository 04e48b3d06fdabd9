/**
 * The session is sealed with AES-256-GCM before it goes into the cookie: the browser holds it but
 * can neither read nor change it. It is still bound by the cookie's size and cannot be revoked.
 *
 *   v1 "." key id "." base64url(96-bit IV) "." base64url(ciphertext + 128-bit tag)
 *
 * "v1.<key id>" is the additional authenticated data, so neither can be altered either.
 */
import { createCipheriv, createDecipheriv, randomBytes, type KeyObject } from 'node:crypto';
import { decodeBase64UrlExact, encodeBase64Url } from '../../codecs/base64url';
import { createKeyRing } from '../../codecs/key-ring';
import type { KeyRing, RingKey } from '../../codecs/key-ring';
import { assertCookieFits, browserCookieLimit } from '../../limits';
import type { DemoContext, Loaded, SessionData, SessionStore, StoreInfo } from '../../types';

/** Who this store is in the catalog: its id, its title, and where it keeps a session. */
export const encryptedCookieIdentity = {
  id: 'encrypted-cookie',
  title: 'Encrypted cookie',
  where: 'browser',
} as const;

export interface EncryptedCookieStoreOptions {
  /** The first seals; all open, so a rotated-out secret keeps working until removed. */
  secrets: readonly string[];
  secure: boolean;
  /** How long a seal is valid and the browser keeps it; iron-session's 14 days unless set. */
  maxAgeSeconds?: number;
  cookieName?: string;
}

/** The HKDF info for this store's keys: they serve nothing else. */
export const SEAL_KEY_PURPOSE = 'session-lab encrypted-cookie AES-256-GCM seal';

const SEAL_VERSION = 'v1';
/** GCM's natural nonce size; random per seal, so 2^32 seals per key stay far from a collision. */
const IV_BYTES = 12;
const TAG_BYTES = 16;
const FOURTEEN_DAYS = 14 * 24 * 60 * 60;

/** What is inside the seal: the expiry travels encrypted, so the browser cannot extend it. */
interface SealedPayload {
  iat: number;
  exp: number;
  data: SessionData;
}

type Outcome<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Throws on bytes that are not UTF-8; one instance serves every call (each decode starts afresh). */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export function createEncryptedCookieStore(options: EncryptedCookieStoreOptions): SessionStore {
  const ring = createKeyRing(options.secrets, SEAL_KEY_PURPOSE);
  const title = encryptedCookieIdentity.title;
  const maxAgeSeconds = options.maxAgeSeconds ?? FOURTEEN_DAYS;
  const cookieName = options.cookieName ?? 'sealed_session';
  const attributes = {
    httpOnly: true,
    sameSite: 'Lax',
    secure: options.secure,
    path: '/api/demo/encrypted-cookie',
  } as const;

  const info: StoreInfo = {
    id: 'encrypted-cookie',
    title,
    where: 'browser',
    summary:
      'The session rides in a cookie sealed with AES-256-GCM: the browser carries it but can neither read nor change it.',
    facts: {
      sharedAcrossInstances: true,
      survivesRestart: true,
      revocable: false,
      readableByClient: false,
      tamperEvident: true,
      sizeLimit: { bytes: browserCookieLimit, counts: 'cookie name + value, as browsers count it' },
    },
  };

  return {
    info,

    async load(ctx: DemoContext): Promise<Loaded> {
      const cookie = ctx.cookies.get(cookieName);
      if (!cookie) return { status: 'new', data: {} };
      const bytes = Buffer.byteLength(cookieName + cookie, 'utf8');
      if (bytes > browserCookieLimit) {
        return {
          status: 'tampered',
          reason: `the cookie is ${bytes} bytes (name + value), more than the ${browserCookieLimit} any browser sends`,
          data: {},
        };
      }
      const opened = ctx.timer.measureSync('crypto', 'AES-256-GCM', () => unseal(cookie, ring));
      if (!opened.ok) return { status: 'tampered', reason: opened.reason, data: {} };
      const { iat, exp, data } = opened.value;
      if (Math.floor(ctx.now() / 1000) >= exp) {
        return {
          status: 'expired',
          reason: `the seal expired at ${isoSeconds(exp)}, ${exp - iat} s after it was made; the expiry is inside the seal, so no one can extend it`,
          data: {},
        };
      }
      return { status: 'ok', data };
    },

    async save(ctx: DemoContext, data: SessionData): Promise<void> {
      const iat = Math.floor(ctx.now() / 1000);
      const payload: SealedPayload = { iat, exp: iat + maxAgeSeconds, data };
      const value = ctx.timer.measureSync('crypto', 'AES-256-GCM', () =>
        seal(JSON.stringify(payload), ring.current),
      );
      // The "too big" demo sends it anyway, so the learner sees the browser drop it.
      if (ctx.sizeRule !== 'send-anyway') assertCookieFits(title, cookieName, value);
      ctx.cookies.set(cookieName, value, {
        ...attributes,
        secure: ctx.secure ?? attributes.secure,
        maxAge: maxAgeSeconds,
        expires: new Date(ctx.now() + maxAgeSeconds * 1000),
      });
    },

    async destroy(ctx: DemoContext): Promise<void> {
      ctx.cookies.delete(cookieName, { ...attributes, secure: ctx.secure ?? attributes.secure });
    },
  };
}

// #region seal
function seal(plaintext: string, { id, keyObject }: RingKey): string {
  const header = `${SEAL_VERSION}.${id}`;
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keyObject, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(header, 'utf8'));
  const sealed = Buffer.concat([
    cipher.update(plaintext, 'utf8'),
    cipher.final(),
    cipher.getAuthTag(),
  ]);
  return `${header}.${encodeBase64Url(iv)}.${encodeBase64Url(sealed)}`;
}
// #endregion seal

function unseal(value: string, ring: KeyRing): Outcome<SealedPayload> {
  try {
    return unsealOrThrow(value, ring);
  } catch (error) {
    // Every known failure is reported in unsealOrThrow; this keeps the promise for the rest.
    return {
      ok: false,
      reason: `unreadable seal: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

function unsealOrThrow(value: string, ring: KeyRing): Outcome<SealedPayload> {
  const parts = value.split('.');
  if (parts.length !== 4) {
    return { ok: false, reason: 'not a sealed session: expected v1.<key id>.<iv>.<ciphertext>' };
  }
  const [version, keyId, ivText, sealedText] = parts as [string, string, string, string];
  if (version !== SEAL_VERSION) {
    return { ok: false, reason: `not a sealed session: this server writes ${SEAL_VERSION} seals` };
  }
  const iv = decodeBase64UrlExact(ivText);
  if (iv === null || iv.length !== IV_BYTES) {
    return { ok: false, reason: `the IV is not ${IV_BYTES} bytes of base64url` };
  }
  const sealed = decodeBase64UrlExact(sealedText);
  if (sealed === null || sealed.length < TAG_BYTES) {
    return { ok: false, reason: 'the ciphertext is not base64url, or too short to hold its tag' };
  }

  // The named key first; the others too, in case the id itself was what changed (it is in the
  // AAD, so that fails as well, but the learner sees one reason for every alteration).
  const named = ring.withId(keyId);
  const candidates = [...named, ...ring.keys.filter((key) => !named.includes(key))];
  const aad = Buffer.from(`${version}.${keyId}`, 'utf8');
  const plaintext = candidates.reduce<Buffer | null>(
    (found, key) => found ?? open(key.keyObject, iv, sealed, aad),
    null,
  );
  if (plaintext === null) {
    return {
      ok: false,
      reason:
        'the seal does not open: the cookie was changed, or sealed with a key this server does not have',
    };
  }

  // From here on the bytes are exactly what a key holder sealed; failures mean a buggy sealer.
  let payload: unknown;
  try {
    payload = JSON.parse(strictUtf8.decode(plaintext));
  } catch {
    return { ok: false, reason: 'the seal opens, but holds no JSON' };
  }
  if (!isSealedPayload(payload)) {
    return { ok: false, reason: 'the seal opens, but holds no session with an expiry' };
  }
  return { ok: true, value: payload };
}

// #region open
/** The plaintext, or null when the tag does not verify under this key. */
function open(key: KeyObject, iv: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Buffer | null {
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  try {
    return Buffer.concat([
      decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)),
      decipher.final(),
    ]);
  } catch {
    return null;
  }
}
// #endregion open

function isSealedPayload(value: unknown): value is SealedPayload {
  if (typeof value !== 'object' || value === null) return false;
  const { iat, exp, data } = value as Record<string, unknown>;
  return (
    Number.isSafeInteger(iat) &&
    Number.isSafeInteger(exp) &&
    typeof data === 'object' &&
    data !== null &&
    !Array.isArray(data)
  );
}

function isoSeconds(seconds: number): string {
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? `${seconds} s after 1970` : date.toISOString();
}
