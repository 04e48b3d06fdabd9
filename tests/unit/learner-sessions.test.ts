import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Database } from '../../src/server/platform/database';
import type { SiteDb } from '../../src/server/platform/site-db/open';
import { memorySiteDb, type TestSiteDb } from '../support/site-db';
import {
  LEARNER_ACTIVITY_PRECISION_MS,
  LEARNER_SESSION_COOKIE,
  LEARNER_SESSION_LIFETIME_MS,
  LearnerSessions,
  blankLearnerSessionCookie,
  learnerSessionCookie,
} from '../../src/server/learner/learner-sessions';

const DAY_MS = 24 * 60 * 60 * 1000;
const START = Date.UTC(2026, 0, 1);

let site: TestSiteDb;
let db: SiteDb;
let file: Database;
let clock: number;
let sessions: LearnerSessions;

beforeEach(async () => {
  site = memorySiteDb();
  ({ db, file } = site);
  clock = START;
  sessions = new LearnerSessions(db, { now: () => clock });
});

afterEach(async () => {
  site.close();
});

async function newLearnerWithSession() {
  const learner = await sessions.createLearner();
  return { learner, ...(await sessions.createLearnerSession(learner.id)) };
}

describe('learner sessions', () => {
  it('validates a token it issued and returns the session and learner', async () => {
    const { learner, token, session } = await newLearnerWithSession();
    expect(token).toBe(`${session.id}.${token.split('.')[1]}`);
    expect(session.expiresAt.getTime()).toBe(START + LEARNER_SESSION_LIFETIME_MS);

    const validated = await sessions.validateLearnerSessionToken(token);
    expect(validated).not.toBeNull();
    expect(validated?.session.id).toBe(session.id);
    expect(validated?.learner).toEqual(learner);
    expect(validated?.fresh).toBe(false);
  });

  it('stores only the SHA-256 of the secret, never the secret or the token', async () => {
    const { token, session } = await newLearnerWithSession();
    const secret = token.split('.')[1] ?? '';
    const row = file
      .prepare('SELECT * FROM learner_session WHERE id = ?')
      .get(session.id) as Record<string, unknown>;
    expect(row.secret_hash).toBeInstanceOf(Uint8Array);
    expect((row.secret_hash as Uint8Array).byteLength).toBe(32);

    const everything = JSON.stringify(file.prepare('SELECT * FROM learner_session').all());
    const hashAsText = Buffer.from(row.secret_hash as Uint8Array).toString('latin1');
    expect(everything).not.toContain(secret);
    expect(hashAsText).not.toContain(secret);
    const expectedHash = new Uint8Array(createHash('sha256').update(secret).digest());
    expect(new Uint8Array(row.secret_hash as Uint8Array)).toEqual(expectedHash);
  });

  it('rejects the right id with a wrong secret', async () => {
    const { token, session } = await newLearnerWithSession();
    const secret = token.split('.')[1] ?? '';
    const flipped = (secret[0] === 'a' ? 'b' : 'a') + secret.slice(1);
    expect(await sessions.validateLearnerSessionToken(`${session.id}.${flipped}`)).toBeNull();
    const other = await newLearnerWithSession();
    const otherSecret = other.token.split('.')[1] ?? '';
    expect(await sessions.validateLearnerSessionToken(`${session.id}.${otherSecret}`)).toBeNull();
    // A failed guess does not end the real session.
    expect(await sessions.validateLearnerSessionToken(token)).not.toBeNull();
  });

  it('slides the expiry forward once less than half the lifetime remains', async () => {
    const { token } = await newLearnerWithSession();

    clock = START + 14 * DAY_MS;
    const early = await sessions.validateLearnerSessionToken(token);
    expect(early?.fresh).toBe(false);
    expect(early?.session.expiresAt.getTime()).toBe(START + 30 * DAY_MS);

    clock = START + 16 * DAY_MS;
    const late = await sessions.validateLearnerSessionToken(token);
    expect(late?.fresh).toBe(true);
    expect(late?.session.expiresAt.getTime()).toBe(clock + 30 * DAY_MS);
    expect(late?.session.lastSeenAt.getTime()).toBe(clock);

    // The extension was stored: the session now outlives its original 30 days.
    clock = START + 31 * DAY_MS;
    const later = await sessions.validateLearnerSessionToken(token);
    expect(later).not.toBeNull();
    expect(later?.fresh).toBe(false);
  });

  it('refuses an expired token and deletes its row', async () => {
    const { token, session } = await newLearnerWithSession();
    clock = START + LEARNER_SESSION_LIFETIME_MS;
    expect(await sessions.validateLearnerSessionToken(token)).toBeNull();
    const row = file.prepare('SELECT id FROM learner_session WHERE id = ?').get(session.id);
    expect(row).toBeUndefined();
  });

  it('purges expired sessions in bulk and counts them', async () => {
    await newLearnerWithSession();
    await newLearnerWithSession();
    clock = START + DAY_MS;
    const { token } = await newLearnerWithSession();
    clock = START + LEARNER_SESSION_LIFETIME_MS + 1;
    expect(await sessions.deleteExpiredLearnerSessions()).toBe(2);
    expect(await sessions.deleteExpiredLearnerSessions()).toBe(0);
    expect(await sessions.validateLearnerSessionToken(token)).not.toBeNull();
  });

  it('lists, revokes one and revokes all sessions of a learner', async () => {
    const learner = await sessions.createLearner();
    const first = await sessions.createLearnerSession(learner.id);
    clock += 1000;
    const second = await sessions.createLearnerSession(learner.id);
    const stranger = await newLearnerWithSession();

    const listed = await sessions.listLearnerSessions(learner.id);
    expect(listed.map((session) => session.id).sort()).toEqual(
      [first.session.id, second.session.id].sort(),
    );
    expect(JSON.stringify(listed)).not.toContain('secret');

    await sessions.invalidateLearnerSession(first.session.id);
    expect(await sessions.validateLearnerSessionToken(first.token)).toBeNull();
    expect(await sessions.validateLearnerSessionToken(second.token)).not.toBeNull();

    await sessions.createLearnerSession(learner.id);
    expect(await sessions.invalidateAllLearnerSessions(learner.id)).toBe(2);
    expect(await sessions.listLearnerSessions(learner.id)).toEqual([]);
    expect(await sessions.validateLearnerSessionToken(second.token)).toBeNull();
    expect(await sessions.validateLearnerSessionToken(stranger.token)).not.toBeNull();
  });

  it('refuses a session for a learner that does not exist', async () => {
    await expect(sessions.createLearnerSession('no-such-learner')).rejects.toThrow(/FOREIGN KEY/);
  });

  it('returns null for malformed tokens without reaching the database', async () => {
    const { token } = await newLearnerWithSession();
    const [id = '', secret = ''] = token.split('.');
    const malformed: unknown[] = [
      '',
      '.',
      id,
      `${id}.`,
      `.${secret}`,
      `${id}.${secret}.`,
      `${id}.${secret}x`,
      `${id}..${secret}`,
      token.toUpperCase(),
      ` ${token}`,
      `${token}\n`,
      `${id}.${secret.slice(0, -1)}é`,
      `${id}.${secret.slice(0, -2)}😀`,
      `${id}.${'1'.repeat(secret.length)}`, // 1 is not in the base32 alphabet
      'x'.repeat(10 * 1024),
      `${id}.${'a'.repeat(10 * 1024)}`,
      'ü'.repeat(65),
      undefined,
      null,
      12345,
      { toString: () => token },
    ];
    // A closed database throws on any use, so a null here proves the check ran before it.
    site.close();
    for (const candidate of malformed) {
      expect(await sessions.validateLearnerSessionToken(candidate as string)).toBeNull();
    }
  });

  it('issues ids and secrets of at least 120 bits from a 32-letter alphabet, never repeating', async () => {
    const learner = await sessions.createLearner();
    const seen = new Set<string>();
    for (let i = 0; i < 200; i += 1) {
      const { token } = await sessions.createLearnerSession(learner.id);
      for (const part of token.split('.')) {
        expect(part).toMatch(/^[a-z2-7]+$/);
        expect(part.length * 5).toBeGreaterThanOrEqual(120);
        expect(seen.has(part)).toBe(false);
        seen.add(part);
      }
    }
    expect(learner.id.length * 5).toBeGreaterThanOrEqual(120);
  });
});

describe('creating a learner only with something to keep', () => {
  const count = (table: string) =>
    file.prepare<[], number>(`SELECT count(*) FROM ${table}`).pluck().get();

  it('creates a learner and their first session together, under a reserved id', async () => {
    const { learner, token } = await sessions.createLearnerWithSession('reserved-id');
    expect(learner.id).toBe('reserved-id');
    expect((await sessions.validateLearnerSessionToken(token))?.learner.id).toBe('reserved-id');
    expect(count('learner')).toBe(1);
    expect(count('learner_session')).toBe(1);
    // Both or neither: a second learner under the same id fails whole.
    await expect(sessions.createLearnerWithSession('reserved-id')).rejects.toThrow(/UNIQUE/);
    expect(count('learner_session')).toBe(1);
  });

  it('keeps the learner with what was stored for them, or nothing when storing fails', async () => {
    await expect(
      sessions.createLearnerFor(() => {
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(count('learner')).toBe(0);
    expect(count('learner_session')).toBe(0);

    const { learner, result } = await sessions.createLearnerFor(
      async (learnerId) => `stored for ${learnerId}`,
    );
    expect(result).toBe(`stored for ${learner.id}`);
    expect(count('learner')).toBe(1);
    expect(count('learner_session')).toBe(1);
  });
});

describe('learner activity', () => {
  const lastActiveAt = (learnerId: string) =>
    file
      .prepare<[string], number>('SELECT last_active_at FROM learner WHERE id = ?')
      .pluck()
      .get(learnerId);

  it('starts at creation and moves when the learner comes back, at most once an hour', async () => {
    const { learner, token } = await newLearnerWithSession();
    expect(lastActiveAt(learner.id)).toBe(START);

    clock = START + LEARNER_ACTIVITY_PRECISION_MS - 1;
    await sessions.validateLearnerSessionToken(token);
    expect(lastActiveAt(learner.id)).toBe(START);

    clock = START + LEARNER_ACTIVITY_PRECISION_MS;
    await sessions.validateLearnerSessionToken(token);
    expect(lastActiveAt(learner.id)).toBe(clock);

    const seen = clock;
    clock += 10 * 60 * 1000;
    await sessions.validateLearnerSessionToken(token);
    expect(lastActiveAt(learner.id)).toBe(seen);
  });

  it('does not move for a token that fails validation', async () => {
    const { learner, session } = await newLearnerWithSession();
    clock = START + DAY_MS;
    expect(
      await sessions.validateLearnerSessionToken(`${session.id}.${'a'.repeat(32)}`),
    ).toBeNull();
    expect(lastActiveAt(learner.id)).toBe(START);
  });
});

describe('learner session cookie', () => {
  it('is HttpOnly, SameSite=Lax, site-wide and expires with the session', async () => {
    const expiresAt = new Date(START + LEARNER_SESSION_LIFETIME_MS);
    expect(learnerSessionCookie('abc.def', expiresAt, { secure: true })).toEqual({
      name: LEARNER_SESSION_COOKIE,
      value: 'abc.def',
      options: { httpOnly: true, sameSite: 'Lax', path: '/', secure: true, expires: expiresAt },
    });
    expect(learnerSessionCookie('abc.def', expiresAt, { secure: false }).options.secure).toBe(
      false,
    );
  });

  it('blanks with an empty value, Max-Age 0 and an expiry in the past', async () => {
    const blank = blankLearnerSessionCookie({ secure: true });
    expect(blank.name).toBe('session_lab_learner');
    expect(blank.value).toBe('');
    expect(blank.options).toMatchObject({
      httpOnly: true,
      sameSite: 'Lax',
      path: '/',
      secure: true,
      maxAge: 0,
    });
    expect(blank.options.expires?.getTime()).toBe(0);
  });
});
