/**
 * Did the browser drop an oversized cookie? The server knows what it sent (the Set-Cookie sizes in
 * its report) and, on the next request, what came back (that request's cookies). A cookie whose
 * name + value passed 4096 bytes and did not come back was ignored by the browser.
 */
import type { LoadStatus } from '../../sessions/types';
import type { Exchange } from './exchange';
import { cookieNameValueLimit } from './size-rules';

export interface DroppedCookie {
  name: string;
  /** Name + value bytes of the cookie the browser ignored. */
  bytes: number;
  /** The request whose response carried the oversized Set-Cookie. */
  setBySeq: number;
  /** The next request that reached the server. */
  nextSeq: number;
  /** Name + value bytes of what the next request carried under that name, or null for nothing. */
  carriedBytes: number | null;
  /** How the server read the session on that next request. */
  nextStatus: LoadStatus;
}

/**
 * The latest oversized Set-Cookie that the following request proves was dropped; null when there
 * is none, when no request has followed it yet, or when a later response set that cookie again.
 */
export function findDroppedCookie(exchanges: readonly Exchange[]): DroppedCookie | null {
  const reported = exchanges.filter((item) => item.response !== null);
  for (let index = reported.length - 1; index >= 0; index--) {
    const setter = reported[index];
    const oversized = setter?.response?.wire.response.setCookies.findLast(
      (cookie) => cookie.nameValueBytes > cookieNameValueLimit,
    );
    if (!setter || !oversized) continue;
    const next = reported[index + 1];
    if (!next?.response) return null;
    const resetLater = reported
      .slice(index + 2)
      .some((item) =>
        item.response?.wire.response.setCookies.some((cookie) => cookie.name === oversized.name),
      );
    if (resetLater) return null;
    const carried = next.response.wire.request.cookies.find(
      (cookie) => cookie.name === oversized.name,
    );
    // The same size coming back means this browser kept it after all.
    if (carried && carried.nameValueBytes === oversized.nameValueBytes) return null;
    return {
      name: oversized.name,
      bytes: oversized.nameValueBytes,
      setBySeq: setter.seq,
      nextSeq: next.seq,
      carriedBytes: carried ? carried.nameValueBytes : null,
      nextStatus: next.response.status,
    };
  }
  return null;
}

const grouped = new Intl.NumberFormat('en-US');

/** The panel's sentence, in words a learner reads without the colour of the box. */
export function describeDroppedCookie(dropped: DroppedCookie): string {
  const carried =
    dropped.carriedBytes === null
      ? `no ${dropped.name} cookie, so the server sees no session`
      : `the previous ${dropped.name} cookie (${grouped.format(dropped.carriedBytes)} bytes), so the server sees the old session`;
  return (
    `Your browser ignored the ${grouped.format(dropped.bytes)}-byte cookie ` +
    `(over ${cookieNameValueLimit} for name + value). ` +
    `The next request (#${dropped.nextSeq}) carried ${carried} (status: ${dropped.nextStatus}).`
  );
}
