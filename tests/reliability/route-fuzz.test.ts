/**
 * Generated requests to every route (src/pages), every static file and paths next to them, with
 * every method, odd queries, headers and bodies up to 200 KiB. Whatever is asked, the server
 * stays up and answers within its documented contract (support/oracle.ts): no 5xx but the
 * Redis/Memcached 503s, JSON errors with `Allow` and `Retry-After` on the API, HTML error pages,
 * status text that matches the code, and no simulated instance behind an alias of 1–4.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuzzSeed, runFuzz } from './support/fuzz-run';
import { generousLimits, LiveSite } from './support/live-site';
import { fuzzCase, type FuzzInputs } from './support/fuzz-case';
import { paramValues, staticAssets } from './support/route-params';
import { siteRoutes } from './support/routes';
import { instructorToken, prepareFixtures } from './support/site-fixtures';

const seed = fuzzSeed(20_261_207);
const runs = 300;

let site: LiveSite;
let inputs: FuzzInputs;

beforeAll(async () => {
  // No REDIS_URL or MEMCACHED_SERVERS: their demos must answer the documented 503.
  site = await LiveSite.start({ ...generousLimits, INSTRUCTOR_TOKEN: instructorToken });
  const fixtures = await prepareFixtures(site);
  inputs = {
    routes: siteRoutes(),
    paramValues: paramValues(fixtures),
    staticAssets: staticAssets(),
    cookies: [
      fixtures.learnerCookie,
      fixtures.instructorCookie,
      `${fixtures.learnerCookie}; ${fixtures.instructorCookie}`,
      'session=garbage; memory_sid=..%2F..; sqlite_session=a.b; jwt=e30.e30.',
      `big=${'b'.repeat(6000)}`,
    ],
  };
});

afterAll(() => site?.stop());

describe('route table', () => {
  it('has every file under src/pages, with values for every parameter', () => {
    const values = Object.keys(paramValues({ classId: 'c', joinCode: 'J', attemptId: '1' }));
    for (const route of inputs.routes) {
      expect(values, `${route.file} has a parameter without fuzz values`).toEqual(
        expect.arrayContaining(route.params),
      );
      if (route.kind !== 'page') expect(route.methods, route.file).not.toHaveLength(0);
    }
    expect(inputs.routes.map((route) => route.pattern)).toEqual(
      expect.arrayContaining(['/', '/api/demo/[store]', '/api/quiz/[quiz]', '/healthz']),
    );
  });
});

describe('route fuzz', () => {
  it(`answers ${runs} generated requests within the contract (seed ${seed})`, async () => {
    const tally = await runFuzz(site, fuzzCase(inputs), {
      seed,
      runs,
      timeLimitMs: 30_000,
      probeEveryRequest: true,
    });
    console.log(`route fuzz, seed ${seed}: ${tally.requests} requests, ${tally.statusLine()}`);
    expect(tally.requests).toBeGreaterThan(runs / 2);
    if (tally.violations.size > 0) {
      throw new Error(
        `route fuzz broke ${tally.violations.size} rules (replay: RELIABILITY_SEED=${seed})\n` +
          tally.report(),
      );
    }
  });
});
