/**
 * The session id cookie of the server-side stores (memory, filesystem, Redis, Memcached): a random
 * id from a CSPRNG, validated before it is used as a key or a file name, and never accepted unless
 * the store issued it (strict mode, OWASP): an unknown id starts a new session with a new id.
 */
import { randomBytes } from 'node:crypto';
import type { CookieJar } from './cookie-jar';

// #region session-id
/** 32 random bytes, 256 bits, as Flask-Session's `secrets.token_urlsafe(32)`; base64url, 43 chars. */
const idBytes = 32;
const idPattern = /^[A-Za-z0-9_-]{43}$/;

export function newSessionId(): string {
  return randomBytes(idBytes).toString('base64url');
}

export function isWellFormedSessionId(value: string | undefined): value is string {
  return value !== undefined && idPattern.test(value);
}
// #endregion session-id

export interface SessionIdCookie {
  name: string;
  path: string;
  /** The default for `Secure`; a request's own `DemoContext.secure` overrides it. */
  secure: boolean;
  /** Seconds the browser keeps the id; the server's own expiry is what counts. */
  maxAgeSeconds: number;
}

/** The id the browser sent, if well formed; anything else is treated as no id at all. */
export function readSessionId(cookies: CookieJar, cookie: SessionIdCookie): string | undefined {
  const value = cookies.get(cookie.name);
  return isWellFormedSessionId(value) ? value : undefined;
}

// #region cookie-attributes
export function writeSessionId(
  cookies: CookieJar,
  cookie: SessionIdCookie,
  id: string,
  now: number,
  // Per request: true when the browser came over HTTPS (DemoContext.secure).
  secure = cookie.secure,
): void {
  cookies.set(cookie.name, id, {
    httpOnly: true,
    sameSite: 'Lax',
    secure,
    path: cookie.path,
    maxAge: cookie.maxAgeSeconds,
    expires: new Date(now + cookie.maxAgeSeconds * 1000),
  });
}
// #endregion cookie-attributes

export function clearSessionId(
  cookies: CookieJar,
  cookie: SessionIdCookie,
  secure = cookie.secure,
): void {
  cookies.delete(cookie.name, {
    httpOnly: true,
    sameSite: 'Lax',
    secure,
    path: cookie.path,
  });
}

/** The start of an id: enough to tell sessions apart in the panel, too little to steal one. */
export function shortenId(id: string): string {
  return `${id.slice(0, 8)}…`;
}
