/**
 * The session as a signed JSON Web Token (HS256, via `jose`) in a cookie: stateless like the
 * signed cookie, readable by anyone (the payload is only base64url), unforgeable without the key,
 * and valid until its `exp` whatever the server would rather.
 */
import type { webcrypto } from 'node:crypto';
import { SignJWT, errors, jwtVerify } from 'jose';
import { decodeBase64UrlExact } from '../../codecs/base64url';
import { createKeyRing } from '../../codecs/key-ring';
import type { KeyRing } from '../../codecs/key-ring';
import { assertCookieFits, browserCookieLimit } from '../../limits';
import type { DemoContext, Loaded, SessionData, SessionStore, StoreInfo } from '../../types';

/** Who this store is in the catalog: its id, its title, and where it keeps a session. */
export const jwtIdentity = { id: 'jwt', title: 'JWT cookie', where: 'browser' } as const;

export interface JwtStoreOptions {
  /** The first signs; all verify, so a rotated-out secret keeps working until removed. */
  secrets: readonly string[];
  secure: boolean;
  /** The token's lifetime (`exp` − `iat`) and the cookie's; one day unless set. */
  maxAgeSeconds?: number;
  cookieName?: string;
  /** The `iss` claim written and required. */
  issuer?: string;
}

/**
 * The HKDF info for this store's HMAC keys. The token is signed with a key derived from the
 * secret, not the secret itself, so the site's secrets never sign with two algorithms.
 */
export const JWT_KEY_PURPOSE = 'session-lab jwt HS256 signing key';

const ALGORITHM = 'HS256';
const ONE_DAY = 24 * 60 * 60;

/** Throws on bytes that are not UTF-8; one instance serves every call (each decode starts afresh). */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A ring key as jose uses it best: a Web Crypto HMAC key, imported once. Given raw bytes, jose
 * imports them again on every sign and verify, which costs more than the HMAC itself.
 */
interface JwtKey {
  id: string;
  cryptoKey: webcrypto.CryptoKey;
}

function importKeys(ring: KeyRing): JwtKey[] {
  return ring.keys.map(({ id, keyObject }) => ({
    id,
    cryptoKey: keyObject.toCryptoKey({ name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']),
  }));
}

export type JwtDecoded =
  | {
      ok: true;
      header: Record<string, unknown>;
      payload: Record<string, unknown>;
      signature: string;
    }
  | { ok: false; reason: string };

export function createJwtStore(options: JwtStoreOptions): SessionStore {
  const keys = importKeys(createKeyRing(options.secrets, JWT_KEY_PURPOSE));
  const signingKey = keys[0]!;
  const title = jwtIdentity.title;
  const maxAgeSeconds = options.maxAgeSeconds ?? ONE_DAY;
  const cookieName = options.cookieName ?? 'jwt';
  const issuer = options.issuer ?? 'session-lab';
  const attributes = {
    httpOnly: true,
    sameSite: 'Lax',
    secure: options.secure,
    path: '/api/demo/jwt',
  } as const;

  const info: StoreInfo = {
    id: 'jwt',
    title,
    where: 'browser',
    summary:
      'The session is a signed JSON Web Token in a cookie: anyone can decode it, no one without the key can change it, and it stays valid until it expires.',
    facts: {
      sharedAcrossInstances: true,
      survivesRestart: true,
      revocable: false,
      readableByClient: true,
      tamperEvident: true,
      sizeLimit: { bytes: browserCookieLimit, counts: 'cookie name + value, as browsers count it' },
    },
  };

  return {
    info,

    async load(ctx: DemoContext): Promise<Loaded> {
      const token = ctx.cookies.get(cookieName);
      if (!token) return { status: 'new', data: {} };
      const bytes = Buffer.byteLength(cookieName + token, 'utf8');
      if (bytes > browserCookieLimit) {
        return {
          status: 'tampered',
          reason: `the cookie is ${bytes} bytes (name + value), more than the ${browserCookieLimit} any browser sends`,
          data: {},
        };
      }
      const checked = await verifyToken(ctx, token, keys, issuer);
      return checked.status === 'ok' ? checked : { ...checked, data: {} };
    },

    async save(ctx: DemoContext, data: SessionData): Promise<void> {
      // #region sign
      const iat = Math.floor(ctx.now() / 1000);
      const { id, cryptoKey } = signingKey;
      // The session goes under one `data` claim rather than beside the registered ones, so a
      // session key named `exp` or `iss` can neither overwrite nor be overwritten by a claim.
      const token = await ctx.timer.measure('crypto', 'HMAC-SHA256 (JWT)', () =>
        new SignJWT({ data })
          .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT', kid: id })
          .setIssuer(issuer)
          .setIssuedAt(iat)
          .setExpirationTime(iat + maxAgeSeconds)
          .sign(cryptoKey),
      );
      // #endregion sign
      // The "too big" demo sends it anyway, so the learner sees the browser drop it.
      if (ctx.sizeRule !== 'send-anyway') assertCookieFits(title, cookieName, token);
      ctx.cookies.set(cookieName, token, {
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

/** Header, payload and signature as anyone holding the token can read them; no key involved. */
export function decodeJwtWithoutVerifying(token: string): JwtDecoded {
  const parts = token.split('.');
  if (parts.length !== 3) {
    return { ok: false, reason: 'not a JWT: expected three base64url parts separated by "."' };
  }
  const [headerText, payloadText, signature] = parts as [string, string, string];
  const header = decodeJsonPart(headerText);
  if (header === null) {
    return { ok: false, reason: 'the header is not a base64url-encoded JSON object' };
  }
  const payload = decodeJsonPart(payloadText);
  if (payload === null) {
    return { ok: false, reason: 'the payload is not a base64url-encoded JSON object' };
  }
  if (decodeBase64UrlExact(signature) === null) {
    return { ok: false, reason: 'the signature is not base64url' };
  }
  return { ok: true, header, payload, signature };
}

type Verified =
  { status: 'ok'; data: SessionData } | { status: 'tampered' | 'expired'; reason: string };

// #region verify
async function verifyToken(
  ctx: DemoContext,
  token: string,
  keys: readonly JwtKey[],
  issuer: string,
): Promise<Verified> {
  const verified = await verifySignedToken(ctx, token, keys, issuer);
  if (verified.status === 'ok') return verified;
  // A token that fails is decoded in full, so that a part that is not even base64url JSON is
  // named before anything its header or signature says. Only failures pay for the second parse.
  const decoded = decodeJwtWithoutVerifying(token);
  return decoded.ok ? verified : { status: 'tampered', reason: decoded.reason };
}

async function verifySignedToken(
  ctx: DemoContext,
  token: string,
  keys: readonly JwtKey[],
  issuer: string,
): Promise<Verified> {
  // Only the header is read before the signature is checked: it names the algorithm and the key.
  // jose reads the payload once the signature holds.
  const [headerText = '', payloadText = '', signature = ''] = token.split('.');
  const header = decodeJsonPart(headerText);
  if (header === null) {
    return { status: 'tampered', reason: 'the header is not a base64url-encoded JSON object' };
  }

  // Decided here, before any key is touched: the server, not the token, picks the algorithm.
  const refusal = refuseAlgorithm(header.alg);
  if (refusal) return { status: 'tampered', reason: refusal };
  if (typeof header.kid !== 'string') {
    return { status: 'tampered', reason: 'the token names no key (kid); this server always does' };
  }
  // The kid is only ever a lookup in this ring: never a path, a URL or a query.
  const named = keys.filter((key) => key.id === header.kid);
  if (named.length === 0) {
    return { status: 'tampered', reason: 'signed with a key this server does not have' };
  }

  let lastFailure =
    'the signature does not match: the token was changed, or signed with another key';
  for (const { cryptoKey } of named) {
    try {
      const { payload: claims } = await ctx.timer.measure('crypto', 'HMAC-SHA256 (JWT)', () =>
        jwtVerify(token, cryptoKey, {
          algorithms: [ALGORITHM],
          issuer,
          requiredClaims: ['iat', 'exp'],
          currentDate: new Date(ctx.now()),
          // None: a token is dead from its `exp` on. Every instance here shares one clock.
          clockTolerance: 0,
        }),
      );
      // jose's base64url decoding forgives what an encoder never writes (unused low bits in the
      // last character, padding); a token must be exactly what this server signed.
      if (!isExactBase64Url(signature) || !isExactBase64Url(payloadText)) break;
      if (!isPlainObject(claims.data)) {
        return { status: 'tampered', reason: 'signed, but it holds no data claim with a session' };
      }
      return { status: 'ok', data: claims.data };
    } catch (error) {
      if (error instanceof errors.JWSSignatureVerificationFailed) continue;
      if (error instanceof errors.JWTExpired) {
        return {
          status: 'expired',
          reason: `the token expired at ${isoSeconds(error.payload.exp)} (its exp claim); it cannot be extended without the key`,
        };
      }
      lastFailure = `not a token this server accepts: ${error instanceof Error ? error.message : String(error)}`;
      break;
    }
  }
  return { status: 'tampered', reason: lastFailure };
}
// #endregion verify

// #region refuse-algorithm
function refuseAlgorithm(alg: unknown): string | undefined {
  if (typeof alg !== 'string' || alg === '') return 'the token names no algorithm (alg)';
  if (alg.toLowerCase() === 'none') {
    return 'alg none refused: an unsigned token would let anyone forge a session';
  }
  if (alg !== ALGORITHM) {
    const named = /^[A-Za-z0-9+_-]{1,24}$/.test(alg) ? alg : '(unrecognised)';
    return `alg ${named} refused: only ${ALGORITHM} is accepted — accepting the algorithm named in the token is the classic alg-confusion bug`;
  }
  return undefined;
}
// #endregion refuse-algorithm

function decodeJsonPart(text: string): Record<string, unknown> | null {
  const bytes = decodeBase64UrlExact(text);
  if (bytes === null || bytes.length === 0) return null;
  try {
    const value: unknown = JSON.parse(strictUtf8.decode(bytes));
    return isPlainObject(value) ? value : null;
  } catch {
    return null;
  }
}

function isExactBase64Url(text: string): boolean {
  return decodeBase64UrlExact(text) !== null;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isoSeconds(seconds: unknown): string {
  const date = new Date(Number(seconds) * 1000);
  return Number.isNaN(date.getTime()) ? String(seconds) : date.toISOString();
}
