/**
 * Flask's default session: the whole session travels in one signed cookie, in Flask's own format,
 * so a Flask app with the same SECRET_KEY can read what this store writes and the reverse.
 */
import { decodeFlaskSession, encodeFlaskSession } from '../../codecs/flask-session-cookie';
import { assertCookieFits, browserCookieLimit } from '../../limits';
import type { DemoContext, Loaded, SessionData, SessionStore, StoreInfo } from '../../types';

/** Who this store is in the catalog: its id, its title, and where it keeps a session. */
export const signedCookieIdentity = {
  id: 'signed-cookie',
  title: 'Signed cookie (Flask)',
  where: 'browser',
} as const;

export interface SignedCookieStoreOptions {
  /** The first signs; all verify, so a rotated-out key keeps working until removed. */
  secrets: readonly string[];
  /** Flask's PERMANENT_SESSION_LIFETIME; 31 days unless set. */
  maxAgeSeconds?: number;
  secure: boolean;
  cookieName?: string;
  cookiePath?: string;
}

const THIRTY_ONE_DAYS = 31 * 24 * 60 * 60;

export function createSignedCookieStore(options: SignedCookieStoreOptions): SessionStore {
  const secrets = [...options.secrets];
  const signingSecret = secrets[0];
  if (!signingSecret || secrets.some((secret) => !secret)) {
    throw new Error('the signed-cookie store needs at least one non-empty secret');
  }
  const maxAgeSeconds = options.maxAgeSeconds ?? THIRTY_ONE_DAYS;
  const cookieName = options.cookieName ?? 'session';
  const cookiePath = options.cookiePath ?? '/api/demo/signed-cookie';
  const attributes = {
    httpOnly: true,
    sameSite: 'Lax',
    secure: options.secure,
    path: cookiePath,
  } as const;

  const info: StoreInfo = {
    id: 'signed-cookie',
    title: signedCookieIdentity.title,
    where: 'browser',
    summary:
      'Flask’s default session: the data rides in a cookie anyone can read, signed with HMAC so no one without the key can change it.',
    facts: {
      sharedAcrossInstances: true,
      survivesRestart: true,
      revocable: false,
      readableByClient: true,
      tamperEvident: true,
      sizeLimit: {
        bytes: browserCookieLimit,
        counts: 'cookie name + value, as browsers count it',
      },
    },
  };

  const nowSeconds = (ctx: DemoContext) => Math.floor(ctx.now() / 1000);

  return {
    info,

    async load(ctx: DemoContext): Promise<Loaded> {
      const cookie = ctx.cookies.get(cookieName);
      if (!cookie) return { status: 'new', data: {} };
      const result = ctx.timer.measureSync('crypto', 'HMAC-SHA1 + zlib', () =>
        decodeFlaskSession(cookie, secrets, { maxAgeSeconds, nowSeconds: nowSeconds(ctx) }),
      );
      if (result.status === 'ok') return { status: 'ok', data: result.data };
      // Flask silently starts an empty session here; the lab says why.
      return { status: result.status, reason: result.reason, data: {} };
    },

    async save(ctx: DemoContext, data: SessionData): Promise<void> {
      const value = ctx.timer.measureSync('crypto', 'HMAC-SHA1 + zlib', () =>
        encodeFlaskSession(data, signingSecret, { nowSeconds: nowSeconds(ctx) }),
      );
      // The "too big" demo sends it anyway, so the learner sees the browser drop it.
      if (ctx.sizeRule !== 'send-anyway') assertCookieFits(info.title, cookieName, value);
      // A permanent session, as Flask sets one: the browser keeps it for the session lifetime.
      ctx.cookies.set(cookieName, value, {
        ...attributes,
        secure: ctx.secure ?? attributes.secure,
        maxAge: maxAgeSeconds,
        expires: new Date(ctx.now() + maxAgeSeconds * 1000),
      });
    },

    async destroy(ctx: DemoContext): Promise<void> {
      ctx.cookies.delete(cookieName, { ...attributes, secure: ctx.secure ?? attributes.secure });
    },
  };
}
