import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { serializeSetCookie } from '../../src/sessions/cookie-jar';
import { openDatabase, type Database } from '../../src/server/platform/database';
import { defaultMaxSessionBytes } from '../../src/sessions/limits';
import { createSqliteStore, type SqliteStoreOptions } from '../../src/sessions/stores/sqlite/store';
import {
  listSqliteSessions,
  revokeAllSqliteSessions,
} from '../../src/sessions/stores/sqlite/admin';
import { SessionTooLargeError } from '../../src/sessions/types';
import type { SessionData, SessionStore } from '../../src/sessions/types';
import { SimulatedBrowser, testInstance } from '../support/simulated-browser';

const START = Date.UTC(2026, 0, 1);
const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
const COOKIE = 'sqlite_session';

let db: Database;
let clock: number;
const tempDirs: string[] = [];
const extraDatabases: Database[] = [];

beforeEach(() => {
  db = openDatabase(':memory:');
  clock = START;
});

afterEach(() => {
  if (db.open) db.close();
  for (const other of extraDatabases.splice(0)) if (other.open) other.close();
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function store(options: Partial<SqliteStoreOptions> = {}): SessionStore {
  return createSqliteStore({ db, secure: true, ...options });
}

/**
 * This file's browser: a request that names no time reads the test clock, and goes to
 * instance `1` unless it names another. `cookies` are set by hand, as if planted or copied.
 */
function newBrowser(
  cookies: Record<string, string> = {},
  owner: string | null = null,
  address: string | null = null,
): SimulatedBrowser {
  return new SimulatedBrowser({
    cookies,
    owner,
    address,
    clock: () => clock,
    instance: testInstance('1', ''),
  });
}

/** What the demo handler does for a POST: load, change, save. */
async function demo(
  sessions: SessionStore,
  browser: SimulatedBrowser,
  change: (data: SessionData) => SessionData,
) {
  return browser.exchange(async (ctx) => {
    const loaded = await sessions.load(ctx);
    await sessions.save(ctx, change(loaded.data));
    return { loaded, setCookies: ctx.cookies.outgoing };
  });
}

function tokenOf(browser: SimulatedBrowser): { id: string; secret: string; token: string } {
  const token = browser.cookies.get(COOKIE) ?? '';
  const [id = '', secret = ''] = token.split('.');
  return { id, secret, token };
}

function rowOf(id: string): Record<string, unknown> | undefined {
  return db.prepare('SELECT * FROM demo_session WHERE id = ?').get(id) as
    Record<string, unknown> | undefined;
}

function rowCount(database = db): number {
  return database.prepare('SELECT count(*) FROM demo_session').pluck().get() as number;
}

function evictionCount(database = db): number {
  return database.prepare('SELECT count(*) FROM demo_session_eviction').pluck().get() as number;
}

/** Every value of every column of every row in every table, in every spelling a blob may take. */
function everythingStored(database: Database): string[] {
  const tables = database
    .prepare("SELECT name FROM sqlite_schema WHERE type = 'table'")
    .pluck()
    .all() as string[];
  const spellings: string[] = [];
  for (const table of tables) {
    for (const row of database.prepare(`SELECT * FROM "${table}"`).all() as object[]) {
      for (const value of Object.values(row)) {
        if (value instanceof Uint8Array) {
          const bytes = Buffer.from(value);
          for (const encoding of ['latin1', 'utf8', 'hex', 'base64', 'base64url'] as const) {
            spellings.push(bytes.toString(encoding));
          }
        } else spellings.push(String(value));
      }
    }
  }
  return spellings;
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'session-lab-sqlite-'));
  tempDirs.push(dir);
  return dir;
}

describe('sqlite store', () => {
  it('describes itself', () => {
    const sessions = store();
    expect(sessions.info).toEqual({
      id: 'sqlite',
      title: 'SQLite',
      where: 'server',
      summary: expect.any(String),
      facts: {
        sharedAcrossInstances: true,
        survivesRestart: true,
        revocable: true,
        readableByClient: false,
        tamperEvident: true,
        sizeLimit: { bytes: defaultMaxSessionBytes, counts: expect.stringMatching(/JSON/) },
      },
      revokeCounts: expect.stringMatching(/transaction/),
    });
    expect(defaultMaxSessionBytes).toBe(64 * 1024);
    expect(sessions.peek).toBeTypeOf('function');
    expect(sessions.sweep).toBeTypeOf('function');
    expect(store({ maxSessionBytes: 1000 }).info.facts.sizeLimit.bytes).toBe(1000);
  });

  it('refuses nonsensical limits', () => {
    expect(() => store({ ttlSeconds: 0 })).toThrow(/ttlSeconds/);
    expect(() => store({ maxSessions: -1 })).toThrow(/maxSessions/);
    expect(() => store({ maxSessionBytes: 1.5 })).toThrow(/maxSessionBytes/);
  });

  it('starts a new session, sending nothing, when no cookie came', async () => {
    const ctx = newBrowser().request();
    expect(await store().load(ctx)).toEqual({ status: 'new', data: {} });
    expect(ctx.cookies.outgoing).toEqual([]);
    expect(await store().peek?.(ctx)).toBeNull();
    expect(rowCount()).toBe(0);
  });

  it('round-trips nested and unicode JSON through a row and an id.secret cookie', async () => {
    const sessions = store();
    const browser = newBrowser();
    const data = {
      user: { name: 'Zoë 🦊', roles: ['learner', 'ß'], prefs: { dark: true, size: null } },
      cart: [
        { sku: 'tea', qty: 2 },
        { sku: '茶', qty: 1.5 },
      ],
      note: 'quotes " and \\ backslashes, line\nbreaks, \u2028 separators',
      empty: {},
    };
    const { setCookies } = await demo(sessions, browser, () => data);

    expect(setCookies).toHaveLength(1);
    const [cookie] = setCookies;
    expect(cookie?.name).toBe(COOKIE);
    expect(cookie?.value).toMatch(/^[a-z2-7]{32}\.[a-z2-7]{32}$/);
    expect(cookie?.options).toEqual({
      httpOnly: true,
      sameSite: 'Lax',
      secure: true,
      path: '/api/demo/sqlite',
      maxAge: 86_400,
      expires: new Date(START + DAY_MS),
    });
    expect(serializeSetCookie(cookie!)).toBe(
      `${COOKIE}=${cookie!.value}; Expires=Fri, 02 Jan 2026 00:00:00 GMT; Max-Age=86400; ` +
        'Path=/api/demo/sqlite; HttpOnly; Secure; SameSite=Lax',
    );

    const loaded = await browser.exchange((ctx) => store().load(ctx), clock + 1000);
    expect(loaded).toEqual({ status: 'ok', data });

    const { id } = tokenOf(browser);
    const row = rowOf(id)!;
    expect(row.bytes).toBe(Buffer.byteLength(JSON.stringify(data), 'utf8'));
    expect(row.expires_at).toBe(START + DAY_MS);
    expect(row.created_at).toBe(START);
    expect(row.owner).toBeNull();
  });

  it('updates the same row on later saves, without sending the cookie again', async () => {
    const sessions = store();
    const browser = newBrowser();
    await demo(sessions, browser, () => ({ visits: 1 }));
    const { token, id } = tokenOf(browser);

    clock += HOUR_MS;
    const { loaded, setCookies } = await demo(sessions, browser, (data) => ({
      visits: (data.visits as number) + 1,
    }));
    expect(loaded).toEqual({ status: 'ok', data: { visits: 1 } });
    expect(setCookies).toEqual([]);
    expect(tokenOf(browser).token).toBe(token);
    expect(rowCount()).toBe(1);
    expect(rowOf(id)).toMatchObject({ data: '{"visits":2}', bytes: 12, last_seen_at: clock });
  });

  it('leaves Secure off when asked to (plain-HTTP development) and honours name and path', async () => {
    const ctx = newBrowser().request();
    await store({ secure: false, cookieName: 'sid', cookiePath: '/' }).save(ctx, { a: 1 });
    expect(ctx.cookies.outgoing[0]).toMatchObject({
      name: 'sid',
      options: { secure: false, path: '/' },
    });
  });

  it('never stores the secret or the token, only the SHA-256 of the secret', async () => {
    const sessions = store();
    const browsers = [newBrowser(), newBrowser(), newBrowser()];
    for (const browser of browsers) await demo(sessions, browser, () => ({ hello: 'world' }));

    const stored = everythingStored(db);
    for (const browser of browsers) {
      const { id, secret, token } = tokenOf(browser);
      expect(secret).toHaveLength(32);
      for (const value of stored) {
        expect(value).not.toContain(secret);
        expect(value).not.toContain(token);
      }
      expect(stored).toContain(id);
      const hash = rowOf(id)!.secret_hash as Uint8Array;
      expect(new Uint8Array(hash)).toEqual(
        new Uint8Array(createHash('sha256').update(secret).digest()),
      );
    }
  });

  it('treats the right id with a wrong secret as a new session and leaves the real one alone', async () => {
    const sessions = store();
    const owner = newBrowser();
    await demo(sessions, owner, () => ({ balance: 100 }));
    const { id, secret } = tokenOf(owner);
    const before = rowOf(id);

    const flipped = (secret[0] === 'a' ? 'b' : 'a') + secret.slice(1);
    const attacker = newBrowser({ [COOKIE]: `${id}.${flipped}` });
    const { loaded, setCookies } = await demo(sessions, attacker, (data) => ({
      ...data,
      balance: 0,
    }));
    expect(loaded).toEqual({ status: 'new', reason: expect.any(String), data: {} });
    // The attacker got a session of their own, under a different id.
    expect(setCookies.at(-1)?.value).toMatch(/^[a-z2-7]{32}\./);
    expect(tokenOf(attacker).id).not.toBe(id);
    expect(rowCount()).toBe(2);

    expect(rowOf(id)).toEqual(before);
    expect(await owner.exchange((ctx) => sessions.load(ctx))).toEqual({
      status: 'ok',
      data: { balance: 100 },
    });
  });

  it('answers an unknown id and a wrong secret identically', async () => {
    const sessions = store();
    const owner = newBrowser();
    await demo(sessions, owner, () => ({ a: 1 }));
    const { id } = tokenOf(owner);
    const wrongSecret = newBrowser({ [COOKIE]: `${id}.${'a'.repeat(32)}` });
    const unknownId = newBrowser({ [COOKIE]: `${'b'.repeat(32)}.${'a'.repeat(32)}` });

    const first = wrongSecret.request();
    const second = unknownId.request();
    const results = [await sessions.load(first), await sessions.load(second)];
    expect(results[0]).toEqual(results[1]);
    expect(first.cookies.outgoing).toEqual(second.cookies.outgoing);
    // Both paths hashed a secret, so their timing entries are the same too.
    expect(first.timer.entries.map((entry) => entry.name)).toEqual(['store', 'crypto']);
    expect(second.timer.entries.map((entry) => entry.name)).toEqual(['store', 'crypto']);
  });

  it('never adopts an id it did not issue (no session fixation)', async () => {
    const sessions = store();
    const planted = `${'q'.repeat(32)}.${'s'.repeat(32)}`;
    const victim = newBrowser({ [COOKIE]: planted });

    const { loaded } = await demo(sessions, victim, () => ({ signedIn: true }));
    expect(loaded.status).toBe('new');
    expect(loaded.reason).toMatch(/new id/);
    const { id, token } = tokenOf(victim);
    expect(token).not.toBe(planted);
    expect(id).not.toBe('q'.repeat(32));
    expect(rowOf('q'.repeat(32))).toBeUndefined();
    expect(await victim.exchange((ctx) => sessions.load(ctx))).toMatchObject({ status: 'ok' });

    // The planted cookie still gets nothing from the victim's session.
    const attacker = newBrowser({ [COOKIE]: planted });
    expect(await attacker.exchange((ctx) => sessions.load(ctx))).toMatchObject({
      status: 'new',
      data: {},
    });
  });

  it('ignores malformed tokens without touching the database', async () => {
    const sessions = store();
    const id = 'a'.repeat(32);
    const malformed = [
      'x'.repeat(10 * 1024),
      `${id}.${'a'.repeat(10 * 1024)}`,
      'ü'.repeat(65),
      `${id}.${'a'.repeat(30)}😀`,
      '',
      'a.b.c',
      `${id}.${id}.${id}`,
      `${id.toUpperCase()}.${id.toUpperCase()}`,
      '%00'.repeat(22),
    ];
    // A closed database throws on any use, so a status here proves the check ran before it.
    db.close();
    for (const value of malformed) {
      const ctx = newBrowser({ [COOKIE]: value }).request();
      const loaded = await sessions.load(ctx);
      expect(loaded.status).toBe('new');
      expect(loaded.data).toEqual({});
      // A value the browser sent but this store cannot use is cleared rather than re-sent forever.
      if (value) expect(ctx.cookies.outgoing[0]).toMatchObject({ name: COOKIE, value: '' });
      expect(await sessions.peek?.(ctx)).toBeNull();
    }
  });

  it('slides the expiry forward once less than half the lifetime remains', async () => {
    const sessions = store();
    const browser = newBrowser();
    await demo(sessions, browser, () => ({ a: 1 }));
    const { id, token } = tokenOf(browser);

    const early = browser.requestAt(START + 11 * HOUR_MS);
    expect(await sessions.load(early)).toMatchObject({ status: 'ok' });
    expect(early.cookies.outgoing).toEqual([]);
    expect(rowOf(id)?.expires_at).toBe(START + DAY_MS);

    const lateAt = START + 13 * HOUR_MS;
    const late = browser.requestAt(lateAt);
    expect(await sessions.load(late)).toMatchObject({ status: 'ok' });
    expect(late.cookies.outgoing).toEqual([
      {
        name: COOKIE,
        value: token,
        options: expect.objectContaining({
          maxAge: 86_400,
          expires: new Date(lateAt + DAY_MS),
          httpOnly: true,
          path: '/api/demo/sqlite',
        }),
      },
    ]);
    browser.receive(late);
    expect(rowOf(id)).toMatchObject({ expires_at: lateAt + DAY_MS, last_seen_at: lateAt });

    // Past the first expiry, the extended session (and the browser's extended cookie) still work.
    const afterFirstExpiry = START + DAY_MS + HOUR_MS;
    expect(await browser.exchange((ctx) => sessions.load(ctx), afterFirstExpiry)).toEqual({
      status: 'ok',
      data: { a: 1 },
    });
  });

  it('extends on save too, re-sending the cookie, so the row never outlives the cookie', async () => {
    const sessions = store();
    const browser = newBrowser();
    await demo(sessions, browser, () => ({ a: 1 }));
    const { id } = tokenOf(browser);

    const at = START + 20 * HOUR_MS;
    const ctx = browser.requestAt(at);
    await sessions.save(ctx, { a: 2 });
    expect(ctx.cookies.outgoing[0]?.options.expires).toEqual(new Date(at + DAY_MS));
    expect(rowOf(id)?.expires_at).toBe(at + DAY_MS);
  });

  it('reports an expired session, deletes its row and clears the cookie', async () => {
    const sessions = store({ ttlSeconds: 60 });
    const browser = newBrowser();
    await demo(sessions, browser, () => ({ a: 1 }));
    const { id, token } = tokenOf(browser);

    // The server's expiry counts, not the browser's: send the cookie after it lapsed anyway.
    const stale = newBrowser({ [COOKIE]: token }).requestAt(START + 60_000);
    expect(await sessions.load(stale)).toEqual({
      status: 'expired',
      reason: expect.stringMatching(/expiry/),
      data: {},
    });
    expect(rowOf(id)).toBeUndefined();
    expect(stale.cookies.outgoing[0]).toMatchObject({
      name: COOKIE,
      value: '',
      options: { maxAge: 0 },
    });

    // The demo's save that follows starts a brand-new session.
    await sessions.save(stale, { a: 2 });
    const fresh = stale.cookies.outgoing[0]!;
    expect(fresh.value).not.toBe(token);
    expect(fresh.value.split('.')[0]).not.toBe(id);
    expect(rowCount()).toBe(1);
  });

  it('refuses data over the size limit, keeping the stored session as it was', async () => {
    const sessions = store();
    const browser = newBrowser();
    await demo(sessions, browser, () => ({ small: true }));
    const { id } = tokenOf(browser);

    // {"pad":"…"} is 10 bytes of JSON around the padding.
    const exactly = { pad: 'x'.repeat(defaultMaxSessionBytes - 10) };
    expect(Buffer.byteLength(JSON.stringify(exactly))).toBe(defaultMaxSessionBytes);
    await browser.exchange((ctx) => sessions.save(ctx, exactly));
    expect(rowOf(id)?.bytes).toBe(defaultMaxSessionBytes);

    const over = browser.request();
    const error = await sessions
      .save(over, { pad: 'é'.repeat(defaultMaxSessionBytes / 2) })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SessionTooLargeError);
    expect(error).toMatchObject({
      limit: defaultMaxSessionBytes,
      bytes: defaultMaxSessionBytes + 10,
    });
    expect(over.cookies.outgoing).toEqual([]);
    expect(rowOf(id)?.bytes).toBe(defaultMaxSessionBytes);

    const tiny = store({ maxSessionBytes: 16 });
    const ctx = newBrowser().request();
    await expect(tiny.save(ctx, { pad: 'x'.repeat(7) })).rejects.toMatchObject({
      name: 'SessionTooLargeError',
      bytes: 17,
      limit: 16,
    });
    expect(ctx.cookies.outgoing).toEqual([]);
    expect(rowCount()).toBe(1);
  });

  it('when full, purges expired rows first, then evicts the oldest instead of refusing', async () => {
    const sessions = store({ maxSessions: 3, ttlSeconds: 3600 });
    const early = newBrowser();
    await demo(sessions, early, () => ({ n: 1 }));
    clock += 30 * 60_000;
    const browsers = [newBrowser(), newBrowser()];
    for (const browser of browsers) {
      clock += 1000;
      await demo(sessions, browser, () => ({ n: 1 }));
    }

    // Once the first session has expired, the next new one takes its place: nothing evicted.
    clock = START + HOUR_MS;
    const later = newBrowser();
    await demo(sessions, later, () => ({ n: 1 }));
    expect(rowCount()).toBe(3);
    expect(rowOf(tokenOf(early).id)).toBeUndefined();
    expect(evictionCount()).toBe(0);

    // Full of live rows: the one closest to expiry goes, and its next load says why.
    clock += 1000;
    const newest = newBrowser();
    await demo(sessions, newest, () => ({ newest: true }));
    expect(rowCount()).toBe(3);
    expect(await newest.exchange((ctx) => sessions.load(ctx))).toEqual({
      status: 'ok',
      data: { newest: true },
    });
    const evicted = await browsers[0]!.exchange((ctx) => sessions.load(ctx));
    expect(evicted).toEqual({
      status: 'evicted',
      reason: expect.stringMatching(
        /the SQLite demo store holds at most 3 sessions.*this one was the oldest/,
      ),
      data: {},
    });
    // The cookie went with it, so the browser starts over quietly.
    expect(browsers[0]!.cookies.get(COOKIE)).toBeUndefined();
    expect(await browsers[1]!.exchange((ctx) => sessions.load(ctx))).toMatchObject({
      status: 'ok',
    });
  });

  it('destroys the row and clears the cookie on the same path', async () => {
    const sessions = store();
    const browser = newBrowser();
    await demo(sessions, browser, () => ({ a: 1 }));
    const { id, token } = tokenOf(browser);

    const ctx = browser.request();
    await sessions.destroy(ctx);
    expect(ctx.cookies.outgoing[0]).toMatchObject({
      name: COOKIE,
      value: '',
      options: {
        path: '/api/demo/sqlite',
        maxAge: 0,
        httpOnly: true,
        secure: true,
        sameSite: 'Lax',
      },
    });
    expect(rowOf(id)).toBeUndefined();
    expect(await sessions.peek?.(ctx)).toBeNull();

    // Revoked on the server: the old cookie, replayed, opens nothing.
    const replay = newBrowser({ [COOKIE]: token });
    expect(await replay.exchange((c) => sessions.load(c))).toMatchObject({ status: 'new' });
  });

  it('does not let a wrong secret destroy the real session', async () => {
    const sessions = store();
    const browser = newBrowser();
    await demo(sessions, browser, () => ({ a: 1 }));
    const { id } = tokenOf(browser);
    const ctx = newBrowser({ [COOKIE]: `${id}.${'z'.repeat(32)}` }).request();
    await sessions.destroy(ctx);
    expect(rowOf(id)).toBeDefined();
  });

  it('shows the panel the id, size and expiry, never the secret, without timing it', async () => {
    const sessions = store();
    const browser = newBrowser();
    await demo(sessions, browser, () => ({ a: 'ü' }));
    const { id, secret } = tokenOf(browser);

    const ctx = browser.request();
    const view = await sessions.peek?.(ctx);
    expect(view).toEqual({
      key: id,
      bytes: Buffer.byteLength('{"a":"ü"}'),
      expiresAt: START + DAY_MS,
      location: 'SQLite table demo_session',
    });
    expect(JSON.stringify(view)).not.toContain(secret);
    expect(ctx.timer.entries).toEqual([]);

    // Within the request that created it, peek sees the new session.
    const first = newBrowser().request();
    await sessions.save(first, { b: 1 });
    expect(await sessions.peek?.(first)).toMatchObject({ bytes: 7 });
  });

  it('times its SQL and its hashing as store and crypto parts of Server-Timing', async () => {
    const sessions = store();
    const browser = newBrowser();
    await demo(sessions, browser, () => ({ a: 1 }));
    const ctx = browser.request();
    await sessions.load(ctx);
    await sessions.save(ctx, { a: 2 });
    expect(ctx.timer.entries).toEqual([
      { name: 'store', description: 'SQLite demo_session', durationMs: expect.any(Number) },
      {
        name: 'crypto',
        description: 'SHA-256 + constant-time compare',
        durationMs: expect.any(Number),
      },
    ]);
  });

  it('sweeps expired sessions and counts them', async () => {
    const sessions = store({ ttlSeconds: 3600 });
    await demo(sessions, newBrowser(), () => ({}));
    await demo(sessions, newBrowser(), () => ({}));
    clock = START + 30 * 60_000;
    const survivor = newBrowser();
    await demo(sessions, survivor, () => ({ kept: true }));

    expect(await sessions.sweep?.(START + HOUR_MS - 1)).toBe(0);
    expect(await sessions.sweep?.(START + HOUR_MS)).toBe(2);
    expect(await sessions.sweep?.(START + HOUR_MS)).toBe(0);
    expect(rowCount()).toBe(1);
    expect(await survivor.exchange((ctx) => sessions.load(ctx), START + HOUR_MS)).toEqual({
      status: 'ok',
      data: { kept: true },
    });
  });

  it('lists and revokes every session of one owner, leaving other owners alone', async () => {
    const sessions = store();
    const alicePhone = newBrowser({}, 'alice');
    const aliceLaptop = newBrowser({}, 'alice');
    const bob = newBrowser({}, 'bob');
    const anonymous = newBrowser();
    await demo(sessions, alicePhone, () => ({ device: 'phone' }));
    clock += 2 * 60_000;
    await demo(sessions, aliceLaptop, () => ({ device: 'laptop' }));
    await demo(sessions, bob, () => ({ device: 'bob' }));
    await demo(sessions, anonymous, () => ({ device: 'none' }));

    const listed = listSqliteSessions(db, 'alice', clock);
    expect(listed.map((session) => session.id)).toEqual([
      tokenOf(aliceLaptop).id,
      tokenOf(alicePhone).id,
    ]);
    expect(listed[0]).toEqual({
      id: tokenOf(aliceLaptop).id,
      bytes: Buffer.byteLength('{"device":"laptop"}'),
      createdAt: clock,
      expiresAt: clock + DAY_MS,
      lastSeenAt: clock,
    });
    expect(JSON.stringify(listed)).not.toContain(tokenOf(alicePhone).secret);
    expect(listSqliteSessions(db, 'alice', START + 2 * DAY_MS)).toEqual([]);
    expect(listSqliteSessions(db, 'nobody')).toEqual([]);

    expect(revokeAllSqliteSessions(db, 'alice')).toBe(2);
    expect(revokeAllSqliteSessions(db, 'alice')).toBe(0);
    for (const browser of [alicePhone, aliceLaptop]) {
      expect(await browser.exchange((ctx) => sessions.load(ctx))).toMatchObject({ status: 'new' });
    }
    expect(await bob.exchange((ctx) => sessions.load(ctx))).toMatchObject({ status: 'ok' });
    expect(await anonymous.exchange((ctx) => sessions.load(ctx))).toMatchObject({ status: 'ok' });
    expect(db.prepare('SELECT owner FROM demo_session ORDER BY owner').pluck().all()).toEqual([
      null,
      'bob',
    ]);
  });

  it('finds an owner’s sessions and expired rows through indexes, not table scans', () => {
    const plan = (sql: string, ...params: unknown[]) =>
      JSON.stringify(db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params));
    expect(plan('SELECT id FROM demo_session WHERE owner = ? AND expires_at > ?', 'a', 1)).toMatch(
      /USING INDEX demo_session_by_owner/,
    );
    expect(plan('DELETE FROM demo_session WHERE owner = ?', 'a')).toMatch(/demo_session_by_owner/);
    expect(plan('DELETE FROM demo_session WHERE expires_at <= ?', 1)).toMatch(
      /demo_session_by_expiry/,
    );
  });

  it('ignores an owner id longer than it can index sensibly', async () => {
    const sessions = store();
    const long = newBrowser({}, 'o'.repeat(129));
    await demo(sessions, long, () => ({ a: 1 }));
    expect(rowOf(tokenOf(long).id)).toMatchObject({ owner: null });
    expect(await long.exchange((ctx) => sessions.peek!(ctx))).not.toHaveProperty('ownerSessions');
    expect(await long.exchange((ctx) => sessions.revokeAll!(ctx))).toBe(0);
    expect(rowCount()).toBe(1);
    const fits = newBrowser({}, 'o'.repeat(128));
    await demo(sessions, fits, () => ({ a: 1 }));
    expect(rowOf(tokenOf(fits).id)).toMatchObject({ owner: 'o'.repeat(128) });
  });

  it('logs one owner out everywhere through revokeAll, counting live sessions', async () => {
    const sessions = store();
    const phone = newBrowser({}, 'alice');
    const laptop = newBrowser({}, 'alice');
    const bob = newBrowser({}, 'bob');
    const anonymous = newBrowser();
    for (const browser of [phone, laptop, bob, anonymous]) {
      await demo(sessions, browser, () => ({ device: browser.owner }));
    }
    expect(await phone.exchange((ctx) => sessions.peek!(ctx))).toMatchObject({ ownerSessions: 2 });
    expect(await bob.exchange((ctx) => sessions.peek!(ctx))).toMatchObject({ ownerSessions: 1 });
    expect(await anonymous.exchange((ctx) => sessions.peek!(ctx))).not.toHaveProperty(
      'ownerSessions',
    );

    // Another instance shares the table, so it reaches every device's session.
    const elsewhere = phone.request(testInstance('fresh-7', ''), clock);
    expect(await sessions.revokeAll!(elsewhere)).toBe(2);
    expect(elsewhere.timer.entries).toEqual([
      { name: 'store', description: 'SQLite demo_session', durationMs: expect.any(Number) },
    ]);
    for (const browser of [phone, laptop]) {
      expect(await browser.exchange((ctx) => sessions.peek!(ctx))).toBeNull();
      expect(await browser.exchange((ctx) => sessions.load(ctx))).toMatchObject({ status: 'new' });
    }
    expect(await bob.exchange((ctx) => sessions.load(ctx))).toEqual({
      status: 'ok',
      data: { device: 'bob' },
    });
    expect(await anonymous.exchange((ctx) => sessions.load(ctx))).toMatchObject({ status: 'ok' });
    expect(await phone.exchange((ctx) => sessions.revokeAll!(ctx))).toBe(0);
    // None of the revoked sessions is counted any more: a new one is the owner's only one.
    await demo(sessions, laptop, () => ({ again: true }));
    expect(await laptop.exchange((ctx) => sessions.peek!(ctx))).toMatchObject({ ownerSessions: 1 });
  });

  it('revokes nothing for a request without an owner', async () => {
    const sessions = store();
    await demo(sessions, newBrowser({}, 'alice'), () => ({ a: 1 }));
    await demo(sessions, newBrowser(), () => ({ b: 1 }));
    expect(await newBrowser().exchange((ctx) => sessions.revokeAll!(ctx))).toBe(0);
    expect(rowCount()).toBe(2);
  });

  it('keeps the owner when a later save names none; expired rows go but are not counted', async () => {
    const sessions = store({ ttlSeconds: 3600 });
    const old = newBrowser({}, 'alice');
    await demo(sessions, old, () => ({ n: 1 }));
    clock += 30 * 60_000;
    const alice = newBrowser({}, 'alice');
    await demo(sessions, alice, () => ({ n: 1 }));
    const anonymousSave = alice.request();
    await sessions.load(anonymousSave);
    await sessions.save({ ...anonymousSave, owner: null }, { n: 2 });
    expect(rowOf(tokenOf(alice).id)).toMatchObject({ owner: 'alice' });

    clock = START + HOUR_MS;
    expect(await alice.exchange((ctx) => sessions.peek!(ctx))).toMatchObject({ ownerSessions: 1 });
    expect(await alice.exchange((ctx) => sessions.revokeAll!(ctx))).toBe(1);
    expect(rowCount()).toBe(0);
  });

  it('gives a session saved before the learner had an id that learner as owner', async () => {
    const sessions = store();
    const browser = newBrowser();
    await demo(sessions, browser, () => ({ n: 1 }));
    const later = browser.request();
    await sessions.load(later);
    await sessions.save({ ...later, owner: 'alice' }, { n: 2 });
    expect(rowOf(tokenOf(browser).id)).toMatchObject({ owner: 'alice' });
  });

  /*
   * Concurrency: the outcome the store's header comment describes. Twenty overlapping requests on
   * one session each load, increment and save; every load runs before any save (better-sqlite3 is
   * synchronous, but the awaits between a request's load and save let the others in), so nineteen
   * increments are lost and the counter ends at 1. The same twenty requests one after another
   * count to 20.
   */
  it('loses updates when twenty load + increment + save sequences overlap (last save wins)', async () => {
    const sessions = store();
    const browser = newBrowser();
    await demo(sessions, browser, () => ({ counter: 0 }));
    const increment = (data: SessionData) => ({ counter: (data.counter as number) + 1 });

    const overlapping = await Promise.all(
      Array.from({ length: 20 }, () => demo(sessions, browser, increment)),
    );
    expect(overlapping.every(({ loaded }) => loaded.data.counter === 0)).toBe(true);
    expect(await browser.exchange((ctx) => sessions.load(ctx))).toEqual({
      status: 'ok',
      data: { counter: 1 },
    });
    expect(rowCount()).toBe(1);

    for (let i = 0; i < 20; i += 1) await demo(sessions, browser, increment);
    expect(await browser.exchange((ctx) => sessions.load(ctx))).toEqual({
      status: 'ok',
      data: { counter: 21 },
    });
  });

  it('does not let a slow request’s save bring back a session revoked after its load', async () => {
    const sessions = store();
    const browser = newBrowser();
    await demo(sessions, browser, () => ({ signedIn: true }));

    const slow = browser.request();
    const loaded = await sessions.load(slow);
    expect(loaded).toEqual({ status: 'ok', data: { signedIn: true } });
    await browser.exchange((ctx) => sessions.destroy(ctx)); // "log out" lands meanwhile
    await sessions.save(slow, { ...loaded.data, counter: 1 });
    browser.receive(slow);

    expect(rowCount()).toBe(0);
    expect(slow.cookies.outgoing).toEqual([
      expect.objectContaining({
        name: COOKIE,
        value: '',
        options: expect.objectContaining({ maxAge: 0 }),
      }),
    ]);
    expect(browser.cookies.get(COOKIE)).toBeUndefined();
    expect(await browser.exchange((ctx) => sessions.load(ctx))).toEqual({
      status: 'new',
      data: {},
    });
  });

  it('creates one session per request when twenty first requests overlap without a cookie', async () => {
    const sessions = store();
    const browser = newBrowser();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => demo(sessions, browser, () => ({ counter: 1 }))),
    );
    expect(results.every(({ loaded }) => loaded.status === 'new')).toBe(true);
    expect(rowCount()).toBe(20);
    // The browser keeps the last cookie it received; the other nineteen rows wait for expiry.
    expect(rowOf(tokenOf(browser).id)).toBeDefined();
  });

  it('keeps one database for every instance, in WAL mode, surviving a restart', async () => {
    const dir = tempDir();
    const file = join(dir, 'lab.sqlite');
    const first = openDatabase(file);
    extraDatabases.push(first);
    expect(first.pragma('journal_mode', { simple: true })).toBe('wal');

    const browser = newBrowser();
    const onFirst = createSqliteStore({ db: first, secure: true });
    await browser.exchange(async (ctx) => onFirst.save(ctx, { where: 'instance 1' }), clock);

    // A second connection (another process, or a fresh serverless instance) sees the session.
    const second = openDatabase(file);
    extraDatabases.push(second);
    const onSecond = createSqliteStore({ db: second, secure: true });
    const ctx = browser.request(testInstance('fresh-1', ''), clock);
    expect(await onSecond.load(ctx)).toEqual({ status: 'ok', data: { where: 'instance 1' } });

    // The bytes on disk, database and write-ahead log, hold the id but never the secret.
    const { id, secret } = tokenOf(browser);
    const files = readdirSync(dir);
    expect(files).toContain('lab.sqlite-wal');
    const disk = Buffer.concat(files.map((name) => readFileSync(join(dir, name))));
    expect(disk.includes(id)).toBe(true);
    expect(disk.includes(secret)).toBe(false);

    // A restart: every connection closes, a new one opens the same file.
    first.close();
    second.close();
    const restarted = openDatabase(file);
    extraDatabases.push(restarted);
    const afterRestart = createSqliteStore({ db: restarted, secure: true });
    expect(await browser.exchange((c) => afterRestart.load(c))).toEqual({
      status: 'ok',
      data: { where: 'instance 1' },
    });
  });

  describe('fair share', () => {
    it('fills from one learner and address without filling the table: both stay at their share, a newcomer still gets a session, and the evicted one says why', async () => {
      const sessions = store({
        maxSessions: 40,
        maxSessionsPerOwner: 4,
        maxSessionsPerVisitor: 10,
      });
      const devices = Array.from({ length: 8 }, () => newBrowser({}, 'busy', '203.0.113.9'));
      for (const device of devices) {
        clock += 1000;
        await demo(sessions, device, () => ({ device: true }));
      }
      // (a) the learner keeps their share; their oldest went first.
      const ownerRows = () =>
        db.prepare("SELECT count(*) FROM demo_session WHERE owner = 'busy'").pluck().get();
      expect(ownerRows()).toBe(4);
      const owned = await devices[0]!.exchange((ctx) => sessions.load(ctx));
      expect(owned.status).toBe('evicted');
      expect(owned.reason).toMatch(
        /you started another session while you already had 4 live sessions in the SQLite demo store/,
      );
      // A visitor who drops cookies: every request a new learner, all from one address.
      const flood = Array.from({ length: 60 }, (_, index) =>
        newBrowser({}, `learner-${index}`, '203.0.113.9'),
      );
      for (const browser of flood) {
        clock += 1000;
        await demo(sessions, browser, () => ({ flood: true }));
      }
      // (a) the address keeps its share, and the table is far from full.
      expect(rowCount()).toBe(10);
      // (b) a newcomer from elsewhere is saved as usual.
      const newcomer = newBrowser({}, 'newcomer', '192.0.2.44');
      await demo(sessions, newcomer, () => ({ hello: 'world' }));
      expect(await newcomer.exchange((ctx) => sessions.load(ctx))).toEqual({
        status: 'ok',
        data: { hello: 'world' },
      });
      // (c) the evicted sessions say what happened to them.
      const evicted = await flood[0]!.exchange((ctx) => sessions.load(ctx));
      expect(evicted.status).toBe('evicted');
      expect(evicted.reason).toMatch(
        /your network address started another session while it already had 10 live sessions/,
      );
      expect(await flood[59]!.exchange((ctx) => sessions.load(ctx))).toMatchObject({
        status: 'ok',
      });
    });

    it('evicts the least recently seen of the learner’s sessions, not the one in use', async () => {
      const sessions = store({ maxSessionsPerOwner: 2 });
      const [inUse, idle] = [newBrowser({}, 'alice'), newBrowser({}, 'alice')];
      await demo(sessions, inUse, () => ({ n: 1 }));
      clock += 1000;
      await demo(sessions, idle, () => ({ n: 1 }));
      clock += 1000;
      await demo(sessions, inUse, () => ({ n: 2 }));
      clock += 1000;
      await demo(sessions, newBrowser({}, 'alice'), () => ({ n: 1 }));
      expect((await idle.exchange((ctx) => sessions.load(ctx))).status).toBe('evicted');
      expect(await inUse.exchange((ctx) => sessions.load(ctx))).toEqual({
        status: 'ok',
        data: { n: 2 },
      });
    });

    it('records only a hash of the address, and tells of an eviction only to the holder of the secret', async () => {
      const sessions = store({ maxSessionsPerVisitor: 1 });
      const victim = newBrowser({}, null, '198.51.100.7');
      await demo(sessions, victim, () => ({ n: 1 }));
      expect(everythingStored(db).join(' ')).not.toContain('198.51.100.7');
      expect(rowOf(tokenOf(victim).id)).toMatchObject({
        visitor: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      });
      clock += 1000;
      await demo(sessions, newBrowser({}, null, '198.51.100.7'), () => ({ n: 2 }));

      const { id } = tokenOf(victim);
      const guess = newBrowser({ [COOKIE]: `${id}.${'a'.repeat(32)}` });
      expect(await guess.exchange((ctx) => sessions.load(ctx))).toEqual({
        status: 'new',
        reason: expect.stringMatching(/named no session/),
        data: {},
      });
      expect((await victim.exchange((ctx) => sessions.load(ctx))).status).toBe('evicted');
      // The record is only an explanation: nothing of the data, and it goes at expiry.
      expect(db.prepare('SELECT * FROM demo_session_eviction WHERE id = ?').get(id)).toEqual({
        id,
        secret_hash: expect.any(Uint8Array),
        cause: 'visitor-share',
        session_limit: 1,
        evicted_at: clock,
        expires_at: START + DAY_MS,
      });
      await sessions.sweep!(START + DAY_MS - 1);
      expect(evictionCount()).toBe(1);
      await sessions.sweep!(START + DAY_MS);
      expect(evictionCount()).toBe(0);
    });

    it('remembers only the newest evictions, at most maxEvictionRecords', async () => {
      const sessions = store({ maxSessionsPerOwner: 1, maxEvictionRecords: 2 });
      const browsers = Array.from({ length: 5 }, () => newBrowser({}, 'hasty'));
      for (const browser of browsers) {
        clock += 1000;
        await demo(sessions, browser, () => ({ n: 1 }));
      }
      expect(evictionCount()).toBe(2);
      const statuses = [];
      for (const browser of browsers) {
        statuses.push((await browser.exchange((ctx) => sessions.load(ctx))).status);
      }
      expect(statuses).toEqual(['new', 'new', 'evicted', 'evicted', 'ok']);
      expect(() => store({ maxEvictionRecords: 0 })).toThrow(/maxEvictionRecords/);
    });

    it('never refuses a newcomer however many addresses fill it, and two connections share the count', async () => {
      const file = join(tempDir(), 'shared.sqlite');
      const first = openDatabase(file);
      const second = openDatabase(file);
      extraDatabases.push(first, second);
      const stores = [first, second].map((database) =>
        createSqliteStore({ db: database, secure: true, maxSessions: 20 }),
      );
      const visitors = Array.from({ length: 30 }, (_, index) =>
        newBrowser({}, `learner-${index}`, `192.0.2.${index}`),
      );
      for (const [index, browser] of visitors.entries()) {
        clock += 1000;
        await demo(stores[index % 2]!, browser, () => ({ index }));
      }
      expect(rowCount(first)).toBe(20);
      const statuses = [];
      for (const browser of visitors) {
        statuses.push((await browser.exchange((ctx) => stores[0]!.load(ctx))).status);
      }
      expect(statuses).toEqual([...Array(10).fill('evicted'), ...Array(20).fill('ok')]);
    });
  });
});
