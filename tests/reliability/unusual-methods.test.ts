/**
 * TRACE, TRACK and CONNECT (the methods fetch refuses to send) to one route of every kind. A
 * single `curl -X TRACE` must not end the process for everyone: each must get an answer within
 * the contract, or for CONNECT, which a web site does not serve, at worst a closed connection.
 * A method stops at the first target that kills the server: one death says it all, and each
 * restart costs seconds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NoResponseError, send, type RawResponse } from './support/http-client';
import { generousLimits, LiveSite } from './support/live-site';
import { judge } from './support/oracle';
import { unusualMethods, type FuzzCase } from './support/fuzz-case';
import { siteRoutes, type Route } from './support/routes';

/** One target per kind of handler: rendered page, prerendered page, API, endpoint, file. */
const targets: [path: string, pattern: string | null][] = [
  ['/', '/'],
  ['/cheat-sheet/', '/cheat-sheet/'],
  ['/api/demo/jwt', '/api/demo/[store]'],
  ['/api/learner', '/api/learner'],
  ['/healthz', '/healthz'],
  ['/favicon.svg', null],
];

let site: LiveSite;
let routes: Route[];

beforeAll(async () => {
  site = await LiveSite.start(generousLimits);
  routes = siteRoutes();
});

afterAll(() => site?.stop());

describe('methods fetch cannot send', () => {
  it.each(unusualMethods)(
    '%s to a page, a prerendered page, the API, /healthz and a file keeps the server up',
    async (method) => {
      await site.ensureRunning();
      const problems: string[] = [];
      for (const [path, pattern] of targets) {
        const sent: FuzzCase = {
          method,
          path,
          route: routes.find((route) => route.pattern === pattern) ?? null,
          canonical: true,
          label: `${method} ${path}`,
        };
        let response: RawResponse | null = null;
        try {
          response = await send(site.port, sent);
        } catch (error) {
          if (!(error instanceof NoResponseError)) throw error;
        }
        const alive = await site.alive();
        for (const { rule, detail } of judge(sent, response, alive)) {
          problems.push(`${sent.label}: ${rule} ${detail}`);
        }
        if (!alive) {
          problems.push(`last output:\n${site.recordDeath(sent.label).exit}`);
          break;
        }
      }
      expect(problems).toEqual([]);
    },
  );
});
