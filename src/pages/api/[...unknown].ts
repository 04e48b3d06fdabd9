/**
 * Any `/api/` address no other route takes. The front door refuses most unknown API paths before
 * Astro runs; this catches what only Astro's own matching can tell apart (`%2e%2e` segments, a
 * trailing slash after `results.csv`), so an API client never gets the HTML 404 page.
 */
import type { APIRoute } from 'astro';
import { jsonError } from '../../server/platform/http';

export const prerender = false;

export const ALL: APIRoute = ({ url }) =>
  jsonError(404, `no API route at ${url.pathname.slice(0, 100)}`);
