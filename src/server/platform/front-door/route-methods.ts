/**
 * Which methods each route answers, known before the request reaches Astro. The front door uses it
 * to refuse a method with 405 and an accurate `Allow` (RFC 9110 requires one), and to answer an
 * unknown `/api/` path with JSON. tests/unit/route-methods.test.ts checks it against the method
 * exports of src/pages, so a route added there without a line here fails the tests.
 */
export type RouteKind = 'api' | 'page';

export interface RouteMethods {
  /** Path pattern with `:name` for one segment, as the page file's `[name]`. */
  pattern: string;
  methods: readonly string[];
}

/** Routes that take more than GET and HEAD, or that are API routes. */
export const routeMethods: readonly RouteMethods[] = [
  { pattern: '/api/demo/:store', methods: ['GET', 'HEAD', 'POST', 'DELETE'] },
  { pattern: '/api/demo/:store/predictions/:checkpoint', methods: ['GET', 'HEAD', 'POST'] },
  { pattern: '/api/learner', methods: ['GET', 'HEAD', 'POST', 'DELETE'] },
  { pattern: '/api/progress', methods: ['GET', 'HEAD', 'POST'] },
  { pattern: '/api/quiz/:quiz', methods: ['POST'] },
  { pattern: '/api/scenario/:id', methods: ['POST'] },
  { pattern: '/api/instructor/reset', methods: ['POST'] },
  { pattern: '/api/instructor/classes/:id/figures', methods: ['GET', 'HEAD'] },
  { pattern: '/api/instructor/classes/:id/results.csv', methods: ['GET', 'HEAD'] },
  { pattern: '/healthz', methods: ['GET', 'HEAD'] },
  { pattern: '/readyz', methods: ['GET', 'HEAD'] },
  { pattern: '/compare/', methods: ['GET', 'HEAD', 'POST'] },
  { pattern: '/join/:code/', methods: ['GET', 'HEAD', 'POST'] },
  { pattern: '/instructor/', methods: ['GET', 'HEAD', 'POST'] },
  // GET only redirects to the sign-in form on /instructor/.
  { pattern: '/instructor/sign-in/', methods: ['GET', 'HEAD', 'POST'] },
  { pattern: '/instructor/sign-out/', methods: ['POST'] },
  { pattern: '/instructor/reset/', methods: ['GET', 'HEAD', 'POST'] },
  { pattern: '/instructor/classes/:id/', methods: ['GET', 'HEAD', 'POST'] },
];

/** Every other page and file: read-only. */
export const readOnlyMethods: readonly string[] = ['GET', 'HEAD'];

export function routeKind(pathname: string): RouteKind {
  return pathname === '/api' || pathname.startsWith('/api/') ? 'api' : 'page';
}

const compiled = routeMethods.map((route) => ({
  regex: patternToRegex(route.pattern),
  methods: route.methods,
}));

/** Methods the path answers, OPTIONS included; null for an unknown API path. */
export function allowedMethods(pathname: string): readonly string[] | null {
  const route = compiled.find(({ regex }) => regex.test(pathname));
  if (route) return [...route.methods, 'OPTIONS'];
  // Pages are matched with or without their trailing slash; Astro redirects between the two.
  const slashed = pathname.endsWith('/') ? pathname.slice(0, -1) : `${pathname}/`;
  const alternate = compiled.find(({ regex }) => regex.test(slashed));
  if (alternate) return [...alternate.methods, 'OPTIONS'];
  if (routeKind(pathname) === 'api') return null;
  return [...readOnlyMethods, 'OPTIONS'];
}

function patternToRegex(pattern: string): RegExp {
  const source = pattern
    .split('/')
    .map((segment) =>
      segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('/');
  return new RegExp(`^${source}$`);
}
