/**
 * The cookies a browser would hold between the requests of one "predict, then press": the press
 * runs several demo requests on the server in a row, and each must carry what the previous
 * responses set, by the browser's rules. The learner's real browser then gets the same
 * `Set-Cookie` lines and applies the same rules for real.
 *
 * Paths are not tracked: every cookie a press can meet (the learner cookie at `/`, the store's at
 * `/api/demo/<store>`) is sent to the store's demo address, where every request of a press goes.
 */
import { browserCookieLimit } from '../sessions/limits';
import { parseCookieHeader } from '../sessions/cookie-jar';
import { cookieSizeBytes } from './wire';

export class BrowserCookieJar {
  readonly #cookies: Map<string, string>;
  /** The last line the jar took per cookie name, in the order names were first set. */
  readonly #lines = new Map<string, string>();
  /** Lines ignored for their size: the real browser gets them too, and ignores them too. */
  readonly #ignored: string[] = [];

  constructor(cookieHeader: string | null) {
    this.#cookies = parseCookieHeader(cookieHeader);
  }

  /** The `Cookie` header the next request carries; empty when there is nothing to send. */
  header(): string {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  get(name: string): string | undefined {
    return this.#cookies.get(name);
  }

  /**
   * Applies one `Set-Cookie` line as browsers do: a cookie whose name and value pass 4096 bytes
   * is ignored whole (RFC 6265bis, Chromium's kMaxCookieNamePlusValueSize); `Max-Age=0` or a past
   * `Expires` deletes it.
   */
  apply(line: string, now = Date.now()): void {
    const [pair = '', ...attributes] = line.split(';');
    const eq = pair.indexOf('=');
    if (eq <= 0) return;
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    if (cookieSizeBytes(name, value) > browserCookieLimit) {
      this.#ignored.push(line);
      return;
    }
    this.#lines.set(name, line);
    if (isExpired(attributes, now)) this.#cookies.delete(name);
    else this.#cookies.set(name, value);
  }

  /**
   * The lines to hand the real browser, which leave it holding what this jar holds: the last line
   * taken per name, then the ones it will ignore as this jar did.
   */
  setCookieLines(): string[] {
    return [...this.#lines.values(), ...this.#ignored];
  }
}

function isExpired(attributes: string[], now: number): boolean {
  for (const attribute of attributes) {
    const [key = '', ...rest] = attribute.trim().split('=');
    const value = rest.join('=');
    if (key.toLowerCase() === 'max-age') return Number(value) <= 0;
  }
  for (const attribute of attributes) {
    const [key = '', ...rest] = attribute.trim().split('=');
    if (key.toLowerCase() === 'expires') {
      const at = Date.parse(rest.join('='));
      return Number.isFinite(at) && at <= now;
    }
  }
  return false;
}
