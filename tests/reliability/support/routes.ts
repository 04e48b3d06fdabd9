/**
 * Every route the site has, read from src/pages, so a page or endpoint added later is fuzzed
 * without anyone remembering to list it. Endpoints (.ts) list the methods they export; pages
 * (.astro) answer whatever method Astro lets through.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export type RouteKind = 'api' | 'endpoint' | 'page';

export interface Route {
  /** The source file, relative to src/pages. */
  file: string;
  kind: RouteKind;
  /** The URL pattern with `[param]` segments, e.g. `/api/demo/[store]`. */
  pattern: string;
  params: string[];
  /** Methods an endpoint exports; `null` for pages. */
  methods: string[] | null;
}

const pagesDir = path.resolve('src/pages');
const exportedMethod =
  /export\s+(?:const|(?:async\s+)?function)\s+(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS|ALL)\b/g;

export function siteRoutes(): Route[] {
  return readdirSync(pagesDir, { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.(astro|ts|md|mdx)$/.test(file))
    .sort()
    .map((file) => toRoute(file.split(path.sep).join('/')));
}

function toRoute(file: string): Route {
  const withoutExtension = file.replace(/\.(astro|ts|md|mdx)$/, '');
  const segments = withoutExtension.split('/').filter((segment) => segment !== 'index');
  const isEndpoint = file.endsWith('.ts');
  // Pages are addressed with a trailing slash, as the site links them; endpoints without.
  const pattern = `/${segments.join('/')}${!isEndpoint && segments.length > 0 ? '/' : ''}`;
  const source = readFileSync(path.join(pagesDir, file), 'utf8');
  return {
    file,
    kind: isEndpoint ? (pattern.startsWith('/api/') ? 'api' : 'endpoint') : 'page',
    pattern,
    params: [...pattern.matchAll(/\[(\w+)\]/g)].map((match) => match[1]!),
    methods: isEndpoint ? [...source.matchAll(exportedMethod)].map((match) => match[1]!) : null,
  };
}

/** Methods an endpoint answers: what it exports, plus HEAD wherever GET is. */
export function allowedMethods(route: Route): string[] | null {
  if (!route.methods) return null;
  const methods = new Set(route.methods);
  if (methods.has('GET')) methods.add('HEAD');
  return [...methods];
}

/** Fills a pattern's parameters; values are inserted as given (already URL-safe). */
export function fillPattern(pattern: string, values: Record<string, string>): string {
  return pattern.replace(/\[(\w+)\]/g, (_, name: string) => values[name] ?? name);
}
