/**
 * A cookie-keeping client for store tests: it sends the cookies it holds and applies each
 * response's Set-Cookie the way a browser does, including ignoring a cookie whose name + value
 * exceeds 4096 bytes. The stores under test are real; only the browser is played by this class.
 */
import { CookieJar } from '../../src/sessions/cookie-jar';
import { Timer } from '../../src/sessions/timer';
import type { DemoContext, Instance } from '../../src/sessions/types';

export class SimulatedBrowser {
  readonly cookies = new Map<string, string>();
  /** When each cookie expires, in the test's clock; absent for session cookies. */
  readonly #expiresAt = new Map<string, number>();

  /** A request context carrying this browser's unexpired cookies. */
  request(instance: Instance, now: () => number): DemoContext {
    for (const [name, expiresAt] of this.#expiresAt) {
      if (expiresAt <= now()) {
        this.cookies.delete(name);
        this.#expiresAt.delete(name);
      }
    }
    return { cookies: new CookieJar(new Map(this.cookies)), instance, timer: new Timer(), now };
  }

  /** Applies the response's cookies as a browser does (Max-Age wins over Expires). */
  receive(ctx: DemoContext): void {
    const now = ctx.now();
    for (const { name, value, options } of ctx.cookies.outgoing) {
      if (options.maxAge !== undefined && options.maxAge <= 0) {
        this.cookies.delete(name);
        this.#expiresAt.delete(name);
      } else if (Buffer.byteLength(name + value) <= 4096) {
        this.cookies.set(name, value);
        const expiresAt =
          options.maxAge !== undefined ? now + options.maxAge * 1000 : options.expires?.getTime();
        if (expiresAt === undefined) this.#expiresAt.delete(name);
        else this.#expiresAt.set(name, expiresAt);
      }
    }
  }

  /** A second browser that starts with this one's cookies (a copied cookie, a second tab). */
  clone(): SimulatedBrowser {
    const copy = new SimulatedBrowser();
    for (const [name, value] of this.cookies) copy.cookies.set(name, value);
    return copy;
  }
}

export function testInstance(id: string, directory: string): Instance {
  return { id, memory: new Map(), directory };
}
