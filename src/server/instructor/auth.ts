/**
 * Who may open the instructor's pages: whoever knows INSTRUCTOR_TOKEN signs in once and then holds
 * an instructor session (see `instructor-sessions.ts`). Without a configured token the pages are
 * closed to everyone. Wrong guesses are limited per client, so the token cannot be brute-forced
 * through the sign-in form.
 */
import type { AstroCookies } from 'astro';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { OutgoingCookie } from '../../sessions/cookie-jar';
import type { AppContext } from '../platform/app-context';
import { clientAddress, isHttps } from '../platform/client';
import { HttpError } from '../platform/http';
import {
  blankInstructorSessionCookie,
  INSTRUCTOR_SESSION_COOKIE,
  instructorSessionCookie,
  InstructorSessions,
} from './sessions';
import { FailureLimiter } from '../platform/rate-limit';

/** What a page or route receives from Astro; both `Astro` and an endpoint's context fit. */
export interface InstructorRequest {
  url: URL;
  request: Request;
  cookies: AstroCookies;
  clientAddress: string;
}

export type InstructorAccess =
  { state: 'closed' } | { state: 'signed-out' } | { state: 'signed-in'; sessionId: string };

export const howToOpen = 'INSTRUCTOR_TOKEN=$(openssl rand -base64 24) npm start';

/**
 * Whether `given` is the configured token. Both sides are hashed first, so the comparison is over
 * two 32-byte digests: `timingSafeEqual` then takes the same time whatever the guess, and the
 * token's length does not leak through an early length mismatch.
 */
export function tokenMatches(expected: string, given: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(expected), digest(given));
}

/** Failed sign-ins per client (`signInLimit`, e.g. 5 per 300 s): see FailureLimiter. */
export class SignInGuard extends FailureLimiter {}

const guards = new WeakMap<AppContext, SignInGuard>();
const sessionsByDatabase = new WeakMap<AppContext['db'], InstructorSessions>();

export function signInGuardFor(app: AppContext): SignInGuard {
  let guard = guards.get(app);
  if (!guard) {
    guard = new SignInGuard(app.config.signInLimit, {
      storage: app.rateLimits,
      name: 'sign-in',
    });
    guards.set(app, guard);
  }
  return guard;
}

export function instructorSessionsFor(app: AppContext): InstructorSessions {
  let sessions = sessionsByDatabase.get(app.db);
  if (!sessions) {
    sessions = new InstructorSessions(app.db);
    sessionsByDatabase.set(app.db, sessions);
  }
  return sessions;
}

/** Reads the instructor cookie; refreshes it when its expiry slid, drops it when it is dead. */
export async function instructorAccess(
  app: AppContext,
  context: InstructorRequest,
): Promise<InstructorAccess> {
  if (app.config.instructorToken === null) return { state: 'closed' };
  const token = context.cookies.get(INSTRUCTOR_SESSION_COOKIE)?.value;
  if (!token) return { state: 'signed-out' };
  const secure = isHttps(context);
  const validated = await instructorSessionsFor(app).validate(token);
  if (!validated) {
    setCookie(context.cookies, blankInstructorSessionCookie({ secure }));
    return { state: 'signed-out' };
  }
  if (validated.fresh) {
    setCookie(
      context.cookies,
      instructorSessionCookie(token, validated.session.expiresAt, { secure }),
    );
  }
  return { state: 'signed-in', sessionId: validated.session.id };
}

/** For JSON routes: 403 while the instructor pages are closed, 401 without a session. */
export async function requireInstructor(
  app: AppContext,
  context: InstructorRequest,
): Promise<void> {
  const access = await instructorAccess(app, context);
  if (access.state === 'closed') {
    throw new HttpError(
      403,
      `the instructor pages are closed: start the server with ${howToOpen} to open them`,
    );
  }
  if (access.state === 'signed-out') {
    throw new HttpError(401, 'sign in at /instructor/ first');
  }
}

export type SignInOutcome =
  | { ok: true }
  | { ok: false; status: 401 | 403 | 429; message: string; retryAfterSeconds?: number };

/** Checks the posted token and, when right, starts a session and sets its cookie. */
export async function signIn(
  app: AppContext,
  context: InstructorRequest,
  given: unknown,
): Promise<SignInOutcome> {
  const expected = app.config.instructorToken;
  if (expected === null) {
    return { ok: false, status: 403, message: 'The instructor pages are closed on this server.' };
  }
  const client = clientAddress(context);
  const guard = signInGuardFor(app);
  const before = await guard.check(client);
  if (!before.allowed) return tooMany(before.retryAfterSeconds);
  // Oversized or non-text input is a wrong token, compared like any other.
  const candidate = typeof given === 'string' && given.length <= 1024 ? given : '';
  if (candidate !== '' && tokenMatches(expected, candidate)) {
    const { token, session } = await instructorSessionsFor(app).create();
    setCookie(
      context.cookies,
      instructorSessionCookie(token, session.expiresAt, { secure: isHttps(context) }),
    );
    return { ok: true };
  }
  const after = await guard.recordFailure(client);
  if (!after.allowed) return tooMany(after.retryAfterSeconds);
  return { ok: false, status: 401, message: 'That is not the instructor token.' };
}

function tooMany(retryAfterSeconds: number): SignInOutcome {
  return {
    ok: false,
    status: 429,
    message: `Too many wrong tokens from this address: try again in ${retryAfterSeconds} s.`,
    retryAfterSeconds,
  };
}

export async function signOut(app: AppContext, context: InstructorRequest): Promise<void> {
  const token = context.cookies.get(INSTRUCTOR_SESSION_COOKIE)?.value;
  const validated = await instructorSessionsFor(app).validate(token);
  if (validated) await instructorSessionsFor(app).invalidate(validated.session.id);
  setCookie(context.cookies, blankInstructorSessionCookie({ secure: isHttps(context) }));
}

function setCookie(cookies: AstroCookies, cookie: OutgoingCookie): void {
  const { options } = cookie;
  cookies.set(cookie.name, cookie.value, {
    httpOnly: options.httpOnly,
    secure: options.secure,
    sameSite: 'strict',
    path: options.path ?? '/',
    expires: options.expires,
    maxAge: options.maxAge,
    // Tokens are base32 and a dot: nothing to encode, and the value stays byte-identical.
    encode: (value) => value,
  });
}
