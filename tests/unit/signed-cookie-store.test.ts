import { describe, expect, it } from 'vitest';
import { CookieJar, serializeSetCookie } from '../../src/sessions/cookie-jar';
import { Timer } from '../../src/sessions/timer';
import { inspectFlaskCookie } from '../../src/sessions/codecs/flask-session-cookie';
import { createSignedCookieStore } from '../../src/sessions/stores/signed-cookie/store';
import { SessionTooLargeError } from '../../src/sessions/types';
import type { DemoContext } from '../../src/sessions/types';
import { SimulatedBrowser } from '../support/simulated-browser';

/*
 * Minted once by real Flask 2.2.2 (tests/integration/flask_session_peer.py, op "mint") with
 * SECRET_KEY = SECRET, time.time() frozen at ISSUED, session {"user": "ada", "visits": 3}.
 */
const SECRET = 'correct horse battery staple';
const ISSUED = 1_790_000_000;
const FLASK_COOKIE = 'eyJ1c2VyIjoiYWRhIiwidmlzaXRzIjozfQ.arE7gA.mHlvFaskrwbgvK0T1SLlC1UUxos';

const THIRTY_ONE_DAYS = 31 * 86_400;

function context(cookies: Record<string, string> = {}, nowSeconds = ISSUED): DemoContext {
  return {
    cookies: new CookieJar(new Map(Object.entries(cookies))),
    instance: { id: 'test', memory: new Map(), directory: '' },
    timer: new Timer(),
    now: () => nowSeconds * 1000,
  };
}

/** The cookies a browser would send on the next request. */
function nextRequest(previous: DemoContext, nowSeconds = ISSUED): DemoContext {
  const sent = Object.fromEntries(
    previous.cookies.outgoing.map((cookie) => [cookie.name, cookie.value]),
  );
  return context(sent, nowSeconds);
}

/** Incompressible text (seeded mulberry32), so zlib cannot rescue an oversized session. */
function noise(length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let state = 12_345;
  return Array.from({ length }, () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return alphabet[((t ^ (t >>> 14)) >>> 0) % 64];
  }).join('');
}

describe('signed-cookie store', () => {
  const store = createSignedCookieStore({ secrets: [SECRET], secure: true });

  it('describes itself', () => {
    expect(store.info).toMatchObject({
      id: 'signed-cookie',
      title: 'Signed cookie (Flask)',
      where: 'browser',
      facts: {
        sharedAcrossInstances: true,
        survivesRestart: true,
        revocable: false,
        readableByClient: true,
        tamperEvident: true,
        sizeLimit: { bytes: 4096, counts: 'cookie name + value, as browsers count it' },
      },
    });
    expect(store.peek).toBeUndefined();
  });

  it('starts a new session when no cookie came', async () => {
    expect(await store.load(context())).toEqual({ status: 'new', data: {} });
    expect(await store.load(context({ session: '' }))).toEqual({ status: 'new', data: {} });
  });

  it('reads a cookie real Flask minted', async () => {
    const loaded = await store.load(context({ session: FLASK_COOKIE }, ISSUED + 60));
    expect(loaded).toEqual({ status: 'ok', data: { user: 'ada', visits: 3 } });
  });

  it('saves a permanent, HttpOnly, SameSite=Lax, Secure cookie in Flask format', async () => {
    const ctx = context();
    await store.save(ctx, { user: 'ada', visits: 3 });
    const [cookie] = ctx.cookies.outgoing;
    expect(cookie?.name).toBe('session');
    // Same data, same key, same second: the very bytes Flask wrote.
    expect(cookie?.value).toBe(FLASK_COOKIE);
    expect(cookie?.options).toEqual({
      httpOnly: true,
      sameSite: 'Lax',
      secure: true,
      path: '/api/demo/signed-cookie',
      maxAge: THIRTY_ONE_DAYS,
      expires: new Date((ISSUED + THIRTY_ONE_DAYS) * 1000),
    });
    expect(serializeSetCookie(cookie!)).toBe(
      `session=${FLASK_COOKIE}; Expires=Thu, 22 Oct 2026 14:13:20 GMT; Max-Age=${THIRTY_ONE_DAYS}; ` +
        'Path=/api/demo/signed-cookie; HttpOnly; Secure; SameSite=Lax',
    );
  });

  it('reads back what it saved on the next request', async () => {
    const first = context();
    await store.save(first, { cart: ['tea', 'milk'], visits: 2 });
    const loaded = await store.load(nextRequest(first, ISSUED + 5));
    expect(loaded).toEqual({ status: 'ok', data: { cart: ['tea', 'milk'], visits: 2 } });
  });

  it('leaves Secure off when asked to (plain-HTTP development)', async () => {
    const ctx = context();
    await createSignedCookieStore({ secrets: [SECRET], secure: false }).save(ctx, { a: 1 });
    expect(ctx.cookies.outgoing[0]?.options.secure).toBe(false);
  });

  it('honours cookie name, path and lifetime options', async () => {
    const custom = createSignedCookieStore({
      secrets: [SECRET],
      secure: false,
      cookieName: 'flask_session',
      cookiePath: '/',
      maxAgeSeconds: 60,
    });
    const ctx = context();
    await custom.save(ctx, { a: 1 });
    expect(ctx.cookies.outgoing[0]).toMatchObject({
      name: 'flask_session',
      options: { path: '/', maxAge: 60 },
    });
    expect(await custom.load(nextRequest(ctx, ISSUED + 60))).toMatchObject({ status: 'ok' });
    expect(await custom.load(nextRequest(ctx, ISSUED + 61))).toMatchObject({
      status: 'expired',
      data: {},
    });
  });

  it('reports a changed cookie as tampered, with a reason, and returns no data', async () => {
    const first = context();
    await store.save(first, { role: 'student' });
    const value = first.cookies.get('session')!;
    const forged = value.replace(/^[^.]+/, Buffer.from('{"role":"admin"}').toString('base64url'));
    const loaded = await store.load(context({ session: forged }));
    expect(loaded).toEqual({
      status: 'tampered',
      reason: expect.stringMatching(/signature/),
      data: {},
    });
  });

  it('expires the session after the lifetime, by the injected clock', async () => {
    const first = context();
    await store.save(first, { a: 1 });
    expect(await store.load(nextRequest(first, ISSUED + THIRTY_ONE_DAYS))).toMatchObject({
      status: 'ok',
    });
    expect(await store.load(nextRequest(first, ISSUED + THIRTY_ONE_DAYS + 1))).toEqual({
      status: 'expired',
      reason: expect.stringMatching(/older than/),
      data: {},
    });
  });

  it('keeps accepting cookies signed with a rotated-out key while it is listed', async () => {
    const before = context();
    await createSignedCookieStore({ secrets: ['old'], secure: true }).save(before, { a: 1 });
    const rotated = createSignedCookieStore({ secrets: ['new', 'old'], secure: true });
    expect(await rotated.load(nextRequest(before))).toEqual({ status: 'ok', data: { a: 1 } });

    const resaved = context();
    await rotated.save(resaved, { a: 1 });
    expect(inspectFlaskCookie(resaved.cookies.get('session')!, ['new', 'old']).keyIndex).toBe(0);

    const retired = createSignedCookieStore({ secrets: ['new'], secure: true });
    expect(await retired.load(nextRequest(before))).toMatchObject({ status: 'tampered' });
  });

  it('times the HMAC and zlib work as the crypto part of Server-Timing', async () => {
    const ctx = context();
    await store.save(ctx, { a: 1 });
    await store.load(nextRequest(ctx));
    expect(ctx.timer.entries).toEqual([
      { name: 'crypto', description: 'HMAC-SHA1 + zlib', durationMs: expect.any(Number) },
    ]);
    expect(ctx.timer.toHeader()).toMatch(/^crypto;desc="HMAC-SHA1 \+ zlib";dur=\d+\.\d{3}$/);
  });

  it('refuses a session whose cookie browsers would drop, and sets nothing', async () => {
    const ctx = context();
    const error = await store.save(ctx, { notes: noise(5000) }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SessionTooLargeError);
    const tooLarge = error as SessionTooLargeError;
    expect(tooLarge.limit).toBe(4096);
    expect(tooLarge.bytes).toBeGreaterThan(4096);
    expect(tooLarge.message).toMatch(/silently drop/);
    expect(tooLarge.message).toMatch(/RFC 6265bis/);
    expect(ctx.cookies.outgoing).toEqual([]);
  });

  it('sends a cookie over 4096 bytes when the "too big" demo asks, and a browser drops it', async () => {
    const data = { notes: noise(5000) };
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
    const data = { notes: noise(2900) };
    const probe = context();
    await store.save(probe, data);
    const valueLength = probe.cookies.get('session')!.length;
    const withName = (length: number) =>
      createSignedCookieStore({ secrets: [SECRET], secure: true, cookieName: 'n'.repeat(length) });

    const fits = context();
    await withName(4096 - valueLength).save(fits, data);
    expect(fits.cookies.outgoing).toHaveLength(1);

    const over = withName(4097 - valueLength).save(context(), data);
    await expect(over).rejects.toMatchObject({ name: 'SessionTooLargeError', bytes: 4097 });
  });

  it('destroys the session by expiring the cookie on the same path', async () => {
    const ctx = context({ session: FLASK_COOKIE });
    await store.destroy(ctx);
    expect(ctx.cookies.outgoing[0]).toMatchObject({
      name: 'session',
      value: '',
      options: {
        path: '/api/demo/signed-cookie',
        maxAge: 0,
        httpOnly: true,
        secure: true,
        sameSite: 'Lax',
      },
    });
    expect(await store.load(ctx)).toEqual({ status: 'new', data: {} });
  });

  it('needs a secret', () => {
    expect(() => createSignedCookieStore({ secrets: [], secure: true })).toThrow(/secret/);
    expect(() => createSignedCookieStore({ secrets: ['a', ''], secure: true })).toThrow(/secret/);
  });
});
