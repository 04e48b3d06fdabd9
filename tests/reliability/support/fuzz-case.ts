/**
 * fast-check generator for requests to the site: every route and static file, every method
 * (TRACE, TRACK and CONNECT too), odd paths, odd queries (`?instance=` aliases among them),
 * content types, Accept headers, cookies, and bodies (fuzz-bodies.ts) with or without
 * Content-Length. The suite sends a few hundred; the soak sends them for minutes.
 */
import fc from 'fast-check';
import { fuzzBody, renderBody } from './fuzz-bodies';
import type { RawRequest } from './http-client';
import { instanceAlias } from './instance-alias';
import { fillPattern, type Route } from './routes';

/** A generated request and what the oracle needs to judge the answer. */
export interface FuzzCase extends RawRequest {
  route: Route | null;
  /** The path is the route's own (perhaps without its trailing slash), so route rules apply. */
  canonical: boolean;
  /** A short description for failure messages (bodies summarized, not printed). */
  label: string;
}

export interface FuzzInputs {
  routes: Route[];
  paramValues: Record<string, string[]>;
  staticAssets: string[];
  /** Cookie headers worth sending: a learner's, an instructor's, garbage. */
  cookies: string[];
}

export const commonMethods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
/** Methods fetch refuses to send; Node's HTTP parser knows TRACE and CONNECT but not TRACK. */
export const unusualMethods = ['TRACE', 'TRACK', 'CONNECT'];

const method = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom(...commonMethods) },
  { weight: 1, arbitrary: fc.constantFrom(...unusualMethods) },
);

const query = fc.oneof(
  { weight: 4, arbitrary: fc.constant('') },
  { weight: 3, arbitrary: instanceAlias.map((value) => `?instance=${encodeURIComponent(value)}`) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '?result=garbage',
      '?result=' + 'z'.repeat(2000),
      '?deleted=everything',
      '?signed-out',
      '?instance=1&instance=99',
      '?%zz=%zz',
      '?a=' + 'b'.repeat(6000),
    ),
  },
  { weight: 1, arbitrary: fc.webQueryParameters().map((text) => (text ? `?${text}` : '')) },
);

type PathShape =
  'as-is' | 'toggle-slash' | 'double-slash' | 'extra-segment' | 'dot-segment' | 'upper';

const pathShape = fc.oneof(
  { weight: 6, arbitrary: fc.constant<PathShape>('as-is') },
  {
    weight: 3,
    arbitrary: fc.constantFrom<PathShape>(
      'toggle-slash',
      'double-slash',
      'extra-segment',
      'dot-segment',
      'upper',
    ),
  },
);

function shapePath(path: string, shape: PathShape): string {
  switch (shape) {
    case 'as-is':
      return path;
    case 'toggle-slash':
      return path.endsWith('/') && path.length > 1 ? path.slice(0, -1) : `${path}/`;
    case 'double-slash':
      return path.replace(/\//g, '//');
    case 'extra-segment':
      return `${path.replace(/\/$/, '')}/%2e%2e/x%00y/`;
    case 'dot-segment':
      return `/./${path.slice(1)}`;
    case 'upper':
      return path.toUpperCase();
  }
}

const contentType = fc.constantFrom(
  undefined,
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'application/x-www-form-urlencoded',
  'text/plain',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  '',
);

const accept = fc.constantFrom(
  undefined,
  'application/json',
  'text/html',
  'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  '*/*',
  'image/png',
);

const origin = fc.constantFrom(undefined, undefined, 'https://evil.example', 'null');

/** A request to one of the site's routes or static files. */
export function fuzzCase(inputs: FuzzInputs): fc.Arbitrary<FuzzCase> {
  const routeTarget = fc.constantFrom(...inputs.routes).chain((route) =>
    fc
      .record(
        Object.fromEntries(
          route.params.map((name) => [
            name,
            fc.constantFrom(...(inputs.paramValues[name] ?? [name])),
          ]),
        ),
      )
      .map((values) => ({
        route: route as Route | null,
        path: fillPattern(route.pattern, values),
      })),
  );
  const assetTarget = fc
    .constantFrom(...inputs.staticAssets, '/favicon.svg', '/_astro/missing.js', '/nope/')
    .map((path) => ({ route: null as Route | null, path }));
  return fc
    .record({
      target: fc.oneof(
        { weight: 5, arbitrary: routeTarget },
        { weight: 1, arbitrary: assetTarget },
      ),
      shape: pathShape,
      query,
      method,
      contentType,
      accept,
      origin,
      cookie: fc.option(fc.constantFrom(...inputs.cookies), { nil: undefined }),
      body: fuzzBody,
      chunked: fc.boolean(),
    })
    .map((c) => {
      const headers: Record<string, string> = {};
      if (c.contentType !== undefined) headers['Content-Type'] = c.contentType;
      if (c.accept !== undefined) headers.Accept = c.accept;
      if (c.origin !== undefined) headers.Origin = c.origin;
      if (c.cookie !== undefined) headers.Cookie = c.cookie;
      const { body: bytes, summary } = renderBody(c.body);
      const path = shapePath(c.target.path, c.shape) + c.query;
      const chunked = bytes !== undefined && c.chunked;
      const sent = Object.entries(headers)
        .map(([name, value]) => `${name}: ${value.slice(0, 60)}`)
        .join('; ');
      return {
        route: c.target.route,
        canonical: c.shape === 'as-is' || c.shape === 'toggle-slash',
        method: c.method,
        path,
        headers,
        body: bytes,
        chunked,
        label: `${c.method} ${path.slice(0, 160)} [${sent}] ${summary}${chunked ? ' chunked' : ''}`,
      };
    });
}
