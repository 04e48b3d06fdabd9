/**
 * The front door's route table against the routes themselves: every file under src/pages/api
 * (and every .ts route) answers exactly the methods the table lists, and every page that reads a
 * posted form is listed with POST. A route added without its line fails here, not in production.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { allowedMethods, routeMethods } from '../../src/server/platform/front-door/route-methods';

const pagesDir = path.resolve('src/pages');
const httpMethods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'ALL'];

function routeFiles(): string[] {
  return readdirSync(pagesDir, { recursive: true, encoding: 'utf8' }).filter((file) =>
    /\.(ts|astro)$/.test(file),
  );
}

/** `api/demo/[store].ts` → `/api/demo/x`; `join/[code].astro` → `/join/x/`. */
function samplePath(file: string): string {
  const route = file
    .replace(/\\/g, '/')
    .replace(/\.(ts|astro)$/, '')
    .replace(/(^|\/)index$/, '')
    .replace(/\[[^\]]+\]/g, 'x');
  const base = `/${route}`.replace(/\/$/, '') || '/';
  return file.endsWith('.astro') && base !== '/' ? `${base}/` : base;
}

function exportedMethods(source: string): string[] {
  return httpMethods.filter((method) =>
    new RegExp(`export (const|async function|function) ${method}\\b`).test(source),
  );
}

describe('the front door route table', () => {
  // A rest route (`[...unknown].ts`) is the API's catch-all 404, not a route with methods.
  for (const file of routeFiles().filter(
    (name) => name.endsWith('.ts') && !name.includes('[...'),
  )) {
    it(`lists exactly the methods ${file} exports`, () => {
      const exported = exportedMethods(readFileSync(path.join(pagesDir, file), 'utf8'));
      const allowed = allowedMethods(samplePath(file));
      expect(allowed, `${samplePath(file)} is missing from routeMethods`).not.toBeNull();
      const expected = new Set([...exported, 'OPTIONS']);
      if (exported.includes('GET')) expected.add('HEAD');
      expect(new Set(allowed)).toEqual(expected);
    });
  }

  for (const file of routeFiles().filter((name) => name.endsWith('.astro'))) {
    const source = readFileSync(path.join(pagesDir, file), 'utf8');
    if (!/request\.method (===|!==) 'POST'|\['GET', 'HEAD', 'POST'\]/.test(source)) continue;
    it(`lets forms post to ${file}`, () => {
      expect(allowedMethods(samplePath(file))).toContain('POST');
    });
  }

  it('has no line for a route that does not exist', () => {
    const unslashed = (route: string) => route.replace(/(.)\/$/, '$1');
    const known = new Set(routeFiles().map((file) => unslashed(samplePath(file))));
    for (const { pattern } of routeMethods) {
      const sample = unslashed(pattern.replace(/:[^/]+/g, 'x'));
      expect(known, `${pattern} has no file under src/pages`).toContain(sample);
    }
  });

  it('refuses an unknown API path and keeps other pages read-only', () => {
    expect(allowedMethods('/api/nothing-here')).toBeNull();
    expect(allowedMethods('/lessons/jwt/')).toEqual(['GET', 'HEAD', 'OPTIONS']);
    expect(allowedMethods('/compare')).toContain('POST');
  });
});
