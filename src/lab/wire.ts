/**
 * Byte accounting of what crossed the wire. Browsers limit cookies in UTF-8 octets, so every count
 * here is `Buffer.byteLength`, never `string.length`.
 */
import type { OutgoingCookie } from '../sessions/cookie-jar';
import { serializeSetCookie } from '../sessions/cookie-jar';
import type { RequestCookieBytes, SetCookieBytes } from './demo-api';

export const utf8Bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/**
 * The request line and headers in HTTP/1.1 framing. Fetch's `Headers` lower-cases names and joins
 * repeated headers, neither of which changes the byte count of a browser's request.
 */
export function requestHeaderBytes(request: Request): number {
  const url = new URL(request.url);
  let bytes = utf8Bytes(`${request.method} ${url.pathname}${url.search} HTTP/1.1\r\n`);
  request.headers.forEach((value, name) => {
    bytes += utf8Bytes(`${name}: ${value}\r\n`);
  });
  return bytes + 2;
}

/**
 * A cookie's size as browsers limit it and as Chromium's DevTools show it: the name and the value,
 * without the `=` between them (RFC 6265bis counts "the name plus the value" against 4096).
 */
export function cookieSizeBytes(name: string, value: string): number {
  return utf8Bytes(name) + utf8Bytes(value);
}

export function requestCookieBytes(cookies: Map<string, string>): RequestCookieBytes[] {
  return [...cookies].map(([name, value]) => ({
    name,
    nameValueBytes: cookieSizeBytes(name, value),
  }));
}

export function setCookieBytes(cookie: OutgoingCookie): SetCookieBytes {
  const line = serializeSetCookie(cookie);
  return {
    name: cookie.name,
    value: cookie.value,
    lineBytes: utf8Bytes(line),
    nameValueBytes: cookieSizeBytes(cookie.name, cookie.value),
    attributes: parseAttributes(line),
  };
}

function parseAttributes(line: string): Record<string, string | true> {
  const attributes: Record<string, string | true> = {};
  for (const part of line.split(';').slice(1)) {
    const [name = '', ...rest] = part.trim().split('=');
    if (name) attributes[name] = rest.length ? rest.join('=') : true;
  }
  return attributes;
}

/**
 * Serializes a JSON body that reports its own size. The count's digits are part of the body,
 * so iterate until the number stops changing (at most a couple of rounds).
 */
export function jsonWithOwnSize(build: (bodyBytes: number) => unknown): string {
  let guess = 0;
  for (let round = 0; round < 5; round++) {
    const body = JSON.stringify(build(guess));
    const bytes = utf8Bytes(body);
    if (bytes === guess) return body;
    guess = bytes;
  }
  return JSON.stringify(build(guess));
}
