/** Cookies as a browser keeps them: the `name=value` pairs of Set-Cookie lines, latest wins. */
import type { RawResponse } from './http-client';

export function setCookieLines(response: RawResponse): string[] {
  return response.setCookies;
}

/** The Cookie header a browser sends after these responses, starting from `previous`. */
export function cookieHeader(lines: readonly string[], previous = ''): string {
  const jar = new Map<string, string>();
  for (const pair of previous.split('; ').filter(Boolean)) jar.set(nameOf(pair), pair);
  for (const line of lines) {
    const pair = line.split(';', 1)[0]!;
    // An expired cookie is a deletion.
    if (/;\s*max-age=0\b/i.test(line) || /=;/.test(`${pair};`)) jar.delete(nameOf(pair));
    else jar.set(nameOf(pair), pair);
  }
  return [...jar.values()].join('; ');
}

/** The value of one cookie in a Cookie header, or null. */
export function cookieValue(header: string, name: string): string | null {
  const pair = header.split('; ').find((entry) => nameOf(entry) === name);
  return pair === undefined ? null : pair.slice(name.length + 1);
}

/** The Cookie header with one cookie's value replaced. */
export function withCookieValue(header: string, name: string, value: string): string {
  return header
    .split('; ')
    .map((pair) => (nameOf(pair) === name ? `${name}=${value}` : pair))
    .join('; ');
}

function nameOf(pair: string): string {
  const at = pair.indexOf('=');
  return at === -1 ? pair : pair.slice(0, at);
}
