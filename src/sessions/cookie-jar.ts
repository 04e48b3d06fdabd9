/**
 * The cookies of one request and the `Set-Cookie` lines of its response. Values are kept exactly
 * as they travel: stores choose their own encoding, so byte counts match the wire.
 */
export interface CookieOptions {
  httpOnly?: boolean;
  secure?: boolean;
  sameSite?: 'Lax' | 'Strict' | 'None';
  path?: string;
  /** Seconds; 0 asks the browser to delete the cookie. */
  maxAge?: number;
  expires?: Date;
}

export interface OutgoingCookie {
  name: string;
  value: string;
  options: CookieOptions;
}

/** Parses a `Cookie` request header. The first occurrence of a name wins, as in most servers. */
export function parseCookieHeader(header: string | null | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (!header) return cookies;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (name && !cookies.has(name)) cookies.set(name, part.slice(eq + 1).trim());
  }
  return cookies;
}

export function serializeSetCookie({ name, value, options }: OutgoingCookie): string {
  const parts = [`${name}=${value}`];
  if (options.expires) parts.push(`Expires=${options.expires.toUTCString()}`);
  if (options.maxAge !== undefined) parts.push(`Max-Age=${Math.floor(options.maxAge)}`);
  parts.push(`Path=${options.path ?? '/'}`);
  if (options.httpOnly) parts.push('HttpOnly');
  if (options.secure) parts.push('Secure');
  if (options.sameSite) parts.push(`SameSite=${options.sameSite}`);
  return parts.join('; ');
}

export class CookieJar {
  readonly #incoming: Map<string, string>;
  readonly #outgoing = new Map<string, OutgoingCookie>();

  constructor(incoming: Map<string, string> = new Map()) {
    this.#incoming = incoming;
  }

  /** The value the browser sent, or the value set earlier in this request. */
  get(name: string): string | undefined {
    const pending = this.#outgoing.get(name);
    if (pending) return pending.options.maxAge === 0 ? undefined : pending.value;
    return this.#incoming.get(name);
  }

  set(name: string, value: string, options: CookieOptions = {}): void {
    this.#outgoing.set(name, { name, value, options });
  }

  delete(name: string, options: CookieOptions = {}): void {
    this.#outgoing.set(name, {
      name,
      value: '',
      options: { ...options, maxAge: 0, expires: new Date(0) },
    });
  }

  get outgoing(): OutgoingCookie[] {
    return [...this.#outgoing.values()];
  }

  setCookieLines(): string[] {
    return this.outgoing.map(serializeSetCookie);
  }
}
