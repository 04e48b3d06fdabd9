/**
 * For every store that protects its session (signature, encryption, or an unguessable id on the
 * server), a cookie value changed in one character must never read back as the original
 * session: the status is tampered, new or expired, never `ok`, and never a 5xx. Positions are
 * spread over the value deterministically, plus a bounded fast-check sample of (position, edit).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  serviceSkipReason,
  startMemcached,
  startRedis,
  type RunningRedis,
  type RunningService,
} from '../../scripts/services/index.ts';
import { cookieHeader, cookieValue, withCookieValue } from './support/cookies';
import { fuzzSeed } from './support/fuzz-run';
import { bodyText, json, send } from './support/http-client';
import { generousLimits, LiveSite } from './support/live-site';
import { demoRead, demoWrite, type DemoBody } from './support/site-requests';
import { bumpCharacter, spreadPositions } from './support/tamper';

// In CI a missing redis-server or memcached throws here, failing the file instead of skipping.
const servicesMissing = serviceSkipReason('redis') ?? serviceSkipReason('memcached');
if (servicesMissing) console.warn(servicesMissing);

const seed = fuzzSeed(7_331);
const localStores = ['signed-cookie', 'encrypted-cookie', 'jwt', 'memory', 'filesystem', 'sqlite'];
const serviceStores = servicesMissing ? [] : ['redis', 'memcached'];
const secret = 'original-secret-data';

let site: LiveSite;
let redis: RunningRedis | undefined;
let memcached: RunningService | undefined;

beforeAll(async () => {
  if (!servicesMissing) [redis, memcached] = await Promise.all([startRedis(), startMemcached()]);
  site = await LiveSite.start({
    ...generousLimits,
    ...(redis && memcached ? { REDIS_URL: redis.url, MEMCACHED_SERVERS: memcached.address } : {}),
  });
});

afterAll(async () => {
  await site?.stop();
  await Promise.all([redis?.stop(), memcached?.stop()]);
});

/** Sets a session; returns the browser's cookies and the name of the store's own cookie. */
async function sessionIn(store: string): Promise<{ cookies: string; name: string }> {
  const set = await send(
    site.port,
    demoWrite(store, { action: 'set', key: 'secret', value: secret }),
  );
  expect(set.status, bodyText(set)).toBe(200);
  const own = set.setCookies.find((line) => line.includes(`Path=/api/demo/${store}`));
  if (!own) throw new Error(`${store} set no cookie of its own: ${set.setCookies.join(' | ')}`);
  return { cookies: cookieHeader(set.setCookies), name: own.slice(0, own.indexOf('=')) };
}

/** What a GET with this Cookie header reads, as "status" or a problem description. */
async function readWith(store: string, cookies: string): Promise<DemoBody> {
  const response = await send(site.port, demoRead(store, cookies));
  if (response.status !== 200) {
    throw new Error(`GET answered ${response.status}: ${bodyText(response)}`);
  }
  return json<DemoBody>(response);
}

describe.each([...localStores, ...serviceStores])('%s', (store) => {
  it('never reads a one-character edit of its cookie as the original session', async () => {
    const { cookies, name } = await sessionIn(store);
    const original = cookieValue(cookies, name)!;
    const untouched = await readWith(store, cookies);
    expect(untouched.status).toBe('ok');
    expect(untouched.data).toEqual({ secret });

    const accepted: string[] = [];
    const check = async (position: number, step: number) => {
      const edited = bumpCharacter(original, position, step);
      const read = await readWith(store, withCookieValue(cookies, name, edited));
      if (!['tampered', 'new', 'expired'].includes(read.status)) {
        accepted.push(
          `position ${position} (${original[position]}→${edited[position]}): ${read.status}`,
        );
      }
    };
    for (const position of spreadPositions(original.length, 40)) await check(position, 1);
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: original.length - 1 }),
        fc.integer({ min: 1, max: 63 }),
        async (position, step) => check(position, step),
      ),
      { seed, numRuns: 40 },
    );
    expect(accepted, `${name}=${original}`).toEqual([]);
  });
});
