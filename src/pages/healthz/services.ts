/**
 * The demo stores' services (Redis, Memcached, PostgreSQL …): each one's state, for an instructor
 * checking a set-up and for the browser tests. Always 200: a demo's service being down is
 * reported, not a failure of the site. See src/server/platform/service-health.ts.
 */
import type { APIRoute } from 'astro';
import { getAppContext } from '../../server/platform/app-context';
import { checkServices } from '../../server/platform/service-health';

export const prerender = false;

export const GET: APIRoute = async () =>
  new Response(JSON.stringify(await checkServices(getAppContext())), {
    status: 200,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' },
  });
