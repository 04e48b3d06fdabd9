/**
 * The `?result=` link a form post without JavaScript is redirected to, bound to the browser that
 * posted: the redirect sets a short-lived HttpOnly, SameSite=Lax cookie with the stash's nonce,
 * scoped to the page the link names (so demo requests never carry it and the panel's byte counts
 * stay what the store sent). The page shows the result only with that cookie, once.
 */
import type { AstroCookies } from 'astro';
import { serializeSetCookie } from '../../sessions/cookie-jar';
import {
  resultLifetimeMs,
  stashResult,
  takeResult,
  type StashedResult,
} from '../../lab/result-stash';

export const RESULT_COOKIE = 'session_lab_result';

/** Page paths as the demo route builds them; anything else scopes the cookie to the whole site. */
const cookiePathPattern = /^\/[A-Za-z0-9%._~/-]*$/;

function cookiePath(page: string): string {
  return cookiePathPattern.test(page) ? page : '/';
}

/** Stashes a result for `page`: the redirect's Location and the Set-Cookie line binding it. */
export function stashResultForBrowser(
  result: StashedResult,
  page: string,
  secure: boolean,
  now = Date.now(),
): { location: string; setCookie: string } {
  const { id, nonce } = stashResult(result, now);
  return {
    location: `${page}?result=${id}#result`,
    setCookie: serializeSetCookie({
      name: RESULT_COOKIE,
      value: nonce,
      options: {
        httpOnly: true,
        sameSite: 'Lax',
        secure,
        path: cookiePath(page),
        maxAge: resultLifetimeMs / 1000,
      },
    }),
  };
}

export interface ResultView {
  result: StashedResult | null;
  /** The page was given a result link it cannot show: not this browser's, used, or expired. */
  unavailable: boolean;
}

/** The result the page's `?result=` names, when this browser made it; it is then used up. */
export function takeResultForBrowser(
  context: { url: URL; cookies: AstroCookies },
  secure: boolean,
): ResultView {
  const id = context.url.searchParams.get('result');
  if (id === null) return { result: null, unavailable: false };
  const nonce = context.cookies.get(RESULT_COOKIE)?.value;
  if (nonce !== undefined) {
    context.cookies.delete(RESULT_COOKIE, {
      path: cookiePath(context.url.pathname),
      httpOnly: true,
      sameSite: 'lax',
      secure,
    });
  }
  const result = takeResult(id, nonce);
  return { result, unavailable: result === null };
}
