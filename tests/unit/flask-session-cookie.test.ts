import { createHmac } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  decodeFlaskSession,
  encodeFlaskSession,
  inspectFlaskCookie,
} from '../../src/sessions/codecs/flask-session-cookie';
import {
  encodeTaggedJson,
  FlaskTuple,
  FlaskUUID,
  Markup,
} from '../../src/sessions/codecs/flask-tagged-json';

/*
 * Vectors minted once by real Flask 2.2.2 / itsdangerous 2.1.2 (Debian python3-flask) through a
 * real request: tests/integration/flask_session_peer.py, op "mint", with SECRET_KEY = SECRET and
 * time.time() frozen at ISSUED. The session held the data next to each vector.
 */
const SECRET = 'correct horse battery staple';
const ISSUED = 1_790_000_000; // 2026-09-21T14:13:20Z
const DAY = 86_400;
const MONTH = 31 * DAY;

const SMALL_DATA = { user: 'ada', visits: 3 };
const SMALL_COOKIE = 'eyJ1c2VyIjoiYWRhIiwidmlzaXRzIjozfQ.arE7gA.mHlvFaskrwbgvK0T1SLlC1UUxos';

const TAGGED_DATA = {
  _flashes: [new FlaskTuple(['message', 'Welcome back'])],
  avatar: Uint8Array.from([0x00, 0x01, 0xfe, 0x50, 0x4e, 0x47]),
  motto: new Markup('<b>bold</b> & brave'),
  id: new FlaskUUID('8f1b3c2a9d4e4f6a8b7c5d3e2f1a0b9c'),
  since: new Date('2026-11-22T01:40:00Z'),
  wrapped: { ' t': 1 },
  ünïcødé: '☃ 😀',
  ratio: 0.1,
  big: 18446744073709551616n,
  tiny: 1.5e-7,
};
const TAGGED_COOKIE =
  '.eJwljstOwzAQRX_FmgUbTBk7zlNVpS4Q3cAGEAtSVX5MSkSTVIlThKr8O066uprROTP3CofqpIdvGqD4ugLzIaChYdBHAg6fdLJdQ8xo' +
  '-wP7ac9BX7TXPRSBNVDAdru7_3iKdzBxMPURCpEplaRKYRqlmMexSETCoXaLMQYjq4SJrNS5U6SqRGcmtbGLSFZCo8ntfKnpvO8Wown' +
  'G2mxMd3LrR7Nhd8z0-kIz1GtfBwhXgsNQt5YWITyCt7HlTEr22l2YRJkwFIXCApE9v7zPqq_bv1B1FdMDphx-e30-062iq5fwh0MAp' +
  'sCWI2Jl2zmossuUuWXKw6tylAlGrBxdFoWtI0SY_gGpqmGy.arE7gA.NLRK4vZ1fh2SiacBLNO8gfSFcUU';

const CART_DATA = {
  cart: [1, 2, 3, 4, 5, 6].map((n) => ({ sku: `SKU-${n}`, qty: n })),
};
const CART_COOKIE =
  '.eJyrVkpOLCpRsoquViosqVSyMtRRKs4uVbJSCvYO1TVUqtWBihshixshxI2RxY0R4ibI4iYIcVNkcVOEuBmyuJlSbWwtAI6GLF0' +
  '.arE7gA.ZZOvkvy9KF592rzmmA1x_MpH33M';

const FLASK_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';

const at = (nowSeconds: number) => ({ maxAgeSeconds: MONTH, nowSeconds });

/** mulberry32: a tiny seeded PRNG, so a failing fuzz case can be replayed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An independent signer for hand-built cookies (payloads Flask's encoder would never write). */
function signByHand(signedPart: string, secret = SECRET): string {
  const key = createHmac('sha1', secret).update('cookie-session').digest();
  return `${signedPart}.${createHmac('sha1', key).update(signedPart).digest('base64url')}`;
}

function handMade(payload: string, timestamp = ISSUED): string {
  const ts = Buffer.alloc(8);
  ts.writeBigUInt64BE(BigInt(timestamp));
  const trimmed = ts.subarray(ts.findIndex((byte) => byte !== 0));
  return signByHand(`${payload}.${trimmed.toString('base64url')}`);
}

describe('decodeFlaskSession with cookies Flask minted', () => {
  it.each([
    ['small', SMALL_COOKIE, SMALL_DATA],
    ['tagged, compressed', TAGGED_COOKIE, TAGGED_DATA],
    ['cart, compressed', CART_COOKIE, CART_DATA],
  ])('reads the %s vector', (_name, cookie, data) => {
    const result = decodeFlaskSession(cookie, [SECRET], at(ISSUED + 60));
    expect(result).toEqual({ status: 'ok', data, issuedAt: new Date(ISSUED * 1000), keyIndex: 0 });
  });

  it('restores the Python types, not look-alikes', () => {
    const result = decodeFlaskSession(TAGGED_COOKIE, [SECRET], at(ISSUED));
    if (result.status !== 'ok') throw new Error(result.reason);
    expect((result.data._flashes as unknown[])[0]).toBeInstanceOf(FlaskTuple);
    expect(result.data.motto).toBeInstanceOf(Markup);
    expect(result.data.id).toBeInstanceOf(FlaskUUID);
    expect(result.data.since).toBeInstanceOf(Date);
    expect(result.data.avatar).toBeInstanceOf(Uint8Array);
  });
});

describe('encodeFlaskSession', () => {
  it('writes the uncompressed vector byte for byte', () => {
    expect(encodeFlaskSession(SMALL_DATA, SECRET, { nowSeconds: ISSUED })).toBe(SMALL_COOKIE);
  });

  it('writes compressed vectors with the same JSON, timestamp and marker as Flask', () => {
    // Node ships Chromium's zlib, whose deflate may pick other matches than the system zlib
    // Python uses, so compressed bytes can differ while inflating to the same JSON.
    for (const [data, flaskCookie] of [
      [TAGGED_DATA, TAGGED_COOKIE],
      [CART_DATA, CART_COOKIE],
    ] as const) {
      const ours = encodeFlaskSession(data, SECRET, { nowSeconds: ISSUED });
      expect(ours.startsWith('.')).toBe(true);
      expect(ours.split('.')[2]).toBe(flaskCookie.split('.')[2]);
      expect(inspectFlaskCookie(ours).payloadJson).toBe(
        inspectFlaskCookie(flaskCookie).payloadJson,
      );
    }
  });

  it('round-trips data of every supported kind', () => {
    const samples = [
      {},
      SMALL_DATA,
      TAGGED_DATA,
      CART_DATA,
      { long: 'ab'.repeat(500), nested: { deeper: [[[{ x: null }]]] } },
    ];
    for (const data of samples) {
      const cookie = encodeFlaskSession(data, SECRET, { nowSeconds: ISSUED });
      expect(decodeFlaskSession(cookie, [SECRET], at(ISSUED))).toMatchObject({
        status: 'ok',
        data,
      });
    }
  });

  it('compresses only when zlib saves at least two bytes', () => {
    const seenSavings = new Set<number>();
    for (const unit of ['x', 'ab', 'abc']) {
      for (let repeats = 0; repeats <= 40; repeats++) {
        const data = { v: unit.repeat(repeats) };
        const json = Buffer.from(encodeTaggedJson(data));
        const saving = json.length - deflateSync(json).length;
        seenSavings.add(saving);
        const cookie = encodeFlaskSession(data, SECRET, { nowSeconds: ISSUED });
        expect(cookie.startsWith('.'), `${unit} x ${repeats} saves ${saving}`).toBe(saving >= 2);
      }
    }
    // The sweep must cross the boundary for the check to mean anything.
    expect([...seenSavings]).toEqual(expect.arrayContaining([0, 1, 2]));
  });

  it('writes the timestamp big-endian without leading zero bytes', () => {
    expect(encodeFlaskSession({}, SECRET, { nowSeconds: 0 }).split('.')[1]).toBe('');
    expect(encodeFlaskSession({}, SECRET, { nowSeconds: 255 }).split('.')[1]).toBe('_w');
    expect(encodeFlaskSession({}, SECRET, { nowSeconds: 256 }).split('.')[1]).toBe('AQA');
    expect(encodeFlaskSession({}, SECRET, { nowSeconds: ISSUED }).split('.')[1]).toBe('arE7gA');
  });

  it('refuses to sign without a secret or with a bad clock', () => {
    expect(() => encodeFlaskSession({}, '')).toThrow(/SECRET_KEY/);
    expect(() => encodeFlaskSession({}, SECRET, { nowSeconds: -1 })).toThrow(RangeError);
    expect(() => encodeFlaskSession({}, SECRET, { nowSeconds: 1.5 })).toThrow(RangeError);
  });
});

describe('tampering', () => {
  it.each([
    ['small', SMALL_COOKIE],
    ['compressed', TAGGED_COOKIE],
  ])('rejects every single-character change in the %s cookie', (_name, cookie) => {
    let checked = 0;
    for (let i = 0; i < cookie.length; i++) {
      for (const replacement of FLASK_ALPHABET) {
        if (replacement === cookie[i]) continue;
        const altered = cookie.slice(0, i) + replacement + cookie.slice(i + 1);
        const result = decodeFlaskSession(altered, [SECRET], at(ISSUED));
        if (result.status !== 'tampered') throw new Error(`accepted ${altered}`);
        checked++;
      }
    }
    expect(checked).toBe(cookie.length * (FLASK_ALPHABET.length - 1));
  });

  it('rejects the last-character variants and padding itsdangerous tolerates', () => {
    // itsdangerous decodes the signature leniently: these four pass in Flask 2.2.2 (see report).
    const lenient = ['J', 'K', 'L'].map((last) => SMALL_COOKIE.slice(0, -1) + last);
    for (const cookie of [...lenient, `${SMALL_COOKIE}=`, `${SMALL_COOKIE}==`]) {
      expect(decodeFlaskSession(cookie, [SECRET], at(ISSUED)).status).toBe('tampered');
    }
  });

  it('rejects every truncation and every extension', () => {
    for (let length = 0; length < SMALL_COOKIE.length; length++) {
      const result = decodeFlaskSession(SMALL_COOKIE.slice(0, length), [SECRET], at(ISSUED));
      expect(result.status).toBe('tampered');
    }
    for (const extra of FLASK_ALPHABET) {
      const result = decodeFlaskSession(SMALL_COOKIE + extra, [SECRET], at(ISSUED));
      expect(result.status).toBe('tampered');
    }
  });

  it('rejects a cookie signed with another key', () => {
    const forged = encodeFlaskSession({ user: 'admin' }, 'guessed key', { nowSeconds: ISSUED });
    const result = decodeFlaskSession(forged, [SECRET], at(ISSUED));
    expect(result).toEqual({ status: 'tampered', reason: expect.stringMatching(/signature/) });
  });

  it('rejects anything when no secret is configured', () => {
    expect(decodeFlaskSession(SMALL_COOKIE, [], at(ISSUED))).toMatchObject({ status: 'tampered' });
  });
});

describe('key rotation', () => {
  const OLD = 'old secret';
  const NEW = 'new secret';

  it('signs with the first secret and verifies with all of them', () => {
    const current = encodeFlaskSession(SMALL_DATA, NEW, { nowSeconds: ISSUED });
    const previous = encodeFlaskSession(SMALL_DATA, OLD, { nowSeconds: ISSUED });
    expect(decodeFlaskSession(current, [NEW, OLD], at(ISSUED))).toMatchObject({
      status: 'ok',
      keyIndex: 0,
    });
    expect(decodeFlaskSession(previous, [NEW, OLD], at(ISSUED))).toMatchObject({
      status: 'ok',
      keyIndex: 1,
      data: SMALL_DATA,
    });
  });

  it('stops accepting a key once it is removed from the list', () => {
    const previous = encodeFlaskSession(SMALL_DATA, OLD, { nowSeconds: ISSUED });
    expect(decodeFlaskSession(previous, [NEW], at(ISSUED)).status).toBe('tampered');
  });
});

describe('expiry', () => {
  it('accepts a cookie exactly max-age old and expires it one second later', () => {
    expect(decodeFlaskSession(SMALL_COOKIE, [SECRET], at(ISSUED + MONTH)).status).toBe('ok');
    expect(decodeFlaskSession(SMALL_COOKIE, [SECRET], at(ISSUED + MONTH + 1))).toEqual({
      status: 'expired',
      reason: expect.stringMatching(/older than/),
      issuedAt: new Date(ISSUED * 1000),
    });
  });

  it('treats a timestamp from the future as expired, like itsdangerous', () => {
    expect(decodeFlaskSession(SMALL_COOKIE, [SECRET], at(ISSUED - 1))).toMatchObject({
      status: 'expired',
      reason: expect.stringMatching(/future/),
    });
  });

  it('checks the signature before the age, so a forged old cookie says tampered', () => {
    const forged = SMALL_COOKIE.slice(0, -2) + 'xx';
    expect(decodeFlaskSession(forged, [SECRET], at(ISSUED + 10 * MONTH)).status).toBe('tampered');
  });
});

describe('correctly signed but unreadable payloads', () => {
  const base64url = (text: string | Buffer) => Buffer.from(text).toString('base64url');

  it.each([
    ['not base64url', 'e$', /characters/],
    ['not JSON', base64url('{"a":'), /Flask's JSON/],
    ['not an object', base64url('[1,2]'), /not a JSON object/],
    ['a bad tag', base64url('{" t":5}'), /tuple/],
    ['not UTF-8', base64url(Buffer.from([0x22, 0xff, 0x22])), /UTF-8/],
    ['marked compressed but not zlib', `.${base64url('plain')}`, /zlib cannot inflate/],
    ['not base64url inside', '.A', /base64url/],
  ])('reports %s as tampered', (_name, payload, reason) => {
    const result = decodeFlaskSession(handMade(payload), [SECRET], at(ISSUED));
    expect(result).toEqual({ status: 'tampered', reason: expect.stringMatching(reason) });
  });

  it('stops inflating a zip bomb at 64 KiB', () => {
    const bomb = deflateSync(Buffer.from(`{"a":"${'x'.repeat(20_000_000)}"}`), { level: 9 });
    const cookie = handMade(`.${bomb.toString('base64url')}`);
    expect(cookie.length).toBeLessThan(40_000);
    const result = decodeFlaskSession(cookie, [SECRET], at(ISSUED));
    expect(result).toEqual({
      status: 'tampered',
      reason: expect.stringMatching(/more than 65536 bytes/),
    });
    expect(inspectFlaskCookie(cookie).error).toMatch(/more than 65536 bytes/);
  });

  it('reports a malformed timestamp', () => {
    const nineBytes = signByHand(`${base64url('{}')}.${base64url(Buffer.alloc(9, 1))}`);
    expect(decodeFlaskSession(nineBytes, [SECRET], at(ISSUED))).toMatchObject({
      status: 'tampered',
      reason: expect.stringMatching(/timestamp/),
    });
    const noTimestamp = signByHand(base64url('{}'));
    expect(decodeFlaskSession(noTimestamp, [SECRET], at(ISSUED))).toMatchObject({
      status: 'tampered',
      reason: expect.stringMatching(/timestamp/),
    });
  });
});

describe('never throws', () => {
  const decodeAndInspect = (input: string) => {
    const decoded = decodeFlaskSession(input, [SECRET, 'other'], at(ISSUED));
    const inspected = inspectFlaskCookie(input, [SECRET]);
    return { decoded, inspected };
  };

  it('on fixed oddities', () => {
    const oddities = [
      '',
      '.',
      '..',
      '...',
      '.....',
      'a.b.c',
      ' ',
      '=',
      '\u0000',
      '😀.😀.😀',
      'x'.repeat(200_000),
    ];
    for (const input of oddities) expect(decodeAndInspect(input).decoded.status).toBe('tampered');
    expect(decodeFlaskSession(null as unknown as string, [SECRET], at(ISSUED)).status).toBe(
      'tampered',
    );
  });

  it('on thousands of random strings and mutated cookies (seeded)', () => {
    const random = seededRandom(20_261_122);
    const pick = (text: string) => text[Math.floor(random() * text.length)] ?? '';
    const anyChar = () => String.fromCodePoint(Math.floor(random() * 0x11_0000));
    for (let i = 0; i < 4000; i++) {
      const length = Math.floor(random() * 120);
      let input: string;
      if (i % 4 === 0) {
        input = Array.from({ length }, anyChar).join('');
      } else if (i % 4 === 1) {
        input = Array.from({ length }, () => pick(FLASK_ALPHABET)).join('');
      } else {
        const source = i % 4 === 2 ? SMALL_COOKIE : TAGGED_COOKIE;
        const chars = [...source];
        for (let edits = 1 + Math.floor(random() * 4); edits > 0; edits--) {
          const at = Math.floor(random() * chars.length);
          if (random() < 0.5) chars.splice(at, 1);
          else chars.splice(at, 0, pick(FLASK_ALPHABET));
        }
        input = chars.join('');
      }
      if (input === SMALL_COOKIE || input === TAGGED_COOKIE) continue; // edits that cancelled out
      const { decoded } = decodeAndInspect(input);
      if (decoded.status !== 'tampered') throw new Error(`seeded case ${i} gave ${decoded.status}`);
    }
  });
});

describe('inspectFlaskCookie', () => {
  it('reads the data without a secret, because the payload is only encoded', () => {
    const inspection = inspectFlaskCookie(SMALL_COOKIE, [], { nowSeconds: ISSUED + 90 });
    expect(inspection).toEqual({
      parts: {
        payload: 'eyJ1c2VyIjoiYWRhIiwidmlzaXRzIjozfQ',
        timestamp: 'arE7gA',
        signature: 'mHlvFaskrwbgvK0T1SLlC1UUxos',
      },
      compressed: false,
      payloadJson: '{"user":"ada","visits":3}',
      data: SMALL_DATA,
      issuedAt: new Date(ISSUED * 1000),
      ageSeconds: 90,
      signature: 'not-checked',
    });
  });

  it('shows the JSON inside a compressed cookie', () => {
    const inspection = inspectFlaskCookie(CART_COOKIE);
    expect(inspection.compressed).toBe(true);
    expect(inspection.payloadJson).toBe(
      '{"cart":[{"qty":1,"sku":"SKU-1"},{"qty":2,"sku":"SKU-2"},{"qty":3,"sku":"SKU-3"},' +
        '{"qty":4,"sku":"SKU-4"},{"qty":5,"sku":"SKU-5"},{"qty":6,"sku":"SKU-6"}]}',
    );
    expect(inspection.error).toBeUndefined();
  });

  it('checks the signature when given secrets', () => {
    expect(inspectFlaskCookie(SMALL_COOKIE, ['wrong', SECRET])).toMatchObject({
      signature: 'valid',
      keyIndex: 1,
    });
    const forged = encodeFlaskSession({ user: 'admin' }, 'guessed', { nowSeconds: ISSUED });
    expect(inspectFlaskCookie(forged, [SECRET])).toMatchObject({
      signature: 'invalid',
      data: { user: 'admin' },
    });
  });

  it('says when a value is not in Flask format at all', () => {
    expect(inspectFlaskCookie('s%3Aabc.def')).toMatchObject({
      signature: 'not-checked',
      error: expect.stringMatching(/not a Flask session cookie/),
    });
    expect(inspectFlaskCookie('nodots', [SECRET])).toMatchObject({
      signature: 'invalid',
      error: expect.stringMatching(/not a Flask session cookie/),
    });
    expect(inspectFlaskCookie('abc.def').error).toMatch(/timestamp/);
  });
});
