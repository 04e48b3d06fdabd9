import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieJar } from '../../src/sessions/cookie-jar';
import { measureStores, median, sessionSizes, type Comparison } from '../../src/lab/compare';
import { CookieCarrier } from '../../src/lab/compare-browser';
import { ComparisonRuns } from '../../src/lab/compare-cache';
import { InstanceSimulator } from '../../src/lab/instances';
import { sizedSession } from '../../src/lab/sized-session';
import { Timer } from '../../src/sessions/timer';
import {
  createStoreRegistry,
  readStoreSettings,
  type StoreRegistry,
} from '../../src/sessions/registry';
import { memoryStoreStats } from '../../src/sessions/stores/memory/store';
import { createRedisStore } from '../../src/sessions/stores/redis/store';
import type { Instance } from '../../src/sessions/types';
import { openDatabase, type Database } from '../../src/server/platform/database';

const cookieStores = ['plain-cookie', 'signed-cookie', 'encrypted-cookie', 'jwt'];
const embeddedServerStores = ['memory', 'filesystem', 'sqlite'];

let dataDir: string;
let db: Database;
let stores: StoreRegistry;
let instance: Instance;
let comparison: Comparison;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'session-lab-compare-'));
  db = openDatabase(':memory:');
  stores = createStoreRegistry(
    { secrets: ['compare-test-secret-0123456789abcdefghij'], secureCookies: false, dataDir, db },
    readStoreSettings({}),
  );
  instance = new InstanceSimulator(dataDir).resolve('fresh');
  comparison = await measureStores({
    stores,
    instance,
  });
});

afterAll(async () => {
  db.close();
  await rm(dataDir, { recursive: true, force: true });
});

function row(id: string) {
  const found = comparison.rows.find((candidate) => candidate.id === id);
  if (!found) throw new Error(`no row for ${id}`);
  return found;
}

function measured(id: string, size: 'small' | 'large') {
  const value = row(id).sizes?.[size];
  if (value?.outcome !== 'measured') throw new Error(`${id} ${size} was not measured`);
  return value;
}

async function sessionFiles(): Promise<string[]> {
  const root = path.join(dataDir, 'instances');
  const found: string[] = [];
  for (const directory of await readdir(root).catch(() => [])) {
    found.push(...(await readdir(path.join(root, directory))));
  }
  return found;
}

describe('the store comparison', () => {
  it('has a row for every store, in registry order, and says which are not configured', () => {
    expect(comparison.rows.map((candidate) => candidate.id)).toEqual([...stores.keys()]);
    for (const id of [...cookieStores, ...embeddedServerStores]) {
      expect(row(id).status, id).toBe('measured');
    }
    for (const id of ['redis', 'memcached']) {
      expect(row(id)).toMatchObject({ status: 'not-configured', sizes: null });
      expect(row(id).message).toMatch(/is not configured/);
    }
    expect(comparison.rounds).toBe(30);
  });

  it('counts a 3 KB session in full on the wire for cookie stores, or refuses it as too big', () => {
    for (const id of cookieStores) {
      const large = row(id).sizes!.large;
      if (large.outcome === 'measured') {
        expect(large.cookieHeaderBytes, id).toBeGreaterThan(3000);
        expect(large.setCookieBytes, id).toBeGreaterThan(3000);
      } else {
        expect(large.cookieBytes, id).toBeGreaterThan(4096);
        expect(large.message, id).toMatch(/4096/);
      }
      expect(measured(id, 'small').cookieHeaderBytes, id).toBeGreaterThan(sessionSizes.small);
    }
    // Plain JSON and zlib-compressed random text both still fit.
    expect(row('plain-cookie').sizes!.large.outcome).toBe('measured');
    expect(row('signed-cookie').sizes!.large.outcome).toBe('measured');
  });

  it('sends only a small id for server stores, whatever the session size', () => {
    for (const id of embeddedServerStores) {
      const small = measured(id, 'small');
      const large = measured(id, 'large');
      expect(small.cookieHeaderBytes, id).toBeGreaterThan(0);
      expect(small.cookieHeaderBytes, id).toBeLessThan(200);
      expect(large.cookieHeaderBytes, id).toBe(small.cookieHeaderBytes);
      expect(large.setCookieBytes, id).toBeLessThan(200);
      expect(large.firstSetCookieBytes, id).toBeGreaterThan(0);
    }
  });

  it('times every load and save', () => {
    for (const candidate of comparison.rows) {
      for (const size of Object.values(candidate.sizes ?? {})) {
        if (size.outcome !== 'measured') continue;
        expect(size.loadMs).toBeGreaterThan(0);
        expect(size.saveMs).toBeGreaterThan(0);
        expect(size.loadMs).toBeLessThan(1000);
      }
    }
  });

  it('leaves nothing behind: no session files, rows or memory entries', async () => {
    expect(await sessionFiles()).toEqual([]);
    expect(db.prepare('SELECT count(*) FROM demo_session').pluck().get()).toBe(0);
    expect(memoryStoreStats(instance.memory).entries).toBe(0);
  });

  it('reports a configured store that does not answer as unreachable', async () => {
    const redis = createRedisStore({
      url: 'redis://127.0.0.1:9',
      secure: false,
      connectTimeoutMs: 200,
      commandTimeoutMs: 200,
      log: () => {},
    });
    try {
      const result = await measureStores({
        stores: new Map([['redis', redis]]) as StoreRegistry,
        instance,
        rounds: 2,
      });
      expect(result.rows[0]).toMatchObject({ id: 'redis', status: 'unreachable', sizes: null });
      expect(result.rows[0]!.message).toBeTruthy();
    } finally {
      await redis.close?.();
    }
  });
});

describe('the shared comparison', () => {
  function runsOf(minIntervalMs: number) {
    const plainCookie = new Map([['plain-cookie', stores.get('plain-cookie')!]]) as StoreRegistry;
    let runs = 0;
    const shared = new ComparisonRuns({
      measure: () => {
        runs++;
        return measureStores({ stores: plainCookie, instance, rounds: 2 });
      },
      minIntervalMs,
      maxAgeMs: 30_000,
    });
    return { shared, runs: () => runs };
  }

  it('keeps a measurement for page views and measures again once it is old', async () => {
    const { shared, runs } = runsOf(0);
    const first = await shared.latest(1_000);
    expect(await shared.latest(20_000)).toBe(first);
    const stale = await shared.latest(40_000);
    expect(stale).not.toBe(first);
    expect(runs()).toBe(2);
    expect(stale.rows.map((candidate) => candidate.id)).toEqual(['plain-cookie']);
  });

  it('runs at most once per interval for everyone, showing the last run in between', async () => {
    const { shared, runs } = runsOf(60_000);
    const first = await shared.latest(1_000);
    const tooSoon = await shared.remeasure(30_000);
    expect(tooSoon).toEqual({ measured: false, comparison: first, nextRunAt: 61_000 });
    expect(await shared.remeasure(60_999)).toMatchObject({ measured: false });
    expect(runs()).toBe(1);
    const again = await shared.remeasure(61_000);
    expect(again.measured).toBe(true);
    expect(again.comparison).not.toBe(first);
    expect(runs()).toBe(2);
    expect(shared.nextRunAt()).toBe(121_000);
  });

  it('shares a run that is going with every request that arrives meanwhile', async () => {
    const { shared, runs } = runsOf(0);
    const requests = await Promise.all([
      shared.remeasure(1_000),
      shared.remeasure(1_001),
      shared.latest(1_002),
    ]);
    expect(runs()).toBe(1);
    expect(requests[1]).toEqual(requests[0]);
    expect(requests[2]).toBe(requests[0]!.comparison);
  });
});

describe('the comparison’s browser and sessions', () => {
  it('pads a session to the exact size with text no cookie needs to escape', () => {
    for (const bytes of [sessionSizes.small, sessionSizes.large]) {
      const json = JSON.stringify(sizedSession(bytes));
      expect(Buffer.byteLength(json)).toBe(bytes);
      expect(String(sizedSession(bytes).notes)).toMatch(/^[A-Za-z0-9_-]+$/);
    }
  });

  it('carries cookies forward, drops expired ones and ones over 4096 bytes', () => {
    const browser = new CookieCarrier();
    const ctx = browser.request({ id: 't', memory: new Map(), directory: dataDir });
    ctx.cookies.set('small', 'abc', { path: '/api/demo/x' });
    ctx.cookies.set('huge', 'x'.repeat(4096), { path: '/api/demo/x' });
    expect(browser.receive(ctx)).toBeGreaterThan(4096);
    expect(browser.cookieHeader()).toBe('small=abc');

    const next = browser.request({ id: 't', memory: new Map(), directory: dataDir });
    expect(next.cookies).toBeInstanceOf(CookieJar);
    expect(next.timer).toBeInstanceOf(Timer);
    expect(next.cookies.get('small')).toBe('abc');
    // Measurements belong to no learner, so no one's "log out everywhere" can reach them.
    expect(next.owner).toBeNull();
    next.cookies.delete('small', { path: '/api/demo/x' });
    browser.receive(next);
    expect(browser.cookieHeader()).toBe('');
  });

  it('takes the middle of the samples', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBe(0);
  });
});
