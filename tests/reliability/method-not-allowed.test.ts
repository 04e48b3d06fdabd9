/**
 * Every API route asked with a method it does not export answers 405 as JSON with `Allow`
 * listing what it does take (not the HTML 404 page); every page that refuses a method says so
 * with a page a person can read and the right status text.
 */
import { STATUS_CODES } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyText, header, send } from './support/http-client';
import { generousLimits, LiveSite } from './support/live-site';
import { jsonError } from './support/oracle';
import { commonMethods } from './support/fuzz-case';
import { allowedMethods, fillPattern, siteRoutes } from './support/routes';

const routes = siteRoutes();
const sample = { store: 'jwt', quiz: 'jwt', id: 'nope', slug: 'jwt', attempt: '1', code: 'AAAAAA' };
// The rest route `api/[...unknown].ts` answers every method with a JSON 404: no methods to refuse.
const apiRoutes = routes.filter((route) => route.kind === 'api' && !route.file.includes('[...'));
const pageRoutes = routes.filter((route) => route.kind === 'page');

let site: LiveSite;

beforeAll(async () => {
  site = await LiveSite.start(generousLimits);
});

afterAll(() => site?.stop());

describe('API routes', () => {
  it.each(apiRoutes.map((route) => [route.pattern, route] as const))(
    '%s answers unsupported methods with JSON 405 and Allow',
    async (_pattern, route) => {
      const allowed = allowedMethods(route)!;
      const problems: string[] = [];
      for (const method of commonMethods.filter((method) => !allowed.includes(method))) {
        const response = await send(site.port, {
          method,
          path: fillPattern(route.pattern, sample),
          headers: { Accept: 'application/json' },
        });
        const allow = header(response, 'allow') ?? '';
        const type = header(response, 'content-type') ?? '';
        if (method === 'OPTIONS' && response.status < 300 && allow) continue;
        if (response.status !== 405) problems.push(`${method} → ${response.status} ${type}`);
        // A HEAD answer has no body by definition; its Content-Type still says what GET sends.
        else if (
          !type.startsWith('application/json') ||
          (method !== 'HEAD' && jsonError(response) === null)
        ) {
          problems.push(`${method} → 405 without a JSON { error }: ${bodyText(response)}`);
        } else if (!allowed.every((name) => allow.includes(name))) {
          problems.push(`${method} → 405 with Allow "${allow}", expected ${allowed.join(', ')}`);
        }
      }
      expect(problems).toEqual([]);
    },
  );
});

describe('pages', () => {
  it.each(pageRoutes.map((route) => [route.pattern] as const))(
    '%s answers any method it refuses with an HTML page and the right status text',
    async (pattern) => {
      const problems: string[] = [];
      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
        const response = await send(site.port, {
          method,
          path: fillPattern(pattern, sample),
          headers: { Accept: 'text/html' },
        });
        const expected = STATUS_CODES[response.status];
        if (response.statusMessage !== expected) {
          problems.push(`${method} → ${response.status} "${response.statusMessage}"`);
        }
        if (response.status >= 400 && response.status < 500) {
          if (
            !/^text\/html/.test(header(response, 'content-type') ?? '') ||
            response.body.length === 0
          ) {
            problems.push(`${method} → ${response.status} without an HTML body`);
          }
          if (response.status === 405 && !header(response, 'allow')) {
            problems.push(`${method} → 405 without Allow`);
          }
        }
      }
      expect(problems).toEqual([]);
    },
  );
});
