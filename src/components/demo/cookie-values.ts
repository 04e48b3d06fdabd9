/**
 * The last value this page knows for each of the demo's cookies. Page scripts cannot read
 * HttpOnly cookies, but the server reports every Set-Cookie it sends, so the page remembers them.
 */
import { cookieNameValueLimit, type Exchange } from './exchange';

function deletes(attributes: Record<string, string | true>, value: string): boolean {
  for (const [name, setting] of Object.entries(attributes)) {
    const key = name.toLowerCase();
    if (key === 'max-age' && typeof setting === 'string' && Number(setting) <= 0) return true;
    if (key === 'expires' && typeof setting === 'string' && Date.parse(setting) <= Date.now()) {
      return true;
    }
  }
  return value === '';
}

/**
 * Name → value, in the order the cookies were first set. Deleted cookies leave the map, and a
 * cookie over the browser's limit is skipped: the browser kept the value it had before.
 */
export function knownCookieValues(exchanges: readonly Exchange[]): Map<string, string> {
  const known = new Map<string, string>();
  for (const exchange of exchanges) {
    for (const cookie of exchange.response?.wire.response.setCookies ?? []) {
      if (cookie.nameValueBytes > cookieNameValueLimit) continue;
      if (deletes(cookie.attributes, cookie.value)) known.delete(cookie.name);
      else known.set(cookie.name, cookie.value);
    }
  }
  return known;
}
