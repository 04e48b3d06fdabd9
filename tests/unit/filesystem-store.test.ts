import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultMaxSessionBytes } from '../../src/sessions/limits';
import { isWellFormedSessionId, newSessionId } from '../../src/sessions/server-session-id';
import { createFilesystemStore } from '../../src/sessions/stores/filesystem/store';
import { SessionTooLargeError } from '../../src/sessions/types';
import type { Instance } from '../../src/sessions/types';
import { SimulatedBrowser } from '../support/simulated-browser';
import { sessionOfBytes, visit } from '../support/store-visit';

const T0 = 1_790_000_000_000;
const DAY = 86_400;

/** This file's browser: its clock stands at T0 unless a request names a time. */
function newBrowser(owner: string | null = null, address: string | null = null) {
  return new SimulatedBrowser({ owner, address, clock: () => T0 });
}

/** The session id the browser holds. */
function sidOf(browser: SimulatedBrowser): string | undefined {
  return browser.cookies.get('fs_sid');
}

function fileNameOf(id: string): string {
  return createHash('sha256').update(id).digest('hex') + '.json';
}

/** Every path under `root`, relative to it. */
async function listTree(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true });
  return entries.map(String).sort();
}

describe('filesystem store', () => {
  let dataDir: string;
  let one: Instance;
  let two: Instance;
  const store = createFilesystemStore({ secure: true });

  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'session-lab-fs-store-'));
    one = { id: '1', memory: new Map(), directory: path.join(dataDir, 'instances', '1') };
    two = { id: '2', memory: new Map(), directory: path.join(dataDir, 'instances', '2') };
  });

  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('describes itself as a durable server store each instance has its own of', () => {
    expect(store.info).toMatchObject({
      id: 'filesystem',
      title: 'Filesystem',
      where: 'server',
      facts: {
        sharedAcrossInstances: false,
        survivesRestart: true,
        revocable: true,
        readableByClient: false,
        tamperEvident: true,
        sizeLimit: { bytes: defaultMaxSessionBytes, counts: 'serialized JSON of the session data' },
      },
    });
  });

  it('starts a new session without touching the disk or setting a cookie', async () => {
    const ctx = newBrowser().request(one);
    expect(await store.load(ctx)).toEqual({ status: 'new', data: {} });
    expect(ctx.cookies.outgoing).toEqual([]);
    expect(await listTree(dataDir)).toEqual([]);
  });

  it('writes one private file per session, named by a hash of the id, and a strict id cookie', async () => {
    const browser = newBrowser();
    const ctx = browser.request(one);
    await store.save(ctx, { user: 'ada' });
    const [cookie] = ctx.cookies.outgoing;
    expect(cookie?.name).toBe('fs_sid');
    expect(isWellFormedSessionId(cookie?.value)).toBe(true);
    expect(cookie?.options).toEqual({
      httpOnly: true,
      sameSite: 'Lax',
      secure: true,
      path: '/api/demo/filesystem',
      maxAge: DAY,
      expires: new Date(T0 + DAY * 1000),
    });
    const name = fileNameOf(cookie!.value);
    expect(await readdir(one.directory)).toEqual([name]);
    expect((await stat(one.directory)).mode & 0o777).toBe(0o700);
    expect((await stat(path.join(one.directory, name))).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(path.join(one.directory, name), 'utf8'))).toEqual({
      expiresAt: T0 + DAY * 1000,
      data: { user: 'ada' },
    });
  });

  it('honours secure, cookieName and ttlSeconds', async () => {
    const custom = createFilesystemStore({ secure: false, cookieName: 'sid', ttlSeconds: 60 });
    const ctx = newBrowser().request(one);
    await custom.save(ctx, { a: 1 });
    expect(ctx.cookies.outgoing[0]).toMatchObject({
      name: 'sid',
      options: { secure: false, maxAge: 60 },
    });
  });

  it('round-trips nested and unicode JSON, also through a restart', async () => {
    const data = {
      user: { id: 42, name: 'Zoë Ångström', roles: ['admin', 'éditeur'] },
      greeting: '你好, мир 👋',
      cart: [{ sku: 'A-1', qty: 2, price: 9.5 }],
      flags: { beta: true, tour: null },
    };
    const browser = newBrowser();
    await visit(store, browser, one, T0, () => data);
    expect(await visit(store, browser, one, T0 + 1000)).toEqual({ status: 'ok', data });
    const restarted = createFilesystemStore({ secure: true });
    expect(await visit(restarted, browser, { ...one, memory: new Map() }, T0 + 2000)).toEqual({
      status: 'ok',
      data,
    });
  });

  it('destroys the file and clears the cookie on the same path', async () => {
    const browser = newBrowser();
    await visit(store, browser, one, T0, () => ({ user_id: 1 }));
    const stolen = sidOf(browser)!;
    const ctx = browser.request(one);
    await store.destroy(ctx);
    expect(ctx.cookies.outgoing[0]).toMatchObject({
      name: 'fs_sid',
      value: '',
      options: {
        path: '/api/demo/filesystem',
        maxAge: 0,
        httpOnly: true,
        secure: true,
        sameSite: 'Lax',
      },
    });
    browser.receive(ctx);
    expect(sidOf(browser)).toBeUndefined();
    expect(await readdir(one.directory)).toEqual([]);
    const thief = newBrowser();
    thief.cookies.set('fs_sid', stolen);
    expect((await visit(store, thief, one)).status).toBe('new');
  });

  it('expires a session after the TTL and deletes its file; every save slides the expiry', async () => {
    const short = createFilesystemStore({ secure: true, ttlSeconds: 60 });
    // Sent past its Max-Age, the cookie reaches the store, whose own expiry check answers.
    const browser = new SimulatedBrowser({ clock: () => T0, keepExpiredCookies: true });
    await visit(short, browser, one, T0, () => ({ n: 1 }));
    expect((await visit(short, browser, one, T0 + 59_999)).status).toBe('ok');
    await visit(short, browser, one, T0 + 50_000, (data) => ({ ...data, n: 2 }));
    expect(await visit(short, browser, one, T0 + 109_999)).toEqual({
      status: 'ok',
      data: { n: 2 },
    });
    const expired = await visit(short, browser, one, T0 + 110_000);
    expect(expired).toEqual({
      status: 'expired',
      reason: expect.stringMatching(/expired at/),
      data: {},
    });
    expect(await readdir(one.directory)).toEqual([]);
    expect((await visit(short, browser, one, T0 + 110_001)).status).toBe('new');
  });

  it('treats an unreadable session file as no session, deletes it, and says why', async () => {
    for (const corrupt of [
      '{"expiresAt": 1',
      '[]',
      '{"expiresAt":"soon","data":{}}',
      '{"data":{}}',
      '',
    ]) {
      const browser = newBrowser();
      await visit(store, browser, one, T0, () => ({ a: 1 }));
      const damaged = sidOf(browser)!;
      await writeFile(path.join(one.directory, fileNameOf(damaged)), corrupt);
      const loaded = await visit(store, browser, one, T0, () => ({ fresh: true }));
      expect(loaded).toEqual({
        status: 'new',
        reason: 'the session file was unreadable',
        data: {},
      });
      expect(sidOf(browser)).not.toBe(damaged);
      expect(await readdir(one.directory)).toEqual([fileNameOf(sidOf(browser)!)]);
      await store.destroy(browser.request(one));
    }
  });

  it('refuses a session over maxSessionBytes, measured on the serialized JSON, and writes nothing', async () => {
    await store.save(newBrowser().request(one), sessionOfBytes(defaultMaxSessionBytes));
    const over = newBrowser().request(one);
    const error = await store
      .save(over, sessionOfBytes(defaultMaxSessionBytes + 1))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionTooLargeError);
    expect(error).toMatchObject({
      bytes: defaultMaxSessionBytes + 1,
      limit: defaultMaxSessionBytes,
    });
    expect(over.cookies.outgoing).toEqual([]);
    expect(await readdir(one.directory)).toHaveLength(1);
  });

  it('never accepts an id it did not issue: a planted id gets a new session with a new id', async () => {
    const planted = newSessionId();
    const browser = newBrowser();
    browser.cookies.set('fs_sid', planted);
    const loaded = await visit(store, browser, one, T0, () => ({ user_id: 7 }));
    expect(loaded).toEqual({ status: 'new', reason: expect.stringMatching(/no file/), data: {} });
    expect(isWellFormedSessionId(sidOf(browser))).toBe(true);
    expect(sidOf(browser)).not.toBe(planted);
    expect(await readdir(one.directory)).toEqual([fileNameOf(sidOf(browser)!)]);
  });

  it('treats malformed ids as no session and creates nothing outside its directory', async () => {
    const junkIds = [
      '../../etc/passwd',
      '../' + 'a'.repeat(40),
      'x'.repeat(10_000),
      '💥',
      'é'.repeat(43),
      '',
      ' ',
      '%00',
    ];
    for (const junk of junkIds) {
      const browser = newBrowser();
      browser.cookies.set('fs_sid', junk);
      const loaded = await visit(store, browser, one, T0, () => ({ ok: true }));
      expect(loaded.status).toBe('new');
      expect(isWellFormedSessionId(sidOf(browser))).toBe(true);
      const ctx = browser.request(one);
      await store.destroy(ctx);
    }
    expect(await listTree(dataDir)).toEqual(['instances', path.join('instances', '1')]);
  });

  it('evicts the oldest file once maxFiles are live instead of refusing, and still updates existing ones', async () => {
    const capped = createFilesystemStore({ secure: true, maxFiles: 3 });
    const browsers = [newBrowser(), newBrowser(), newBrowser()];
    for (const [index, browser] of browsers.entries()) {
      await visit(capped, browser, one, T0 + index, () => ({ n: 1 }));
    }
    const late = newBrowser();
    await visit(capped, late, one, T0 + 10, () => ({ late: true }));
    expect(await visit(capped, late, one, T0 + 11)).toEqual({ status: 'ok', data: { late: true } });
    expect(await readdir(one.directory)).toHaveLength(3);
    const evicted = await visit(capped, browsers[0]!, one, T0 + 11);
    expect(evicted).toEqual({
      status: 'evicted',
      reason: expect.stringMatching(
        /the session directory of instance 1 holds at most 3 sessions.*this one was the oldest/,
      ),
      data: {},
    });
    await visit(capped, browsers[1]!, one, T0 + 12, () => ({ n: 2 }));
    expect((await visit(capped, browsers[1]!, one, T0 + 13)).data).toEqual({ n: 2 });
    expect(await readdir(one.directory)).toHaveLength(3);
  });

  it('caps total bytes per directory, evicting the oldest', async () => {
    // Each file is {"expiresAt":<13 digits>,"data":<100 bytes>}: 135 bytes; eight fit in 1124.
    const capped = createFilesystemStore({
      secure: true,
      maxSessionBytes: 100,
      maxTotalBytes: 1124,
    });
    const browsers = Array.from({ length: 9 }, () => newBrowser());
    for (const [index, browser] of browsers.entries()) {
      await visit(capped, browser, one, T0 + index, () => sessionOfBytes(100));
    }
    expect(await readdir(one.directory)).toHaveLength(8);
    expect((await visit(capped, browsers[0]!, one, T0 + 20)).reason).toMatch(
      /holds at most 1124 bytes of sessions/,
    );
    expect((await visit(capped, browsers[1]!, one, T0 + 20)).status).toBe('ok');
    // Another instance has its own directory and its own cap.
    await capped.save(newBrowser().request(two), sessionOfBytes(100));
    expect(await readdir(two.directory)).toHaveLength(1);
  });

  it('needs room for one largest session in maxTotalBytes', () => {
    expect(() => createFilesystemStore({ secure: true, maxTotalBytes: 300 })).toThrow(
      /maxTotalBytes must hold one largest session: at least 66560/,
    );
  });

  it('drops expired files before evicting live ones, without reading the directory', async () => {
    const capped = createFilesystemStore({ secure: true, maxFiles: 2, ttlSeconds: 60 });
    const [a, b, c] = [newBrowser(), newBrowser(), newBrowser()];
    await visit(capped, a, one, T0, () => ({ n: 1 }));
    await visit(capped, b, one, T0 + 30_000, () => ({ n: 2 }));
    // A file the ledger does not know is not read: deciding what goes costs no I/O.
    await writeFile(path.join(one.directory, `${'0'.repeat(64)}.json`), 'not read');
    await visit(capped, c, one, T0 + 61_000, () => ({ n: 3 }));
    expect((await visit(capped, a, one, T0 + 61_000)).status).toBe('new');
    expect((await visit(capped, b, one, T0 + 61_000)).status).toBe('ok');
    expect((await visit(capped, c, one, T0 + 61_000)).status).toBe('ok');
    expect(await readdir(one.directory)).toHaveLength(3);
  });

  it('counts files already on disk: after a restart the first write scans the directory and evicts the oldest', async () => {
    const [first, second] = [newBrowser(), newBrowser()];
    await visit(store, first, one, T0, () => ({ index: 0 }));
    await visit(store, second, one, T0 + 1, () => ({ index: 1 }));
    const restarted = createFilesystemStore({ secure: true, maxFiles: 2 });
    await restarted.save(newBrowser().request(one, T0 + 2), { index: 2 });
    expect(await readdir(one.directory)).toHaveLength(2);
    expect((await visit(restarted, first, one, T0 + 3)).status).toBe('evicted');
    expect((await visit(restarted, second, one, T0 + 3)).data).toEqual({ index: 1 });
  });

  it('has no session on another instance: each has its own directory', async () => {
    const browser = newBrowser();
    await visit(store, browser, one, T0, () => ({ user_id: 1 }));
    const other = await visit(store, browser, two);
    expect(other).toEqual({ status: 'new', reason: expect.stringMatching(/instance 2/), data: {} });
    expect((await visit(store, browser, one)).status).toBe('ok');
  });

  it('peeks at the file: shortened id, file bytes, expiry and its path relative to DATA_DIR', async () => {
    const browser = newBrowser();
    await visit(store, browser, one, T0, () => ({ user_id: 42 }));
    const name = fileNameOf(sidOf(browser)!);
    const content = await readFile(path.join(one.directory, name), 'utf8');
    const view = await store.peek!(browser.request(one, T0 + 1000));
    expect(view).toEqual({
      key: `${sidOf(browser)!.slice(0, 8)}…`,
      bytes: Buffer.byteLength(content),
      expiresAt: T0 + DAY * 1000,
      location: path.join('instances', '1', name),
    });
    const rooted = createFilesystemStore({
      secure: true,
      dataDir: path.join(dataDir, 'instances'),
    });
    expect((await rooted.peek!(browser.request(one)))?.location).toBe(path.join('1', name));
    expect(await store.peek!(browser.request(one, T0 + DAY * 1000))).toBeNull();
    expect(await store.peek!(browser.request(two))).toBeNull();
    expect(await store.peek!(newBrowser().request(one))).toBeNull();
  });

  it('sweeps expired files and stale temporary files in every directory it has used, leaving live ones', async () => {
    const sweeper = createFilesystemStore({ secure: true, ttlSeconds: 60 });
    const [old1, old2, live] = [newBrowser(), newBrowser(), newBrowser()];
    await visit(sweeper, old1, one, T0, () => ({ a: 1 }));
    await visit(sweeper, old2, two, T0, () => ({ a: 2 }));
    await visit(sweeper, live, two, T0 + 30_000, () => ({ a: 3 }));
    // Temporary files a crashed write left behind, one old and one in flight.
    const staleTemp = path.join(two.directory, 'abc.0123456789ab.tmp');
    const freshTemp = path.join(two.directory, 'def.0123456789ab.tmp');
    await writeFile(staleTemp, '{');
    await writeFile(freshTemp, '{');
    await utimes(staleTemp, new Date(T0 - 120_000), new Date(T0 - 120_000));
    await utimes(freshTemp, new Date(T0 + 59_000), new Date(T0 + 59_000));

    expect(await sweeper.sweep!(T0 + 60_000)).toBe(2);
    expect((await readdir(two.directory)).sort()).toEqual(
      [fileNameOf(sidOf(live)!), 'def.0123456789ab.tmp'].sort(),
    );
    // Instance 1's directory was left empty, so it is gone.
    await expect(stat(one.directory)).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await visit(sweeper, live, two, T0 + 60_000)).status).toBe('ok');
    expect(await sweeper.sweep!(T0 + 60_000)).toBe(0);
    // A later save in a swept-away directory makes it again.
    await visit(sweeper, old1, one, T0 + 60_000, () => ({ back: true }));
    expect(await readdir(one.directory)).toHaveLength(1);
  });

  it('writes atomically: no temporary file is left behind', async () => {
    const browser = newBrowser();
    for (let index = 0; index < 10; index++)
      await visit(store, browser, one, T0, () => ({ index }));
    await Promise.all(
      Array.from({ length: 10 }, (_, index) => store.save(newBrowser().request(one), { index })),
    );
    const names = await readdir(one.directory);
    expect(names.filter((name) => !name.endsWith('.json'))).toEqual([]);
    expect(names).toHaveLength(11);
  });

  it('loses concurrent updates: 20 overlapping increments keep fewer than 20, but no file is torn', async () => {
    const browser = newBrowser();
    await visit(store, browser, one, T0, () => ({ counter: 0 }));
    const requests = Array.from({ length: 20 }, () => browser.request(one));
    await Promise.all(
      requests.map(async (ctx) => {
        const { status, data } = await store.load(ctx);
        expect(status).toBe('ok');
        await store.save(ctx, { counter: Number(data.counter) + 1 });
      }),
    );
    expect(new Set(requests.map((ctx) => ctx.cookies.get('fs_sid')))).toEqual(
      new Set([sidOf(browser)]),
    );
    const final = Number((await visit(store, browser, one)).data.counter);
    // Measured: 1 on every run here, as all reads are queued before any write; asserted loosely
    // because the order of thread-pool work is not a promise the platform makes.
    expect(final).toBeGreaterThanOrEqual(1);
    expect(final).toBeLessThan(20);
    expect(await readdir(one.directory)).toEqual([fileNameOf(sidOf(browser)!)]);
  });

  it('times its own work as the store part of Server-Timing', async () => {
    const ctx = newBrowser().request(one);
    await store.load(ctx);
    await store.save(ctx, { a: 1 });
    // The write is its own entry, named for what it did, not added to the read's.
    expect(ctx.timer.entries).toEqual([
      { name: 'store', description: 'file read', durationMs: expect.any(Number) },
      {
        name: 'store-2',
        description: 'file write (temp file + rename)',
        durationMs: expect.any(Number),
      },
    ]);
  });

  it('creates directories on demand, including missing parents', async () => {
    const deep: Instance = {
      id: 'deep',
      memory: new Map(),
      directory: path.join(dataDir, 'a', 'b', 'c'),
    };
    await store.save(newBrowser().request(deep), { a: 1 });
    expect(await readdir(deep.directory)).toHaveLength(1);
    expect(await listTree(path.join(dataDir, 'a'))).toEqual([
      'b',
      path.join('b', 'c'),
      expect.stringMatching(/^b\/c\/[0-9a-f]{64}\.json$/),
    ]);
  });

  it('rejects nonsensical limits', () => {
    expect(() => createFilesystemStore({ secure: true, maxFiles: 0 })).toThrow(/maxFiles/);
    expect(() => createFilesystemStore({ secure: true, ttlSeconds: 1.5 })).toThrow(/ttlSeconds/);
  });

  describe('log out everywhere', () => {
    it('deletes every session file of one owner in this instance and leaves other owners alone', async () => {
      const [phone, laptop, bob, anonymous] = [
        newBrowser('alice'),
        newBrowser('alice'),
        newBrowser('bob'),
        newBrowser(),
      ];
      for (const browser of [phone, laptop, bob, anonymous]) {
        await visit(store, browser, one, T0, () => ({ device: browser.owner }));
      }
      expect(
        JSON.parse(await readFile(path.join(one.directory, fileNameOf(sidOf(phone)!)), 'utf8')),
      ).toEqual({ expiresAt: T0 + DAY * 1000, owner: 'alice', data: { device: 'alice' } });
      expect(await store.peek!(laptop.request(one))).toMatchObject({ ownerSessions: 2 });
      expect(await store.peek!(bob.request(one))).toMatchObject({ ownerSessions: 1 });
      expect(await store.peek!(anonymous.request(one))).not.toHaveProperty('ownerSessions');

      expect(await store.revokeAll!(phone.request(one, T0 + 1000))).toBe(2);
      expect((await readdir(one.directory)).sort()).toEqual(
        [fileNameOf(sidOf(bob)!), fileNameOf(sidOf(anonymous)!)].sort(),
      );
      for (const browser of [phone, laptop]) {
        expect(await store.peek!(browser.request(one))).toBeNull();
        expect((await visit(store, browser, one)).status).toBe('new');
      }
      expect(await visit(store, bob, one)).toEqual({ status: 'ok', data: { device: 'bob' } });
      expect((await visit(store, anonymous, one)).status).toBe('ok');
      expect(await store.revokeAll!(phone.request(one))).toBe(0);
      // None of the revoked sessions is counted any more: a new one is the owner's only one.
      await visit(store, phone, one, T0, () => ({ again: true }));
      expect(await store.peek!(phone.request(one))).toMatchObject({ ownerSessions: 1 });
    });

    it('revokes nothing for a request without an owner', async () => {
      const alice = newBrowser('alice');
      await visit(store, alice, one, T0, () => ({ a: 1 }));
      await visit(store, newBrowser(), one, T0, () => ({ b: 1 }));
      expect(await store.revokeAll!(newBrowser().request(one))).toBe(0);
      expect(await store.revokeAll!(newBrowser().request(two))).toBe(0);
      expect(await readdir(one.directory)).toHaveLength(2);
      expect((await visit(store, alice, one)).status).toBe('ok');
      // A directory nothing was ever written to is not created by asking.
      expect(await store.revokeAll!(newBrowser('alice').request(two))).toBe(0);
      await expect(stat(two.directory)).rejects.toMatchObject({ code: 'ENOENT' });
    });

    it('finds the owner’s files after a restart, and keeps the owner when a request names none', async () => {
      const alice = newBrowser('alice');
      const other = newBrowser('alice');
      await visit(store, alice, one, T0, () => ({ n: 1 }));
      await visit(store, other, one, T0, () => ({ n: 1 }));
      await store.save({ ...alice.request(one), owner: null }, { n: 2 });
      const restarted = createFilesystemStore({ secure: true });
      expect(await restarted.revokeAll!(alice.request(one, T0 + 1000))).toBe(2);
      expect(await readdir(one.directory)).toEqual([]);
    });

    it('counts only live sessions, and cannot reach another instance’s disk', async () => {
      const short = createFilesystemStore({ secure: true, ttlSeconds: 60 });
      const [old, here, there] = [newBrowser('alice'), newBrowser('alice'), newBrowser('alice')];
      await visit(short, old, one, T0, () => ({ at: 'old' }));
      await visit(short, here, one, T0 + 30_000, () => ({ at: 1 }));
      await visit(short, there, two, T0 + 30_000, () => ({ at: 2 }));
      expect(await short.peek!(here.request(one, T0 + 61_000))).toMatchObject({
        ownerSessions: 1,
      });
      expect(await short.revokeAll!(here.request(one, T0 + 61_000))).toBe(1);
      expect(await readdir(one.directory)).toEqual([]);
      expect(await visit(short, there, two, T0 + 61_000)).toEqual({
        status: 'ok',
        data: { at: 2 },
      });
    });

    it('ignores owner ids over 128 characters', async () => {
      const long = newBrowser('o'.repeat(129));
      await visit(store, long, one, T0, () => ({ a: 1 }));
      const content = await readFile(path.join(one.directory, fileNameOf(sidOf(long)!)), 'utf8');
      expect(JSON.parse(content)).not.toHaveProperty('owner');
      expect(await store.peek!(long.request(one))).not.toHaveProperty('ownerSessions');
      expect(await store.revokeAll!(long.request(one))).toBe(0);
      expect((await visit(store, long, one)).status).toBe('ok');
    });
  });

  describe('fair share', () => {
    it('fills from one learner and address without filling the directory: both stay at their share, a newcomer still gets a session, and the evicted one says why', async () => {
      const shared = createFilesystemStore({
        secure: true,
        maxFiles: 40,
        maxSessionsPerOwner: 4,
        maxSessionsPerVisitor: 10,
      });
      // One learner, many devices, one address; then cookieless learners from the same address.
      const devices = Array.from({ length: 8 }, () => newBrowser('busy', '203.0.113.9'));
      for (const [index, device] of devices.entries()) {
        await visit(shared, device, one, T0 + index, () => ({ index }));
      }
      // (a) the learner keeps their share.
      expect(await shared.peek!(devices[7]!.request(one, T0 + 10))).toMatchObject({
        ownerSessions: 4,
      });
      const owned = await visit(shared, devices[0]!, one, T0 + 10);
      expect(owned.status).toBe('evicted');
      expect(owned.reason).toMatch(
        /you started another session while you already had 4 live sessions in the session directory of instance 1/,
      );
      const flood = Array.from({ length: 60 }, (_, index) =>
        newBrowser(`learner-${index}`, '203.0.113.9'),
      );
      for (const [index, browser] of flood.entries()) {
        await visit(shared, browser, one, T0 + 100 + index, () => ({ index }));
      }
      // (a) the address keeps its share, files on disk included.
      expect(await readdir(one.directory)).toHaveLength(10);
      // (b) a newcomer from elsewhere is saved as usual.
      const newcomer = newBrowser('newcomer', '192.0.2.44');
      await visit(shared, newcomer, one, T0 + 200, () => ({ hello: 'world' }));
      expect(await visit(shared, newcomer, one, T0 + 201)).toEqual({
        status: 'ok',
        data: { hello: 'world' },
      });
      // (c) the evicted sessions say what happened to them.
      const evicted = await visit(shared, flood[0]!, one, T0 + 201);
      expect(evicted.status).toBe('evicted');
      expect(evicted.reason).toMatch(
        /your network address started another session while it already had 10 live sessions/,
      );
      expect((await visit(shared, flood[59]!, one, T0 + 201)).status).toBe('ok');
    });

    it('records the learner and the hashed address in each file, so shares count sessions from before a restart', async () => {
      const browser = newBrowser('alice', '198.51.100.7');
      await visit(store, browser, one, T0, () => ({ n: 1 }));
      const file = JSON.parse(
        await readFile(path.join(one.directory, fileNameOf(sidOf(browser)!)), 'utf8'),
      ) as Record<string, unknown>;
      expect(file).toEqual({
        expiresAt: T0 + DAY * 1000,
        owner: 'alice',
        visitor: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
        data: { n: 1 },
      });
      expect(JSON.stringify(file)).not.toContain('198.51.100.7');

      const restarted = createFilesystemStore({ secure: true, maxSessionsPerVisitor: 1 });
      const sameAddress = newBrowser('bob', '198.51.100.7');
      await visit(restarted, sameAddress, one, T0 + 1, () => ({ n: 2 }));
      expect((await visit(restarted, browser, one, T0 + 2)).status).toBe('evicted');
      expect((await visit(restarted, sameAddress, one, T0 + 2)).status).toBe('ok');
    });

    it('does not call a file deleted behind its back (an instructor reset) evicted', async () => {
      const capped = createFilesystemStore({ secure: true, maxFiles: 1 });
      const [reset, next] = [newBrowser(), newBrowser()];
      await visit(capped, reset, one, T0, () => ({ a: 1 }));
      await rm(path.join(one.directory, fileNameOf(sidOf(reset)!)));
      await visit(capped, next, one, T0 + 1, () => ({ b: 1 }));
      expect((await visit(capped, reset, one, T0 + 2)).status).toBe('new');
      expect((await visit(capped, next, one, T0 + 2)).status).toBe('ok');
    });

    it('at the cap, evicts the oldest file of everyone, however many addresses fill it', async () => {
      const shared = createFilesystemStore({ secure: true, maxFiles: 20 });
      const visitors = Array.from({ length: 30 }, (_, index) =>
        newBrowser(`learner-${index}`, `192.0.2.${index}`),
      );
      for (const [index, browser] of visitors.entries()) {
        await visit(shared, browser, one, T0 + index, () => ({ index }));
      }
      expect(await readdir(one.directory)).toHaveLength(20);
      const statuses = [];
      for (const browser of visitors)
        statuses.push((await visit(shared, browser, one, T0 + 99)).status);
      expect(statuses).toEqual([...Array(10).fill('evicted'), ...Array(20).fill('ok')]);
    });
  });
});
