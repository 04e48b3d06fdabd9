/**
 * Security headers on every response the production server sends: pages, API responses, static
 * files and error pages alike. They are set on the Node response before the adapter handles the
 * request, so they also reach the files the adapter serves itself, where Astro's middleware never
 * runs; a header a route sets (Astro's own per-page CSP) replaces the default.
 *
 * The Content-Security-Policy comes from Astro (`security.csp` in astro.config.mjs), which hashes
 * every script and style it emits. Pages rendered on request get it from Astro directly;
 * prerendered pages get the one Astro made for them at build time, which astro.config.mjs saves
 * as `page-policies.json` next to the server entry; everything else (API JSON, scripts, styles,
 * the 404 page) gets the 404 page's, a page policy with no inline code allowed beyond Astro's own
 * hashes.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Prerendered pages' Content-Security-Policy by path, as astro.config.mjs saves them. */
export type PagePolicies = Readonly<Record<string, string>>;

/** The file astro.config.mjs writes beside the built server entry (same name there). */
export const pagePoliciesFile = 'page-policies.json';

/**
 * Reads the policies the build saved. Without them every prerendered page would get a policy
 * that blocks its own inline scripts, so a build that lacks the file cannot be served.
 */
export function readPagePolicies(file: URL): PagePolicies {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as PagePolicies;
  } catch (error) {
    throw new Error(
      `the build has no readable ${pagePoliciesFile} (${String(error)}); run "npm run build"`,
      { cause: error },
    );
  }
}

export const baselineHeaders: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'same-origin',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

/** Used only if the build wrote no policy at all: nothing inline, nothing from elsewhere. */
const fallbackPolicy =
  "default-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/** `pagePath`: the page actually served, when it is not the one the request asked for. */
export type HeaderSetter = (
  request: IncomingMessage,
  response: ServerResponse,
  pagePath?: string,
) => void;

export function securityHeaderSetter(pagePolicies: PagePolicies = {}): HeaderSetter {
  const policies = new Map<string, string>();
  for (const [pathname, policy] of Object.entries(pagePolicies)) {
    policies.set(normalizePath(pathname), policy);
  }
  const defaultPolicy = policies.get('/404') ?? policies.values().next().value ?? fallbackPolicy;
  return (request, response, pagePath) => {
    for (const [name, value] of Object.entries(baselineHeaders)) response.setHeader(name, value);
    const path = normalizePath(pagePath ?? (request.url ?? '/').split('?', 1)[0] ?? '/');
    response.setHeader('Content-Security-Policy', policies.get(path) ?? defaultPolicy);
  };
}

/** `/lessons/jwt/`, `/lessons/jwt/index.html` and `/lessons/jwt` are one page. */
function normalizePath(path: string): string {
  const trimmed = path.replace(/\/index\.html$/, '/').replace(/\/+$/, '');
  return trimmed === '' ? '/' : trimmed;
}
