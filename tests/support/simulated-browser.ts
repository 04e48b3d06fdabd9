/**
 * A cookie-keeping client for store tests: it sends the cookies it holds and applies each
 * response's Set-Cookie the way a browser does, including ignoring a cookie whose name + value
 * exceeds 4096 bytes. The stores under test are real; only the browser is played by this class.
 * Every store test uses this one browser; what differs between them is set through the options.
 */
import { CookieJar } from '../../src/sessions/cookie-jar';
import { Timer } from '../../src/sessions/timer';
import type { DemoContext, Instance, SessionData, SessionStore } from '../../src/sessions/types';

/** A request's time: a fixed moment in milliseconds, or a clock the store reads as it likes. */
export type RequestTime = number | (() => number);

export interface SimulatedBrowserOptions {
  /** The learner the demo handler would pass as `owner` (null: an anonymous request). */
  owner?: string | null;
  /** The network address the demo handler would pass as `clientAddress`. */
  address?: string | null;
  /** The instance requests go to when a request names none (default: a fresh `test` instance). */
  instance?: Instance;
  /** Read once at the start of each request that names no time (default: `Date.now`). */
  clock?: () => number;
  /** Cookies the browser starts with, as if set by hand: session cookies, no expiry. */
  cookies?: Record<string, string>;
  /**
   * Keep sending a cookie after its Max-Age or Expires has passed. A real browser drops it; tests
   * that check a store's own expiry check (a replayed or copied cookie) need it sent anyway.
   */
  keepExpiredCookies?: boolean;
}

export class SimulatedBrowser {
  readonly cookies = new Map<string, string>();
  readonly owner: string | null;
  readonly address: string | null;
  /** When each cookie expires, in the test's clock; absent for session cookies. */
  readonly #expiresAt = new Map<string, number>();
  readonly #options: SimulatedBrowserOptions;

  constructor(options: SimulatedBrowserOptions = {}) {
    this.#options = options;
    this.owner = options.owner ?? null;
    this.address = options.address ?? null;
    for (const [name, value] of Object.entries(options.cookies ?? {})) this.setCookie(name, value);
  }

  /** Sets a cookie by hand (planted, copied, forged): a session cookie with no expiry. */
  setCookie(name: string, value: string): void {
    this.cookies.set(name, value);
    this.#expiresAt.delete(name);
  }

  /** A request context carrying this browser's cookies (unexpired ones, unless told otherwise). */
  request(
    instance: Instance = this.#options.instance ?? testInstance('test', ''),
    time: RequestTime = (this.#options.clock ?? Date.now)(),
  ): DemoContext {
    const now = typeof time === 'number' ? () => time : time;
    if (!this.#options.keepExpiredCookies) {
      for (const [name, expiresAt] of this.#expiresAt) {
        if (expiresAt <= now()) {
          this.cookies.delete(name);
          this.#expiresAt.delete(name);
        }
      }
    }
    return {
      cookies: new CookieJar(new Map(this.cookies)),
      instance,
      timer: new Timer(),
      now,
      owner: this.owner,
      clientAddress: this.address,
    };
  }

  /** A request at `time` to the browser's default instance. */
  requestAt(time: RequestTime): DemoContext {
    return this.request(undefined, time);
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

  /** One request: run the store calls, then take in the response's cookies. */
  async exchange<T>(work: (ctx: DemoContext) => Promise<T>, time?: RequestTime): Promise<T> {
    const ctx = this.request(undefined, time);
    const result = await work(ctx);
    this.receive(ctx);
    return result;
  }

  /**
   * What the demo handler does: load, let `change` edit a copy of the data, save it (when there
   * is a change), and take in the response's cookies.
   */
  async visit(store: SessionStore, change?: (data: SessionData) => unknown, time?: RequestTime) {
    return this.exchange(async (ctx) => {
      const loaded = await store.load(ctx);
      if (change) {
        const data = { ...loaded.data };
        change(data);
        await store.save(ctx, data);
      }
      return { ctx, loaded };
    }, time);
  }

  /** A second browser that starts with this one's cookies (a copied cookie, a second tab). */
  clone(): SimulatedBrowser {
    const copy = new SimulatedBrowser({ ...this.#options, cookies: {} });
    for (const [name, value] of this.cookies) copy.cookies.set(name, value);
    return copy;
  }
}

export function testInstance(id: string, directory: string): Instance {
  return { id, memory: new Map(), directory };
}
