import { describe, expect, it } from 'vitest';
import { CookieJar, parseCookieHeader, serializeSetCookie } from '../../src/sessions/cookie-jar';
import { Timer } from '../../src/sessions/timer';
import {
  jsonWithOwnSize,
  requestCookieBytes,
  requestHeaderBytes,
  setCookieBytes,
  utf8Bytes,
} from '../../src/lab/wire';

describe('cookie jar', () => {
  it('parses a Cookie header, keeping values byte for byte and the first of a repeated name', () => {
    const cookies = parseCookieHeader('a=1; session=.eJw=.x; a=2; broken; =nameless');
    expect([...cookies]).toEqual([
      ['a', '1'],
      ['session', '.eJw=.x'],
    ]);
  });

  it('serializes Set-Cookie with the attributes asked for', () => {
    const line = serializeSetCookie({
      name: 'session',
      value: 'v',
      options: {
        httpOnly: true,
        secure: true,
        sameSite: 'Lax',
        path: '/api',
        maxAge: 60,
        expires: new Date(0),
      },
    });
    expect(line).toBe(
      'session=v; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=60; Path=/api; HttpOnly; Secure; SameSite=Lax',
    );
  });

  it('sees its own pending changes', () => {
    const jar = new CookieJar(new Map([['session', 'old']]));
    jar.set('session', 'new');
    expect(jar.get('session')).toBe('new');
    jar.delete('session');
    expect(jar.get('session')).toBeUndefined();
    expect(jar.setCookieLines()).toEqual([
      'session=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/',
    ]);
  });
});

describe('byte accounting', () => {
  it('counts UTF-8 bytes, not UTF-16 code units', () => {
    expect(utf8Bytes('é')).toBe(2);
    expect(utf8Bytes('😀')).toBe(4);
    expect(requestCookieBytes(new Map([['n', 'é']]))).toEqual([{ name: 'n', nameValueBytes: 3 }]);
  });

  it('counts the request line and headers in HTTP/1.1 framing', () => {
    const request = new Request('http://127.0.0.1/api/demo/x?instance=2', {
      headers: { Cookie: 'a=1', 'X-Test': 'é' },
    });
    const expected = 'GET /api/demo/x?instance=2 HTTP/1.1\r\ncookie: a=1\r\nx-test: é\r\n\r\n';
    expect(requestHeaderBytes(request)).toBe(Buffer.byteLength(expected));
  });

  it('reports a Set-Cookie line exactly as sent', () => {
    const report = setCookieBytes({
      name: 's',
      value: 'ü',
      options: { httpOnly: true, maxAge: 5 },
    });
    expect(report.lineBytes).toBe(Buffer.byteLength('s=ü; Max-Age=5; Path=/; HttpOnly'));
    // Name and value, without the "=", as browsers count a cookie against 4096.
    expect(report.nameValueBytes).toBe(3);
    expect(report.attributes).toEqual({ 'Max-Age': '5', Path: '/', HttpOnly: true });
  });

  it('writes a body that states its own size correctly, across digit boundaries', () => {
    for (const padding of [0, 5, 80, 980, 9_990]) {
      const body = jsonWithOwnSize((bodyBytes) => ({ padding: 'x'.repeat(padding), bodyBytes }));
      expect(JSON.parse(body).bodyBytes).toBe(Buffer.byteLength(body));
    }
  });
});

describe('timer', () => {
  it('reports parts as Server-Timing with microsecond precision and sums repeated parts', async () => {
    const timer = new Timer();
    await timer.measure('load', 'Store "load"', async () => undefined);
    timer.record('crypto', 'HMAC', 0.0004);
    timer.record('crypto', 'HMAC', 0.0004);
    expect(timer.toHeader()).toMatch(
      /^load;desc="Store load";dur=\d+\.\d{3}, crypto;desc="HMAC";dur=0\.001$/,
    );
    expect(timer.toJSON().crypto).toBe(0.001);
  });

  it('gives each kind of store operation its own entry, named for what it did', () => {
    const timer = new Timer();
    timer.record('store', 'Memcached GET', 0.2);
    timer.record('store', 'Memcached SET', 0.3);
    timer.record('store', 'Memcached GET', 0.1);
    expect(timer.entries).toEqual([
      { name: 'store', description: 'Memcached GET', durationMs: 0.30000000000000004 },
      { name: 'store-2', description: 'Memcached SET', durationMs: 0.3 },
    ]);
    expect(timer.toHeader()).toBe(
      'store;desc="Memcached GET";dur=0.300, store-2;desc="Memcached SET";dur=0.300',
    );
  });
});
