/**
 * The last value this page knows for each of the demo's cookies. Page scripts cannot read
 * HttpOnly cookies, but the server reports every Set-Cookie it sends, so the page remembers them.
 */
import type { Exchange } from './exchange';
import { cookieNameValueLimit } from './size-rules';

/**
 * The site's own learner cookie (`LEARNER_SESSION_COOKIE`, server code that cannot be bundled for
 * the page; a unit test keeps the two equal). Demo writes may set it, but it belongs to the site,
 * not to the store being demonstrated, so it is not offered for forging.
 */
export const siteCookieNames: readonly string[] = ['session_lab_learner'];

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
 * Name → value of the store's cookies, in the order they were first set. Deleted cookies leave
 * the map, and a cookie over the browser's limit is skipped: the browser kept the value it had.
 */
export function knownCookieValues(exchanges: readonly Exchange[]): Map<string, string> {
  const known = new Map<string, string>();
  for (const exchange of exchanges) {
    for (const cookie of exchange.response?.wire.response.setCookies ?? []) {
      if (cookie.nameValueBytes > cookieNameValueLimit) continue;
      if (siteCookieNames.includes(cookie.name)) continue;
      if (deletes(cookie.attributes, cookie.value)) known.delete(cookie.name);
      else known.set(cookie.name, cookie.value);
    }
  }
  return known;
}
