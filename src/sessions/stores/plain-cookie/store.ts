/**
 * The cautionary tale: the session is plain JSON in a cookie. Anyone can read it, and anyone can
 * change it, because the server believes whatever the browser sends back.
 */
import { assertCookieFits, browserCookieLimit } from '../../limits';
import type { DemoContext, Loaded, SessionData, SessionStore, StoreInfo } from '../../types';

/** Who this store is in the catalog: its id, its title, and where it keeps a session. */
export const plainCookieIdentity = {
  id: 'plain-cookie',
  title: 'Plain cookie',
  where: 'browser',
} as const;

export interface PlainCookieStoreOptions {
  secure: boolean;
  cookieName?: string;
  /**
   * How long the browser is asked to keep the cookie; Flask's 31 days unless set, so the two
   * cookie lessons compare like with like. Only an honest browser obeys it: see `save`.
   */
  maxAgeSeconds?: number;
}

const THIRTY_ONE_DAYS = 31 * 24 * 60 * 60;

/**
 * Anything but RFC 6265's cookie-octet (printable ASCII but space, `"`, `,`, `;` and `\`), and `%`,
 * which must be escaped for the encoding to be reversible. `u`: a character outside the BMP is one
 * match, escaped as its four UTF-8 bytes.
 */
const COOKIE_UNSAFE_CHARACTER = /[^\x21\x23\x24\x26-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]/gu;

/** The escapes JSON text needs most often, looked up rather than computed. */
const COMMON_ESCAPES: Readonly<Record<string, string>> = {
  '"': '%22',
  ',': '%2C',
  ' ': '%20',
  '%': '%25',
  ';': '%3B',
  '\\': '%5C',
};

export function createPlainCookieStore(options: PlainCookieStoreOptions): SessionStore {
  const title = plainCookieIdentity.title;
  const cookieName = options.cookieName ?? 'plain_session';
  const maxAgeSeconds = options.maxAgeSeconds ?? THIRTY_ONE_DAYS;
  const attributes = {
    httpOnly: true,
    sameSite: 'Lax',
    secure: options.secure,
    path: '/api/demo/plain-cookie',
  } as const;

  const info: StoreInfo = {
    id: 'plain-cookie',
    title,
    where: 'browser',
    summary:
      'The session is plain JSON in a cookie: anyone can read it in DevTools, change it, and the server believes the change.',
    facts: {
      sharedAcrossInstances: true,
      survivesRestart: true,
      revocable: false,
      readableByClient: true,
      tamperEvident: false,
      sizeLimit: { bytes: browserCookieLimit, counts: 'cookie name + value, as browsers count it' },
    },
  };

  return {
    info,

    // #region load
    async load(ctx: DemoContext): Promise<Loaded> {
      const cookie = ctx.cookies.get(cookieName);
      if (!cookie) return { status: 'new', data: {} };
      const result = decodePlainCookie(cookieName, cookie);
      if (!result.ok) return { status: 'tampered', reason: result.reason, data: {} };
      // Whatever arrived is believed: that is the lesson.
      return { status: 'ok', data: result.data };
    },
    // #endregion load

    // #region save
    async save(ctx: DemoContext, data: SessionData): Promise<void> {
      const value = encodePlainCookie(data);
      // The "too big" demo sends it anyway, so the learner sees the browser drop it.
      if (ctx.sizeRule !== 'send-anyway') assertCookieFits(title, cookieName, value);
      // The expiry lives only in the browser's cookie jar. An expiry written into the JSON would
      // be as forgeable as the rest, so the server has nothing to check: a resent cookie is fine.
      ctx.cookies.set(cookieName, value, {
        ...attributes,
        secure: ctx.secure ?? attributes.secure,
        maxAge: maxAgeSeconds,
        expires: new Date(ctx.now() + maxAgeSeconds * 1000),
      });
    },
    // #endregion save

    async destroy(ctx: DemoContext): Promise<void> {
      ctx.cookies.delete(cookieName, { ...attributes, secure: ctx.secure ?? attributes.secure });
    },
  };
}

/**
 * Percent-encoding, the escape a naive app reaches for (Express's `res.cookie` and most browser
 * cookie helpers use it), not base64: `{ user_id: 42 }` travels as `{%22user_id%22:42}`, which a
 * learner reads in DevTools and edits by hand. Only characters a cookie value cannot hold are
 * escaped, so the JSON stays legible.
 */
export function encodePlainCookie(data: SessionData): string {
  return JSON.stringify(data).replace(
    COOKIE_UNSAFE_CHARACTER,
    (character) => COMMON_ESCAPES[character] ?? encodeURIComponent(character),
  );
}

type PlainDecodeResult = { ok: true; data: SessionData } | { ok: false; reason: string };

/** Reads any percent-encoding (hand-typed too); reports, never throws, what is not a session. */
export function decodePlainCookie(name: string, value: string): PlainDecodeResult {
  const bytes = Buffer.byteLength(name + value, 'utf8');
  if (bytes > browserCookieLimit) {
    return {
      ok: false,
      reason: `the cookie is ${bytes} bytes (name + value), more than the ${browserCookieLimit} any browser sends`,
    };
  }
  let json: string;
  try {
    json = decodeURIComponent(value);
  } catch {
    return {
      ok: false,
      reason:
        'the cookie is not valid percent-encoding (a "%" without two hex digits, or bytes that are not UTF-8)',
    };
  }
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    return { ok: false, reason: 'the cookie is not JSON' };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { ok: false, reason: 'the cookie is JSON, but not an object of session keys' };
  }
  return { ok: true, data: data as SessionData };
}
