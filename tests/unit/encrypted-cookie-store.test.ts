import { describe, expect, it } from 'vitest';
import { CookieJar, parseCookieHeader, serializeSetCookie } from '../../src/sessions/cookie-jar';
import { Timer } from '../../src/sessions/timer';
import { createKeyRing } from '../../src/sessions/codecs/key-ring';
import {
  SEAL_KEY_PURPOSE,
  createEncryptedCookieStore,
} from '../../src/sessions/stores/encrypted-cookie/store';
import { SessionTooLargeError } from '../../src/sessions/types';
import type { DemoContext } from '../../src/sessions/types';
import { SimulatedBrowser } from '../support/simulated-browser';

const SECRET = 'correct horse battery staple';
const ISSUED = 1_790_000_000;
const FOURTEEN_DAYS = 14 * 86_400;
const NAME = 'sealed_session';

const UNICODE_SESSION = {
  name: 'Zoë Ångström-Núñez',
  greeting: '你好，世界 こんにちは 안녕하세요',
  mood: '🎉 👩🏽‍💻 🇫🇷',
  awkward: 'a "quote"; a semicolon, a comma \\ a backslash, 100%',
  nested: { list: [1, 'два', { deep: [true, null, 3.5] }], empty: {}, none: [] },
};

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

async function sealWith(secrets: string[], data = { user_id: 42 }): Promise<string> {
  const ctx = context();
  await createEncryptedCookieStore({ secrets, secure: true }).save(ctx, data);
  return ctx.cookies.get(NAME)!;
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** Every character a flip may turn another into: the seal's own alphabet and some strangers. */
const REPLACEMENTS = [...BASE64URL, '.', '=', '%', '+', '/', ' '];

describe('encrypted-cookie store', () => {
  const store = createEncryptedCookieStore({ secrets: [SECRET], secure: true });
  const keyId = createKeyRing([SECRET], SEAL_KEY_PURPOSE).current.id;

  it('describes itself as hidden, tamper-evident and unrevocable', () => {
    expect(store.info).toMatchObject({
      id: 'encrypted-cookie',
      title: 'Encrypted cookie',
      where: 'browser',
      facts: {
        sharedAcrossInstances: true,
        survivesRestart: true,
        revocable: false,
        readableByClient: false,
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

  it('saves v1.<key id>.<iv>.<ciphertext> in a 14-day, HttpOnly, SameSite=Lax, Secure cookie', async () => {
    const ctx = context();
    await store.save(ctx, { user_id: 42 });
    const [cookie] = ctx.cookies.outgoing;
    expect(cookie?.name).toBe(NAME);
    expect(cookie?.value).toMatch(/^v1\.[0-9a-f]{8}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    expect(cookie?.value.split('.')[1]).toBe(keyId);
    expect(cookie?.options).toEqual({
      httpOnly: true,
      sameSite: 'Lax',
      secure: true,
      path: '/api/demo/encrypted-cookie',
      maxAge: FOURTEEN_DAYS,
      expires: new Date((ISSUED + FOURTEEN_DAYS) * 1000),
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

  it('hides the plaintext, and seals the same data differently each time', async () => {
    const data = { user_id: 42, secret_word: 'swordfish' };
    const [a, b] = [await sealWith([SECRET], data), await sealWith([SECRET], data)];
    expect(a).not.toBe(b);
    expect(a.split('.')[2]).not.toBe(b.split('.')[2]);
    for (const sealed of [a, b]) {
      expect(sealed).not.toMatch(/user_id|swordfish/);
      const bytes = Buffer.concat(sealed.split('.').map((part) => Buffer.from(part, 'base64url')));
      expect(bytes.includes(Buffer.from('swordfish'))).toBe(false);
      expect(bytes.includes(Buffer.from('user_id'))).toBe(false);
      expect(await store.load(withCookie(sealed))).toEqual({ status: 'ok', data });
    }
  });

  // Three lengths, so the last base64url character carries 0, 2 and 4 unused bits in turn.
  it.each([1, 12, 123])(
    'rejects every single-character change anywhere in a seal (%i)',
    async (n) => {
      const sealed = await sealWith([SECRET], { user_id: n });
      let tried = 0;
      for (let at = 0; at < sealed.length; at++) {
        for (const replacement of REPLACEMENTS) {
          if (replacement === sealed[at]) continue;
          const changed = sealed.slice(0, at) + replacement + sealed.slice(at + 1);
          const loaded = await store.load(withCookie(changed));
          if (loaded.status !== 'tampered') throw new Error(`accepted ${changed}`);
          expect(loaded.reason).toEqual(expect.any(String));
          tried++;
        }
      }
      expect(tried).toBeGreaterThan(sealed.length * 60);
    },
  );

  it('rejects every truncation and an extra character', async () => {
    const sealed = await sealWith([SECRET]);
    for (let length = 1; length < sealed.length; length++) {
      expect(await store.load(withCookie(sealed.slice(0, length)))).toMatchObject({
        status: 'tampered',
        data: {},
      });
    }
    expect(await store.load(withCookie(`${sealed}A`))).toMatchObject({ status: 'tampered' });
  });

  it('refuses a seal made with a key it does not have, saying so', async () => {
    expect(await store.load(withCookie(await sealWith(['someone else'])))).toEqual({
      status: 'tampered',
      reason: expect.stringMatching(/key this server does not have/),
      data: {},
    });
  });

  it('opens seals made with a rotated-out key while it is listed, and not after', async () => {
    const old = await sealWith(['old']);
    const rotated = createEncryptedCookieStore({ secrets: ['new', 'old'], secure: true });
    expect(await rotated.load(withCookie(old))).toEqual({ status: 'ok', data: { user_id: 42 } });

    const resaved = context();
    await rotated.save(resaved, { user_id: 42 });
    const newId = createKeyRing(['new'], SEAL_KEY_PURPOSE).current.id;
    expect(resaved.cookies.get(NAME)!.split('.')[1]).toBe(newId);

    const retired = createEncryptedCookieStore({ secrets: ['new'], secure: true });
    expect(await retired.load(withCookie(old))).toMatchObject({ status: 'tampered' });
    expect(await retired.load(nextRequest(resaved))).toMatchObject({ status: 'ok' });
  });

  it('binds the key id: naming another key the server has does not open the seal', async () => {
    const old = await sealWith(['old']);
    const rotated = createEncryptedCookieStore({ secrets: ['new', 'old'], secure: true });
    const newId = createKeyRing(['new'], SEAL_KEY_PURPOSE).current.id;
    const relabelled = old.replace(/^v1\.[0-9a-f]{8}\./, `v1.${newId}.`);
    expect(relabelled).not.toBe(old);
    expect(await rotated.load(withCookie(relabelled))).toMatchObject({ status: 'tampered' });
  });

  it('expires at the sealed expiry, by the injected clock', async () => {
    const short = createEncryptedCookieStore({
      secrets: [SECRET],
      secure: true,
      maxAgeSeconds: 60,
    });
    const first = context();
    await short.save(first, { a: 1 });
    expect(first.cookies.outgoing[0]?.options.maxAge).toBe(60);
    expect(await short.load(nextRequest(first, ISSUED + 59))).toEqual({
      status: 'ok',
      data: { a: 1 },
    });
    expect(await short.load(nextRequest(first, ISSUED + 60))).toEqual({
      status: 'expired',
      reason: expect.stringMatching(/expired at 2026-09-21T.*60 s/),
      data: {},
    });
    // A store with a longer lifetime still honours the expiry sealed inside.
    expect(await store.load(nextRequest(first, ISSUED + 3600))).toMatchObject({
      status: 'expired',
    });
    expect(await store.load(nextRequest(first, ISSUED + FOURTEEN_DAYS - 1))).toMatchObject({
      status: 'expired',
    });
  });

  it('defaults to iron-session’s 14 days', async () => {
    const first = context();
    await store.save(first, { a: 1 });
    expect(await store.load(nextRequest(first, ISSUED + FOURTEEN_DAYS - 1))).toMatchObject({
      status: 'ok',
    });
    expect(await store.load(nextRequest(first, ISSUED + FOURTEEN_DAYS))).toMatchObject({
      status: 'expired',
    });
  });

  it('times the AES-GCM work as the crypto part of Server-Timing', async () => {
    const ctx = context();
    await store.save(ctx, { a: 1 });
    await store.load(nextRequest(ctx));
    expect(ctx.timer.entries).toEqual([
      { name: 'crypto', description: 'AES-256-GCM', durationMs: expect.any(Number) },
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
    const valueLength = (await sealWith([SECRET], data as never)).length;
    const withName = (length: number) =>
      createEncryptedCookieStore({
        secrets: [SECRET],
        secure: true,
        cookieName: 'n'.repeat(length),
      });
    const fits = context();
    await withName(4096 - valueLength).save(fits, data);
    expect(fits.cookies.outgoing).toHaveLength(1);
    await expect(withName(4097 - valueLength).save(context(), data)).rejects.toMatchObject({
      name: 'SessionTooLargeError',
      bytes: 4097,
    });
  });

  it('reports an oversized incoming cookie as tampered without decrypting it', async () => {
    const ctx = withCookie(`v1.${keyId}.${'A'.repeat(16)}.${'A'.repeat(4100)}`);
    expect(await store.load(ctx)).toEqual({
      status: 'tampered',
      reason: expect.stringMatching(/4096/),
      data: {},
    });
    expect(ctx.timer.entries).toEqual([]);
  });

  it('never throws on load, whatever the browser sends (seeded fuzz)', async () => {
    const next = random(20_260_102);
    const sealed = await sealWith([SECRET]);
    const palette = [...BASE64URL, '.', '.', '.', '=', '%', 'v1.', `v1.${keyId}.`, '\u0000', 'é'];
    for (let i = 0; i < 4000; i++) {
      let value: string;
      if (i % 2 === 0) {
        const length = Math.floor(next() * 120);
        value = '';
        for (let j = 0; j < length; j++) value += palette[Math.floor(next() * palette.length)];
      } else {
        // A real seal with a few random edits, to reach the deeper checks.
        value = sealed;
        for (let edits = 1 + Math.floor(next() * 3); edits > 0; edits--) {
          const at = Math.floor(next() * value.length);
          const insert = palette[Math.floor(next() * palette.length)]!;
          const cut = Math.floor(next() * 3);
          value = value.slice(0, at) + insert.repeat(cut === 0 ? 0 : 1) + value.slice(at + cut);
        }
        if (value === sealed) continue;
      }
      const loaded = await store.load(withCookie(value));
      expect(['new', 'tampered']).toContain(loaded.status);
      expect(loaded.data).toEqual({});
    }
  });

  it('destroys the session by expiring the cookie on the same path', async () => {
    const ctx = withCookie(await sealWith([SECRET]));
    await store.destroy(ctx);
    expect(ctx.cookies.outgoing[0]).toMatchObject({
      name: NAME,
      value: '',
      options: { path: '/api/demo/encrypted-cookie', maxAge: 0, httpOnly: true, secure: true },
    });
    expect(await store.load(ctx)).toEqual({ status: 'new', data: {} });
  });

  it('leaves Secure off when asked to, and needs a secret', async () => {
    const ctx = context();
    await createEncryptedCookieStore({ secrets: [SECRET], secure: false }).save(ctx, { a: 1 });
    expect(ctx.cookies.outgoing[0]?.options.secure).toBe(false);
    expect(() => createEncryptedCookieStore({ secrets: [], secure: true })).toThrow(/secret/);
    expect(() => createEncryptedCookieStore({ secrets: ['a', ''], secure: true })).toThrow(
      /secret/,
    );
  });
});
