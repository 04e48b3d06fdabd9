import { describe, expect, it } from 'vitest';
import { CookieJar, parseCookieHeader, serializeSetCookie } from '../../src/sessions/cookie-jar';
import { Timer } from '../../src/sessions/timer';
import {
  createPlainCookieStore,
  decodePlainCookie,
  encodePlainCookie,
} from '../../src/sessions/stores/plain-cookie/store';
import { SessionTooLargeError } from '../../src/sessions/types';
import type { DemoContext } from '../../src/sessions/types';
import { SimulatedBrowser } from '../support/simulated-browser';

const NOW = 1_790_000_000_000;
const THIRTY_ONE_DAYS = 31 * 86_400;

const UNICODE_SESSION = {
  name: 'Zoë Ångström-Núñez',
  greeting: '你好，世界 こんにちは 안녕하세요',
  mood: '🎉 👩🏽‍💻 🇫🇷',
  awkward: 'a "quote"; a semicolon, a comma \\ a backslash, 100% and %41 and spaces',
  nested: { list: [1, 'два', { deep: [true, null, 3.5, -0.25e-7] }], empty: {}, none: [] },
};

function context(cookies: Map<string, string> = new Map(), now = NOW): DemoContext {
  return {
    cookies: new CookieJar(cookies),
    instance: { id: 'test', memory: new Map(), directory: '' },
    timer: new Timer(),
    now: () => now,
  };
}

/** A browser: keeps `name=value` from each Set-Cookie line and sends it back as a Cookie header. */
function nextRequest(previous: DemoContext): DemoContext {
  const header = previous.cookies.outgoing
    .filter((cookie) => cookie.options.maxAge !== 0)
    .map((cookie) => serializeSetCookie(cookie).split(';')[0])
    .join('; ');
  return context(parseCookieHeader(header));
}

/** Seeded mulberry32, so a failing fuzz case can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** RFC 6265 cookie-octets. */
const COOKIE_VALUE = /^[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]*$/;

describe('plain-cookie store', () => {
  const store = createPlainCookieStore({ secure: true });

  it('describes itself as readable, forgeable and unrevocable', () => {
    expect(store.info).toMatchObject({
      id: 'plain-cookie',
      title: 'Plain cookie',
      where: 'browser',
      facts: {
        sharedAcrossInstances: true,
        survivesRestart: true,
        revocable: false,
        readableByClient: true,
        tamperEvident: false,
        sizeLimit: { bytes: 4096, counts: 'cookie name + value, as browsers count it' },
      },
    });
    expect(store.peek).toBeUndefined();
  });

  it('starts a new session when no cookie came', async () => {
    expect(await store.load(context())).toEqual({ status: 'new', data: {} });
    expect(await store.load(context(new Map([['plain_session', '']])))).toEqual({
      status: 'new',
      data: {},
    });
  });

  it('saves legible JSON in an HttpOnly, SameSite=Lax, Secure cookie on the demo path', async () => {
    const ctx = context();
    await store.save(ctx, { user_id: 42 });
    const [cookie] = ctx.cookies.outgoing;
    expect(cookie).toEqual({
      name: 'plain_session',
      value: '{%22user_id%22:42}',
      options: {
        httpOnly: true,
        sameSite: 'Lax',
        secure: true,
        path: '/api/demo/plain-cookie',
        maxAge: THIRTY_ONE_DAYS,
        expires: new Date(NOW + THIRTY_ONE_DAYS * 1000),
      },
    });
    expect(serializeSetCookie(cookie!)).toBe(
      'plain_session={%22user_id%22:42}; Expires=Thu, 22 Oct 2026 14:13:20 GMT; ' +
        `Max-Age=${THIRTY_ONE_DAYS}; Path=/api/demo/plain-cookie; HttpOnly; Secure; SameSite=Lax`,
    );
  });

  it('asks the browser to forget the session, but cannot refuse one resent later', async () => {
    const short = createPlainCookieStore({ secure: true, maxAgeSeconds: 60 });
    const ctx = context();
    await short.save(ctx, { user_id: 42 });
    expect(ctx.cookies.outgoing[0]?.options).toMatchObject({
      maxAge: 60,
      expires: new Date(NOW + 60_000),
    });
    // A year later, a browser that kept (or a person who copied) the value is still believed.
    const value = ctx.cookies.get('plain_session')!;
    const later = context(new Map([['plain_session', value]]), NOW + 365 * 86_400_000);
    expect(await short.load(later)).toEqual({ status: 'ok', data: { user_id: 42 } });
  });

  it('round-trips nested, accented, CJK and emoji JSON through a browser', async () => {
    const first = context();
    await store.save(first, UNICODE_SESSION);
    const value = first.cookies.get('plain_session')!;
    expect(value).toMatch(COOKIE_VALUE);
    expect(decodeURIComponent(value)).toBe(JSON.stringify(UNICODE_SESSION));
    expect(await store.load(nextRequest(first))).toEqual({ status: 'ok', data: UNICODE_SESSION });
  });

  it('believes a forged cookie: that is the lesson', async () => {
    const first = context();
    await store.save(first, { user_id: 42, role: 'student' });
    const forged = first.cookies.get('plain_session')!.replace('student', 'admin');
    const loaded = await store.load(context(new Map([['plain_session', forged]])));
    expect(loaded).toEqual({ status: 'ok', data: { user_id: 42, role: 'admin' } });

    // Hand-typed, fully percent-encoded or not encoded at all: all believed.
    for (const typed of [encodeURIComponent('{"user_id":1}'), '{"user_id":1}']) {
      expect(await store.load(context(new Map([['plain_session', typed]])))).toEqual({
        status: 'ok',
        data: { user_id: 1 },
      });
    }
  });

  it('reports malformed cookies as tampered, with a reason, never an exception', async () => {
    const cases: [string, RegExp][] = [
      ['%E0%A4%A', /percent-encoding/],
      ['%ZZ', /percent-encoding/],
      ['%FF', /percent-encoding/],
      ['{%22a%22:', /not JSON/],
      ['hello', /not JSON/],
      ['[1,2]', /not an object/],
      ['42', /not an object/],
      ['null', /not an object/],
      ['%22text%22', /not an object/],
      [`{%22a%22:%22${'x'.repeat(4100)}%22}`, /4096/],
    ];
    for (const [value, reason] of cases) {
      expect(await store.load(context(new Map([['plain_session', value]])))).toEqual({
        status: 'tampered',
        reason: expect.stringMatching(reason),
        data: {},
      });
    }
  });

  it('exposes its codec for the lesson', () => {
    expect(encodePlainCookie({ a: 'b c' })).toBe('{%22a%22:%22b%20c%22}');
    expect(decodePlainCookie('n', '{%22a%22:%22b%20c%22}')).toEqual({
      ok: true,
      data: { a: 'b c' },
    });
  });

  it('refuses a session whose cookie browsers would drop, and sets nothing', async () => {
    const ctx = context();
    const error = await store
      .save(ctx, { notes: 'x'.repeat(5000) })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SessionTooLargeError);
    const tooLarge = error as SessionTooLargeError;
    expect(tooLarge.limit).toBe(4096);
    expect(tooLarge.bytes).toBeGreaterThan(4096);
    expect(tooLarge.message).toMatch(/4096/);
    expect(tooLarge.message).toMatch(/silently drop/);
    expect(ctx.cookies.outgoing).toEqual([]);
  });

  it('sends a cookie over 4096 bytes when the "too big" demo asks, and a browser drops it', async () => {
    const data = { notes: 'x'.repeat(5000) };
    await expect(store.save(context(), data)).rejects.toBeInstanceOf(SessionTooLargeError);
    const enforced: DemoContext = { ...context(), sizeRule: 'enforce' };
    await expect(store.save(enforced, data)).rejects.toBeInstanceOf(SessionTooLargeError);

    const ctx: DemoContext = { ...context(), sizeRule: 'send-anyway' };
    await store.save(ctx, data);
    const [cookie] = ctx.cookies.outgoing;
    expect(Buffer.byteLength(cookie!.name + cookie!.value)).toBeGreaterThan(4096);
    const browser = new SimulatedBrowser();
    browser.receive(ctx);
    expect(browser.cookies.size).toBe(0);
  });

  it('counts name + value: 4096 bytes pass, 4097 do not', async () => {
    const data = { notes: 'x'.repeat(3000) };
    const valueLength = encodePlainCookie(data).length;
    const withName = (length: number) =>
      createPlainCookieStore({ secure: true, cookieName: 'n'.repeat(length) });
    const fits = context();
    await withName(4096 - valueLength).save(fits, data);
    expect(fits.cookies.outgoing).toHaveLength(1);
    await expect(withName(4097 - valueLength).save(context(), data)).rejects.toMatchObject({
      name: 'SessionTooLargeError',
      bytes: 4097,
    });
  });

  it('never throws on load, whatever the browser sends (seeded fuzz)', async () => {
    const next = random(20_260_101);
    const palette = [
      ...'{}[]":,%0123456789abcdefABCDEF-_.~ \\\'',
      '%22',
      '%7B',
      '%E2%82',
      'é',
      '你',
      '😀',
      '\u0000',
      'null',
      'true',
      '"a"',
    ];
    const statuses = new Set<string>();
    for (let i = 0; i < 3000; i++) {
      const length = Math.floor(next() * 60);
      let value = '';
      for (let j = 0; j < length; j++) value += palette[Math.floor(next() * palette.length)];
      const loaded = await store.load(context(new Map([['plain_session', value]])));
      statuses.add(loaded.status);
      expect(['new', 'ok', 'tampered']).toContain(loaded.status);
      if (loaded.status === 'tampered') expect(loaded.reason).toEqual(expect.any(String));
    }
    expect(statuses).toContain('tampered');
  });

  it('leaves Secure off when asked to, and honours the cookie name', async () => {
    const custom = createPlainCookieStore({ secure: false, cookieName: 'prefs' });
    const ctx = context();
    await custom.save(ctx, { a: 1 });
    expect(ctx.cookies.outgoing[0]).toMatchObject({ name: 'prefs', options: { secure: false } });
    expect(await custom.load(nextRequest(ctx))).toEqual({ status: 'ok', data: { a: 1 } });
  });

  it('destroys the session by expiring the cookie on the same path', async () => {
    const ctx = context(new Map([['plain_session', '{%22a%22:1}']]));
    await store.destroy(ctx);
    expect(ctx.cookies.outgoing[0]).toMatchObject({
      name: 'plain_session',
      value: '',
      options: {
        path: '/api/demo/plain-cookie',
        maxAge: 0,
        httpOnly: true,
        secure: true,
        sameSite: 'Lax',
      },
    });
    expect(await store.load(ctx)).toEqual({ status: 'new', data: {} });
  });
});
