import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Database } from '../../src/server/platform/database';
import type { SiteDb } from '../../src/server/platform/site-db/open';
import { memorySiteDb, type TestSiteDb } from '../support/site-db';
import { SignInGuard, tokenMatches } from '../../src/server/instructor/auth';
import {
  blankInstructorSessionCookie,
  INSTRUCTOR_SESSION_COOKIE,
  INSTRUCTOR_SESSION_LIFETIME_MS,
  instructorSessionCookie,
  InstructorSessions,
} from '../../src/server/instructor/sessions';
import { serializeSetCookie } from '../../src/sessions/cookie-jar';

let site: TestSiteDb;
let db: SiteDb;
let file: Database;
let time: number;
let sessions: InstructorSessions;

beforeEach(async () => {
  site = memorySiteDb();
  ({ db, file } = site);
  time = 1_700_000_000_000;
  sessions = new InstructorSessions(db, { now: () => time });
});

afterEach(() => site.close());

describe('the instructor token check', () => {
  it('accepts only the exact token, whatever the length of the guess', async () => {
    const token = 'a-long-random-instructor-token-0123';
    expect(tokenMatches(token, token)).toBe(true);
    expect(tokenMatches(token, `${token} `)).toBe(false);
    expect(tokenMatches(token, token.slice(0, -1))).toBe(false);
    expect(tokenMatches(token, '')).toBe(false);
    expect(tokenMatches(token, 'x'.repeat(10_000))).toBe(false);
  });
});

describe('failed sign-ins per client', () => {
  it('allows the limit of wrong guesses, then refuses every try until the window ends', async () => {
    vi.useFakeTimers();
    vi.setSystemTime(1_700_000_000_000);
    try {
      const guard = new SignInGuard({ max: 2, windowSeconds: 60 });
      expect(await guard.check('a')).toEqual({ allowed: true });
      expect((await guard.recordFailure('a')).allowed).toBe(true);
      expect((await guard.recordFailure('a')).allowed).toBe(true);
      const third = await guard.recordFailure('a');
      expect(third.allowed).toBe(false);
      // Refused before the guess is looked at, so a right guess cannot be told apart now.
      vi.advanceTimersByTime(1_000);
      const blocked = await guard.check('a');
      expect(blocked.allowed).toBe(false);
      expect(blocked.allowed === false && blocked.retryAfterSeconds).toBeGreaterThan(0);
      // Another client is not affected.
      expect(await guard.check('b')).toEqual({ allowed: true });
      // The window of 60 s ends.
      vi.advanceTimersByTime(59_000);
      expect(await guard.check('a')).toEqual({ allowed: true });
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('instructor sessions', () => {
  it('stores only the SHA-256 of the secret and validates the token', async () => {
    const { token, session } = await sessions.create();
    const [id, secret] = token.split('.');
    expect(id).toBe(session.id);
    const row = file
      .prepare<[string], { secret_hash: Buffer }>(
        'SELECT secret_hash FROM instructor_session WHERE id = ?',
      )
      .get(session.id)!;
    expect(row.secret_hash.byteLength).toBe(32);
    expect(row.secret_hash.toString('utf8')).not.toContain(secret);
    expect((await sessions.validate(token))?.session.id).toBe(session.id);
  });

  it('refuses a wrong secret, a malformed token and nothing at all', async () => {
    const { token } = await sessions.create();
    const [id] = token.split('.');
    expect(await sessions.validate(`${id}.${'a'.repeat(32)}`)).toBeNull();
    expect(await sessions.validate('not a token')).toBeNull();
    expect(await sessions.validate(undefined)).toBeNull();
  });

  it('slides the expiry when half the lifetime is gone, and ends at expiry', async () => {
    const { token } = await sessions.create();
    time += INSTRUCTOR_SESSION_LIFETIME_MS / 4;
    expect((await sessions.validate(token))?.fresh).toBe(false);
    time += INSTRUCTOR_SESSION_LIFETIME_MS / 2;
    const slid = await sessions.validate(token);
    expect(slid?.fresh).toBe(true);
    expect(slid?.session.expiresAt.getTime()).toBe(time + INSTRUCTOR_SESSION_LIFETIME_MS);
    time += INSTRUCTOR_SESSION_LIFETIME_MS;
    expect(await sessions.validate(token)).toBeNull();
    expect(file.prepare('SELECT count(*) FROM instructor_session').pluck().get()).toBe(0);
  });

  it('ends a session on sign-out', async () => {
    const { token, session } = await sessions.create();
    await sessions.invalidate(session.id);
    expect(await sessions.validate(token)).toBeNull();
  });

  it('sends the cookie HttpOnly, SameSite=Strict, Path=/, Secure only over HTTPS', async () => {
    const { token, session } = await sessions.create();
    const plain = serializeSetCookie(
      instructorSessionCookie(token, session.expiresAt, { secure: false }),
    );
    expect(plain).toMatch(
      new RegExp(`^${INSTRUCTOR_SESSION_COOKIE}=${token.replace('.', '\\.')};`),
    );
    expect(plain).toContain('HttpOnly');
    expect(plain).toContain('SameSite=Strict');
    expect(plain).toContain('Path=/;');
    expect(plain).not.toContain('Secure');
    const secure = serializeSetCookie(
      instructorSessionCookie(token, session.expiresAt, { secure: true }),
    );
    expect(secure).toContain('Secure');
    expect(serializeSetCookie(blankInstructorSessionCookie({ secure: false }))).toContain(
      'Max-Age=0',
    );
  });
});
