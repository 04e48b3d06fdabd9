import { SignJWT, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { CookieJar, parseCookieHeader, serializeSetCookie } from '../../src/sessions/cookie-jar';
import { Timer } from '../../src/sessions/timer';
import { createKeyRing, deriveKey } from '../../src/sessions/codecs/key-ring';
import {
  JWT_KEY_PURPOSE,
  createJwtStore,
  decodeJwtWithoutVerifying,
} from '../../src/sessions/stores/jwt/store';
import { SessionTooLargeError } from '../../src/sessions/types';
import type { DemoContext } from '../../src/sessions/types';
import { SimulatedBrowser } from '../support/simulated-browser';

const SECRET = 'correct horse battery staple';
const ISSUED = 1_790_000_000;
const ONE_DAY = 86_400;
const NAME = 'jwt';

const UNICODE_SESSION = {
  name: 'Zoë Ångström-Núñez',
  greeting: '你好，世界 こんにちは 안녕하세요',
  mood: '🎉 👩🏽‍💻 🇫🇷',
  awkward: 'a "quote"; a semicolon, a comma \\ a backslash, 100%',
  nested: { list: [1, 'два', { deep: [true, null, 3.5] }], empty: {}, none: [] },
};

const NONE_REASON = 'alg none refused: an unsigned token would let anyone forge a session';
const algReason = (alg: string) =>
  `alg ${alg} refused: only HS256 is accepted — accepting the algorithm named in the token is the classic alg-confusion bug`;

function context(cookies: Map<string, string> = new Map(), nowSeconds = ISSUED): DemoContext {
  return {
    cookies: new CookieJar(cookies),
    instance: { id: 'test', memory: new Map(), directory: '' },
    timer: new Timer(),
    now: () => nowSeconds * 1000,
  };
}

function withCookie(value: string, nowSeconds = ISSUED): DemoContext {
  return context(new Map([[NAME, value]]), nowSeconds);
}

/** A browser: keeps `name=value` from each Set-Cookie line and sends it back as a Cookie header. */
function nextRequest(previous: DemoContext, nowSeconds = ISSUED): DemoContext {
  const header = previous.cookies.outgoing
    .filter((cookie) => cookie.options.maxAge !== 0)
    .map((cookie) => serializeSetCookie(cookie).split(';')[0])
    .join('; ');
  return context(parseCookieHeader(header), nowSeconds);
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

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

async function tokenFrom(secrets: string[], data: Record<string, unknown> = { user_id: 42 }) {
  const ctx = context();
  await createJwtStore({ secrets, secure: true }).save(ctx, data);
  return ctx.cookies.get(NAME)!;
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const REPLACEMENTS = [...BASE64URL, '.', '=', '%', '+', '/', ' '];

describe('jwt store', () => {
  const store = createJwtStore({ secrets: [SECRET], secure: true });
  const ourKey = deriveKey(SECRET, JWT_KEY_PURPOSE);
  const kid = createKeyRing([SECRET], JWT_KEY_PURPOSE).current.id;
  const claims = {
    data: { user_id: 1, role: 'admin' },
    iss: 'session-lab',
    iat: ISSUED,
    exp: ISSUED + 60,
  };

  it('describes itself as readable, tamper-evident and unrevocable', () => {
    expect(store.info).toMatchObject({
      id: 'jwt',
      title: 'JWT cookie',
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
    expect(await store.load(withCookie(''))).toEqual({ status: 'new', data: {} });
  });

  it('saves an HS256 JWT with kid, iss, iat, exp and the session under data', async () => {
    const ctx = context();
    await store.save(ctx, { user_id: 42 });
    const [cookie] = ctx.cookies.outgoing;
    expect(cookie?.name).toBe(NAME);
    expect(cookie?.options).toEqual({
      httpOnly: true,
      sameSite: 'Lax',
      secure: true,
      path: '/api/demo/jwt',
      maxAge: ONE_DAY,
      expires: new Date((ISSUED + ONE_DAY) * 1000),
    });
    // Anyone can read it: no key needed.
    expect(decodeJwtWithoutVerifying(cookie!.value)).toEqual({
      ok: true,
      header: { alg: 'HS256', typ: 'JWT', kid },
      payload: { data: { user_id: 42 }, iss: 'session-lab', iat: ISSUED, exp: ISSUED + ONE_DAY },
      signature: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
  });

  it('round-trips nested, accented, CJK and emoji JSON through a browser', async () => {
    const first = context();
    await store.save(first, UNICODE_SESSION);
    expect(await store.load(nextRequest(first, ISSUED + 5))).toEqual({
      status: 'ok',
      data: UNICODE_SESSION,
    });
  });

  it('keeps session keys that share a name with registered claims apart from them', async () => {
    const first = context();
    await store.save(first, { exp: 'never', iss: 'me', iat: 0 });
    expect(await store.load(nextRequest(first, ISSUED + 5))).toEqual({
      status: 'ok',
      data: { exp: 'never', iss: 'me', iat: 0 },
    });
  });

  it('rejects every single-character change anywhere in the token', async () => {
    const token = await tokenFrom([SECRET]);
    let tried = 0;
    for (let at = 0; at < token.length; at++) {
      for (const replacement of REPLACEMENTS) {
        if (replacement === token[at]) continue;
        const changed = token.slice(0, at) + replacement + token.slice(at + 1);
        const loaded = await store.load(withCookie(changed));
        if (loaded.status !== 'tampered') throw new Error(`accepted ${changed}`);
        tried++;
      }
    }
    expect(tried).toBeGreaterThan(token.length * 60);
  });

  it('rejects every truncation and an extra character', async () => {
    const token = await tokenFrom([SECRET]);
    for (let length = 1; length < token.length; length++) {
      expect(await store.load(withCookie(token.slice(0, length)))).toMatchObject({
        status: 'tampered',
        data: {},
      });
    }
    expect(await store.load(withCookie(`${token}A`))).toMatchObject({ status: 'tampered' });
  });

  it('refuses a token signed with a key it does not have, saying so', async () => {
    expect(await store.load(withCookie(await tokenFrom(['someone else'])))).toEqual({
      status: 'tampered',
      reason: 'signed with a key this server does not have',
      data: {},
    });
    // Another key that borrows our kid: the signature gives it away.
    const borrowed = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', kid })
      .sign(deriveKey('someone else', JWT_KEY_PURPOSE));
    expect(await store.load(withCookie(borrowed))).toEqual({
      status: 'tampered',
      reason: expect.stringMatching(/signature does not match/),
      data: {},
    });
  });

  it('verifies tokens signed with a rotated-out key while it is listed, and not after', async () => {
    const old = await tokenFrom(['old']);
    const rotated = createJwtStore({ secrets: ['new', 'old'], secure: true });
    expect(await rotated.load(withCookie(old))).toEqual({ status: 'ok', data: { user_id: 42 } });

    const resaved = context();
    await rotated.save(resaved, { user_id: 42 });
    const decoded = decodeJwtWithoutVerifying(resaved.cookies.get(NAME)!);
    expect(decoded.ok && decoded.header.kid).toBe(
      createKeyRing(['new'], JWT_KEY_PURPOSE).current.id,
    );

    const retired = createJwtStore({ secrets: ['new'], secure: true });
    expect(await retired.load(withCookie(old))).toMatchObject({
      status: 'tampered',
      reason: 'signed with a key this server does not have',
    });
    expect(await retired.load(nextRequest(resaved))).toMatchObject({ status: 'ok' });
  });

  it('expires at exp with zero clock tolerance, by the injected clock', async () => {
    const short = createJwtStore({ secrets: [SECRET], secure: true, maxAgeSeconds: 60 });
    const first = context();
    await short.save(first, { a: 1 });
    expect(first.cookies.outgoing[0]?.options.maxAge).toBe(60);
    expect(await short.load(nextRequest(first, ISSUED + 59))).toEqual({
      status: 'ok',
      data: { a: 1 },
    });
    expect(await short.load(nextRequest(first, ISSUED + 60))).toEqual({
      status: 'expired',
      reason: expect.stringMatching(/expired at 2026-09-21T.*exp claim/),
      data: {},
    });
  });

  it('defaults to a one-day lifetime', async () => {
    const first = context();
    await store.save(first, { a: 1 });
    expect(await store.load(nextRequest(first, ISSUED + ONE_DAY - 1))).toMatchObject({
      status: 'ok',
    });
    expect(await store.load(nextRequest(first, ISSUED + ONE_DAY))).toMatchObject({
      status: 'expired',
    });
  });

  it('refuses a hand-made alg none token, in any spelling', async () => {
    for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
      const unsigned = `${b64({ alg, typ: 'JWT', kid })}.${b64(claims)}.`;
      expect(decodeJwtWithoutVerifying(unsigned)).toMatchObject({ ok: true, signature: '' });
      expect(await store.load(withCookie(unsigned))).toEqual({
        status: 'tampered',
        reason: NONE_REASON,
        data: {},
      });
    }
  });

  it('refuses HS512 even under its own key, and RS256, naming the alg-confusion bug', async () => {
    const hs512 = await new SignJWT(claims).setProtectedHeader({ alg: 'HS512', kid }).sign(ourKey);
    expect(await store.load(withCookie(hs512))).toEqual({
      status: 'tampered',
      reason: algReason('HS512'),
      data: {},
    });

    const { privateKey } = await generateKeyPair('RS256');
    const rs256 = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid })
      .sign(privateKey);
    expect(await store.load(withCookie(rs256))).toEqual({
      status: 'tampered',
      reason: algReason('RS256'),
      data: {},
    });

    // A header that only claims RS256 over a real HS256 signature is refused the same way.
    const relabelled = [
      b64({ alg: 'RS256', kid }),
      ...(await tokenFrom([SECRET])).split('.').slice(1),
    ];
    expect(await store.load(withCookie(relabelled.join('.')))).toMatchObject({
      reason: algReason('RS256'),
    });
  });

  it('refuses tokens it did not write even when correctly signed', async () => {
    const sign = (payload: Record<string, unknown>, header: Record<string, unknown> = { kid }) =>
      new SignJWT(payload).setProtectedHeader({ alg: 'HS256', ...header }).sign(ourKey);
    const cases: [string, RegExp][] = [
      [await sign({ ...claims, iss: 'elsewhere' }), /iss/],
      [await sign({ ...claims, exp: undefined }), /exp/],
      [await sign({ ...claims, data: [1, 2] }), /no data claim/],
      [await sign({ ...claims, data: undefined }), /no data claim/],
      [await sign(claims, {}), /names no key/],
    ];
    for (const [token, reason] of cases) {
      expect(await store.load(withCookie(token))).toEqual({
        status: 'tampered',
        reason: expect.stringMatching(reason),
        data: {},
      });
    }
  });

  it('times the HMAC work as the crypto part of Server-Timing', async () => {
    const ctx = context();
    await store.save(ctx, { a: 1 });
    await store.load(nextRequest(ctx));
    expect(ctx.timer.entries).toEqual([
      { name: 'crypto', description: 'HMAC-SHA256 (JWT)', durationMs: expect.any(Number) },
    ]);
  });

  it('refuses a session whose cookie browsers would drop, and sets nothing', async () => {
    const ctx = context();
    const error = await store
      .save(ctx, { notes: 'x'.repeat(4000) })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SessionTooLargeError);
    const tooLarge = error as SessionTooLargeError;
    expect(tooLarge.limit).toBe(4096);
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
    const data = { notes: 'x'.repeat(2500) };
    const valueLength = (await tokenFrom([SECRET], data)).length;
    const withName = (length: number) =>
      createJwtStore({ secrets: [SECRET], secure: true, cookieName: 'n'.repeat(length) });
    const fits = context();
    await withName(4096 - valueLength).save(fits, data);
    expect(fits.cookies.outgoing).toHaveLength(1);
    await expect(withName(4097 - valueLength).save(context(), data)).rejects.toMatchObject({
      name: 'SessionTooLargeError',
      bytes: 4097,
    });
  });

  it('decodes without verifying, and says what is unreadable without throwing', () => {
    expect(decodeJwtWithoutVerifying(`${b64({ alg: 'HS256' })}.${b64({ a: 1 })}.sig`)).toEqual({
      ok: true,
      header: { alg: 'HS256' },
      payload: { a: 1 },
      signature: 'sig',
    });
    for (const token of [
      '',
      'a.b',
      'a.b.c.d',
      '!!.e30.x',
      `${b64([1])}.e30.x`,
      'e30.bm90IGpzb24.x',
    ]) {
      expect(decodeJwtWithoutVerifying(token)).toEqual({ ok: false, reason: expect.any(String) });
    }
  });

  it('never throws on load, whatever the browser sends (seeded fuzz)', async () => {
    const next = random(20_260_103);
    const token = await tokenFrom([SECRET]);
    const palette = [...BASE64URL, '.', '.', '.', '=', '%', 'eyJ', 'e30', '\u0000', 'é'];
    for (let i = 0; i < 4000; i++) {
      let value: string;
      if (i % 2 === 0) {
        const length = Math.floor(next() * 150);
        value = '';
        for (let j = 0; j < length; j++) value += palette[Math.floor(next() * palette.length)];
      } else {
        // A real token with a few random edits, to reach the deeper checks.
        value = token;
        for (let edits = 1 + Math.floor(next() * 3); edits > 0; edits--) {
          const at = Math.floor(next() * value.length);
          const insert = palette[Math.floor(next() * palette.length)]!;
          const cut = Math.floor(next() * 3);
          value = value.slice(0, at) + insert.repeat(cut === 0 ? 0 : 1) + value.slice(at + cut);
        }
        if (value === token) continue;
      }
      const loaded = await store.load(withCookie(value));
      expect(['new', 'tampered']).toContain(loaded.status);
      expect(loaded.data).toEqual({});
      expect(() => decodeJwtWithoutVerifying(value)).not.toThrow();
    }
  });

  it('destroys the session by expiring the cookie on the same path', async () => {
    const ctx = withCookie(await tokenFrom([SECRET]));
    await store.destroy(ctx);
    expect(ctx.cookies.outgoing[0]).toMatchObject({
      name: NAME,
      value: '',
      options: { path: '/api/demo/jwt', maxAge: 0, httpOnly: true, secure: true },
    });
    expect(await store.load(ctx)).toEqual({ status: 'new', data: {} });
  });

  it('honours cookie name and issuer, leaves Secure off when asked to, and needs a secret', async () => {
    const custom = createJwtStore({
      secrets: [SECRET],
      secure: false,
      cookieName: 'token',
      issuer: 'course',
    });
    const ctx = context();
    await custom.save(ctx, { a: 1 });
    expect(ctx.cookies.outgoing[0]).toMatchObject({ name: 'token', options: { secure: false } });
    expect(await custom.load(nextRequest(ctx))).toEqual({ status: 'ok', data: { a: 1 } });
    const token = ctx.cookies.get('token')!;
    expect(await store.load(withCookie(token))).toMatchObject({ status: 'tampered' });

    expect(() => createJwtStore({ secrets: [], secure: true })).toThrow(/secret/);
    expect(() => createJwtStore({ secrets: ['a', ''], secure: true })).toThrow(/secret/);
  });
});
