/**
 * The size rules every store states explicitly. Cookie stores are bound by what browsers keep;
 * server stores by what this site is willing to hold for one visitor.
 */
import { SessionTooLargeError } from './types';

// #region cookie-limit
/** RFC 6265bis and Chromium ignore a cookie whose name plus value exceeds this many octets. */
export const browserCookieLimit = 4096;

/** Default largest session a server-side store accepts, in bytes of serialized data. */
export const defaultMaxSessionBytes = 64 * 1024;

/** Refuses a cookie the browser would silently drop, saying so. */
export function assertCookieFits(storeTitle: string, name: string, value: string): void {
  const bytes = Buffer.byteLength(name + value, 'utf8');
  if (bytes > browserCookieLimit) {
    throw new SessionTooLargeError(
      `The session cookie (${storeTitle}) would be ${bytes} bytes (name + value), over the ${browserCookieLimit} ` +
        'browsers accept (RFC 6265bis; Chromium enforces 4096 for name + value). A browser would ' +
        'silently drop it and the session would be lost, so it was not sent.',
      bytes,
      browserCookieLimit,
    );
  }
}
// #endregion cookie-limit

/** Refuses session data over a server store's configured maximum. */
export function assertSessionFits(storeTitle: string, serialized: string, maxBytes: number): void {
  const bytes = Buffer.byteLength(serialized, 'utf8');
  if (bytes > maxBytes) {
    throw new SessionTooLargeError(
      `The session is ${bytes} bytes, over the ${maxBytes} bytes the ${storeTitle} store accepts ` +
        'for one session on this site.',
      bytes,
      maxBytes,
    );
  }
}
