/**
 * A browser's cookie jar, played in-process for the comparison: it sends back the cookies it holds
 * and applies each response's `Set-Cookie` as a browser would, dropping a cookie whose name + value
 * passes 4096 bytes (RFC 6265bis) and one told to expire.
 */
import { browserCookieLimit } from '../sessions/limits';
import type { DemoContext, Instance } from '../sessions/types';
import { CookieJar, serializeSetCookie } from '../sessions/cookie-jar';
import { Timer } from '../sessions/timer';
import { utf8Bytes } from './wire';

export class CookieCarrier {
  readonly #cookies = new Map<string, string>();

  /** A request as the browser would send it, with no learner: measurements belong to no one. */
  request(instance: Instance): DemoContext {
    return {
      cookies: new CookieJar(new Map(this.#cookies)),
      instance,
      timer: new Timer(),
      now: () => Date.now(),
      owner: null,
      sizeRule: 'enforce',
    };
  }

  /** The `Cookie` header value the browser sends with the next request ('' when none). */
  cookieHeader(): string {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  /** Applies the response's cookies; returns the bytes of its `Set-Cookie` lines. */
  receive(ctx: DemoContext): number {
    let lineBytes = 0;
    for (const cookie of ctx.cookies.outgoing) {
      lineBytes += utf8Bytes(serializeSetCookie(cookie));
      const { name, value, options } = cookie;
      const expired =
        (options.maxAge !== undefined && options.maxAge <= 0) ||
        (options.maxAge === undefined &&
          options.expires !== undefined &&
          options.expires.getTime() <= ctx.now());
      if (expired) this.#cookies.delete(name);
      else if (utf8Bytes(name + value) <= browserCookieLimit) this.#cookies.set(name, value);
    }
    return lineBytes;
  }
}
