import { describe, expect, it } from 'vitest';
import {
  FlaskTuple,
  FlaskUUID,
  Markup,
  TaggedJsonError,
  decodeTaggedJson,
  encodeTaggedJson,
} from '../../src/sessions/codecs/flask-tagged-json';
import { compareCodePoints, formatPythonNumber } from '../../src/sessions/codecs/python-text';

/*
 * The expected texts below were produced once by real Flask 2.2.2 (Debian python3-flask) with
 * tests/integration/flask_session_peer.py's `dumpsJson` op, i.e.
 * `app.session_interface.serializer.dumps(value)` inside an app context.
 */

describe('Flask tagged JSON: encoding matches Flask byte for byte', () => {
  it('writes a session with every tag as Flask does', () => {
    const session = {
      _flashes: [new FlaskTuple(['message', 'Welcome back'])],
      avatar: Uint8Array.from([0x00, 0x01, 0xfe, 0x50, 0x4e, 0x47]),
      motto: new Markup('<b>bold</b> & brave'),
      id: new FlaskUUID('8f1b3c2a-9d4e-4f6a-8b7c-5d3e2f1a0b9c'),
      since: new Date('2026-11-22T01:40:00Z'),
      wrapped: { ' t': 1 },
      ünïcødé: '☃ 😀',
      ratio: 0.1,
      big: 18446744073709551616n,
      tiny: 1.5e-7,
    };
    expect(encodeTaggedJson(session)).toBe(
      '{"_flashes":[{" t":["message","Welcome back"]}],"avatar":{" b":"AAH+UE5H"},' +
        '"big":18446744073709551616,"id":{" u":"8f1b3c2a9d4e4f6a8b7c5d3e2f1a0b9c"},' +
        '"motto":{" m":"<b>bold</b> & brave"},"ratio":0.1,' +
        '"since":{" d":"Sun, 22 Nov 2026 01:40:00 GMT"},"tiny":1.5e-07,' +
        '"wrapped":{" di":{" t__":1}},"\\u00fcn\\u00efc\\u00f8d\\u00e9":"\\u2603 \\ud83d\\ude00"}',
    );
  });

  it('formats floats like Python repr', () => {
    const floats = [
      0.1, 1.5e-7, 0.0001, 1e-5, 123456.789, 9007199254740992, 1e16, 1e300, -2.5e-10, 5e-324,
      1.7976931348623157e308, 0.30000000000000004, 12345678901234.5, 1e21, -0.5,
    ];
    expect(`[${floats.map((n) => formatPythonNumber(n)).join(',')}]`).toBe(
      '[0.1,1.5e-07,0.0001,1e-05,123456.789,9007199254740992.0,1e+16,1e+300,-2.5e-10,5e-324,' +
        '1.7976931348623157e+308,0.30000000000000004,12345678901234.5,1e+21,-0.5]',
    );
  });

  it('writes safe integers as ints, -0 as 0, and bigints in full', () => {
    expect(encodeTaggedJson([true, false, null, -0, 9007199254740991, -9007199254740993n])).toBe(
      '[true,false,null,0,9007199254740991,-9007199254740993]',
    );
  });

  it('sorts keys by code point, not by UTF-16 unit', () => {
    const keys = { é: 1, z: 2, '～': 3, '😀': 4, A: 5, '': 6, Z: 7 };
    expect(encodeTaggedJson(keys)).toBe(
      '{"":6,"A":5,"Z":7,"z":2,"\\u00e9":1,"\\uff5e":3,"\\ud83d\\ude00":4}',
    );
    expect(['😀', '～'].sort()).toEqual(['😀', '～']); // what a plain sort would get wrong
    expect(['😀', '～'].sort(compareCodePoints)).toEqual(['～', '😀']);
  });

  it('escapes like ensure_ascii, including DEL and leaving "/" alone', () => {
    expect(encodeTaggedJson('\u0000\u001f\u007f\b\f\n\r\t"\\/ é😀<>&\'')).toBe(
      '"\\u0000\\u001f\\u007f\\b\\f\\n\\r\\t\\"\\\\/ \\u00e9\\ud83d\\ude00<>&\'"',
    );
  });

  it('tags nested values inside tags, and renames tag-like keys at any depth', () => {
    const value = {
      nested: { ' di': new FlaskTuple([1, { ' m': 'x' }]) },
      t: new FlaskTuple([]),
      b: new Uint8Array(),
      l: [true, false, null, -0, 9007199254740991, -9007199254740993n],
    };
    expect(encodeTaggedJson(value)).toBe(
      '{"b":{" b":""},"l":[true,false,null,0,9007199254740991,-9007199254740993],' +
        '"nested":{" di":{" di__":{" t":[1,{" di":{" m__":"x"}}]}}},"t":{" t":[]}}',
    );
  });

  it('writes the ends of Python datetime range and leap days', () => {
    expect(encodeTaggedJson(new Date('0001-01-01T00:00:00Z'))).toBe(
      '{" d":"Mon, 01 Jan 0001 00:00:00 GMT"}',
    );
    expect(encodeTaggedJson(new Date('9999-12-31T23:59:59.999Z'))).toBe(
      '{" d":"Fri, 31 Dec 9999 23:59:59 GMT"}',
    );
    expect(encodeTaggedJson(new Date('2000-02-29T00:00:00Z'))).toBe(
      '{" d":"Tue, 29 Feb 2000 00:00:00 GMT"}',
    );
  });

  it('refuses values Flask could not store', () => {
    expect(() => encodeTaggedJson({ a: undefined })).toThrow(TypeError);
    expect(() => encodeTaggedJson({ f: () => 1 })).toThrow(/function/);
    expect(() => encodeTaggedJson({ n: Number.NaN })).toThrow(TypeError);
    expect(() => encodeTaggedJson({ i: Infinity })).toThrow(TypeError);
    expect(() => encodeTaggedJson({ m: new Map() })).toThrow(/Map/);
    expect(() => encodeTaggedJson({ d: new Date(Number.NaN) })).toThrow(TypeError);
    expect(() => encodeTaggedJson({ d: new Date('+010000-01-01T00:00:00Z') })).toThrow(RangeError);
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => encodeTaggedJson(cycle)).toThrow(/refers back/);
  });

  it('allows the same object twice when it is not a cycle', () => {
    const shared = { x: 1 };
    expect(encodeTaggedJson({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
  });
});

describe('Flask tagged JSON: decoding', () => {
  it('restores every tag', () => {
    const decoded = decodeTaggedJson(
      '{"_flashes":[{" t":["message","Welcome back"]}],"avatar":{" b":"AAH+UE5H"},' +
        '"big":18446744073709551616,"id":{" u":"8f1b3c2a9d4e4f6a8b7c5d3e2f1a0b9c"},' +
        '"motto":{" m":"<b>bold</b> & brave"},"ratio":0.1,' +
        '"since":{" d":"Sun, 22 Nov 2026 01:40:00 GMT"},"tiny":1.5e-07,' +
        '"wrapped":{" di":{" t__":1}},"\\u00fcn\\u00efc\\u00f8d\\u00e9":"\\u2603 \\ud83d\\ude00"}',
    ) as Record<string, unknown>;
    expect(decoded._flashes).toEqual([new FlaskTuple(['message', 'Welcome back'])]);
    expect((decoded._flashes as unknown[])[0]).toBeInstanceOf(FlaskTuple);
    expect(decoded.avatar).toEqual(Uint8Array.from([0, 1, 0xfe, 0x50, 0x4e, 0x47]));
    expect(decoded.big).toBe(18446744073709551616n);
    expect(decoded.id).toBeInstanceOf(FlaskUUID);
    expect(String(decoded.id)).toBe('8f1b3c2a-9d4e-4f6a-8b7c-5d3e2f1a0b9c');
    expect(decoded.motto).toBeInstanceOf(Markup);
    expect(String(decoded.motto)).toBe('<b>bold</b> & brave');
    expect(decoded.since).toEqual(new Date('2026-11-22T01:40:00Z'));
    expect(decoded.wrapped).toEqual({ ' t': 1 });
    expect(decoded['ünïcødé']).toBe('☃ 😀');
    expect(decoded.tiny).toBe(1.5e-7);
  });

  it('round-trips through encode', () => {
    const values: unknown[] = [
      { a: [1, 2.5, 'x', null, true], b: { c: new FlaskTuple([new Uint8Array([9])]) } },
      { ' di': { ' d': new Date('1999-12-31T23:59:59Z') } },
      new FlaskTuple([new Markup('<i>'), new FlaskUUID('{8F1B3C2A-9D4E-4F6A-8B7C-5D3E2F1A0B9C}')]),
      { big: -123456789012345678901234567890n, float: 9007199254740994, small: 5e-324 },
      { ' t__': 'already renamed', '': '' },
      new Date('0100-03-04T05:06:07Z'),
    ];
    for (const value of values) {
      const text = encodeTaggedJson(value);
      const decoded = decodeTaggedJson(text);
      expect(decoded).toEqual(value);
      expect(encodeTaggedJson(decoded)).toBe(text);
    }
  });

  it('reads years below 100 as two-digit years, as Flask does (werkzeug → email.utils)', () => {
    // Real Flask 2.2.2 writes datetime(1, 1, 1) as "Mon, 01 Jan 0001 …" and reads back 2001-01-01.
    expect(decodeTaggedJson('{" d":"Mon, 01 Jan 0001 00:00:00 GMT"}')).toEqual(
      new Date('2001-01-01T00:00:00Z'),
    );
    expect(decodeTaggedJson('{" d":"Thu, 01 Jan 0099 00:00:00 GMT"}')).toEqual(
      new Date('1999-01-01T00:00:00Z'),
    );
    expect(decodeTaggedJson('{" d":"Fri, 01 Jan 0100 00:00:00 GMT"}')).toEqual(
      new Date('0100-01-01T00:00:00Z'),
    );
  });

  it('keeps "__proto__" a key', () => {
    const decoded = decodeTaggedJson('{" di":{"__proto____":{"x":1}}}') as object;
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.keys(decoded)).toEqual(['__proto__']);
  });

  it('reads integer-valued floats as numbers (Python 3.0 == 3)', () => {
    expect(decodeTaggedJson('[3.0,1e+16,9007199254740993.0]')).toEqual([3, 1e16, 9007199254740992]);
  });

  it('leaves multi-key objects and unknown tags alone', () => {
    expect(decodeTaggedJson('{" t":[1],"x":2}')).toEqual({ ' t': [1], x: 2 });
    expect(decodeTaggedJson('{" x":[1]}')).toEqual({ ' x': [1] });
  });

  it('rejects malformed tags and non-JSON with TaggedJsonError', () => {
    const bad = [
      '{" t":"abc"}',
      '{" b":"not base64!"}',
      '{" b":"abc"}',
      '{" m":5}',
      '{" u":"xyz"}',
      '{" d":"yesterday"}',
      '{" d":"Sun, 31 Feb 2026 01:40:00 GMT"}',
      '{" d":"Sun, 22 Nov 2026 24:00:00 GMT"}',
      '{" di":{"a__":1,"b__":2}}',
      '{" di":{"plain":1}}',
      '{" di":[1]}',
      'NaN',
      '{"a":1',
      '',
    ];
    for (const text of bad) expect(() => decodeTaggedJson(text), text).toThrow(TaggedJsonError);
  });
});

describe('FlaskUUID', () => {
  it('accepts the spellings Python accepts and stores lowercase hex', () => {
    const spellings = [
      '8f1b3c2a9d4e4f6a8b7c5d3e2f1a0b9c',
      '8F1B3C2A-9D4E-4F6A-8B7C-5D3E2F1A0B9C',
      '{8f1b3c2a-9d4e-4f6a-8b7c-5d3e2f1a0b9c}',
      'urn:uuid:8f1b3c2a-9d4e-4f6a-8b7c-5d3e2f1a0b9c',
    ];
    for (const text of spellings) {
      expect(new FlaskUUID(text).hex).toBe('8f1b3c2a9d4e4f6a8b7c5d3e2f1a0b9c');
    }
    expect(() => new FlaskUUID('8f1b3c2a')).toThrow(TypeError);
  });
});
