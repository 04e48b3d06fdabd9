/**
 * `npm run soak` (not part of `npm test`): the reliability suite's checks at length. For
 * SOAK_SECONDS (default 180) it sends generated requests to every route and a flood of new
 * sessions without cookies, many on `?instance=` aliases, from SOAK_CLIENTS parallel clients
 * (default 6); then stops and restarts Redis and Memcached under load, then kills the server
 * with SIGKILL during writes. It prints one table: requests, answers by status, 5xx other than
 * the documented 503s, server deaths, memory before and after, recovery time, lost writes.
 *
 * The code it runs is the suite's own (tests/reliability/support): the soak is the same checks
 * with bigger numbers, so the two cannot drift apart. RELIABILITY_SEED replays a run.
 */
import { test } from 'vitest';
import { storeIds } from '../src/sessions/catalog';
import {
  serviceSkipReason,
  startMemcached,
  startRedis,
  type RunningRedis,
  type RunningService,
} from '../scripts/services/index.ts';
import { DeathWatch, fuzzSeed, runFuzz } from '../tests/reliability/support/fuzz-run';
import { killDuringWrites, type KillReport } from '../tests/reliability/support/kill-scenario';
import { generousLimits, LiveSite } from '../tests/reliability/support/live-site';
import { serviceOutage, type OutageReport } from '../tests/reliability/support/outage-scenario';
import { fuzzCase } from '../tests/reliability/support/fuzz-case';
import { sessionFlood } from '../tests/reliability/support/session-flood';
import { paramValues, staticAssets } from '../tests/reliability/support/route-params';
import { siteRoutes } from '../tests/reliability/support/routes';
import { residentKiB } from '../tests/reliability/support/rss';
import { instructorToken, prepareFixtures } from '../tests/reliability/support/site-fixtures';
import { Tally } from '../tests/reliability/support/tally';
import { soakTable } from './lib/soak-table';

const seconds = positiveNumber('SOAK_SECONDS', 180);
const clients = positiveNumber('SOAK_CLIENTS', 6);
const seed = fuzzSeed(Date.now() % 1_000_000);

function positiveNumber(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
}

test(`soak for ${seconds} s`, { timeout: (seconds + 180) * 1000 }, async () => {
  // In CI a missing redis-server or memcached throws here; locally the outage part is skipped.
  const missing = serviceSkipReason('redis') ?? serviceSkipReason('memcached');
  let redis: RunningRedis | undefined;
  let memcached: RunningService | undefined;
  if (missing) console.warn(missing);
  else [redis, memcached] = await Promise.all([startRedis(), startMemcached()]);
  let site: LiveSite | undefined;
  try {
    site = await LiveSite.start({
      ...generousLimits,
      INSTRUCTOR_TOKEN: instructorToken,
      ...(redis && memcached ? { REDIS_URL: redis.url, MEMCACHED_SERVERS: memcached.address } : {}),
    });
    const fixtures = await prepareFixtures(site);
    const routes = siteRoutes();
    const demoRoute = routes.find((route) => route.pattern === '/api/demo/[store]')!;
    const rssBefore = await residentKiB(site.pid);
    const loadMs = seconds * 700;
    console.log(`soak: ${seconds} s, ${clients} flood clients, seed ${seed}`);

    const deathWatch = new DeathWatch();
    const [fuzz, flood] = await Promise.all([
      runFuzz(
        site,
        fuzzCase({
          routes,
          paramValues: paramValues(fixtures),
          staticAssets: staticAssets(),
          cookies: [fixtures.learnerCookie, fixtures.instructorCookie, 'session=garbage'],
        }),
        {
          seed,
          runs: 10_000_000,
          timeLimitMs: loadMs,
          probeEveryRequest: true,
          maxDeaths: 10,
          deathWatch,
        },
      ),
      runFuzz(site, sessionFlood(demoRoute, storeIds), {
        seed: seed + 1,
        runs: 10_000_000,
        streams: clients,
        timeLimitMs: loadMs,
        maxDeaths: 10,
        deathWatch,
      }),
    ]);
    await site.ensureRunning();
    const rssAfter = await residentKiB(site.pid);
    const restartsDuringLoad = site.generation;

    let outage: OutageReport | null = null;
    if (redis && memcached) {
      outage = await serviceOutage(site, {
        services: [redis, memcached],
        clients: 4,
        upMs: seconds * 100,
        downMs: seconds * 100,
        maxRetries: 100,
      });
    }
    const kill: KillReport = await killDuringWrites(site, {
      stores: ['sqlite', 'filesystem'],
      sessionsPerStore: 3,
      learners: 2,
      killAfterMs: Math.min(5_000, seconds * 100),
      quizId: 'jwt',
    });

    console.log(
      soakTable({
        seconds,
        seed,
        tallies: { 'route fuzz': fuzz, 'session flood': flood },
        deaths: site.deaths,
        rssBefore,
        rssAfter,
        restartsDuringLoad,
        outage,
        kill,
      }),
    );
    const broken = Tally.merge([fuzz, flood]);
    const problems = [
      broken.violations.size > 0 ? broken.report() : '',
      ...(outage?.violations ?? []),
      ...kill.lost,
    ].filter(Boolean);
    if (problems.length > 0) {
      throw new Error(
        `the soak found problems (replay: RELIABILITY_SEED=${seed}):\n${problems.join('\n')}`,
      );
    }
  } finally {
    await site?.stop();
    await Promise.all([redis?.stop(), memcached?.stop()]);
  }
});
