/**
 * For load balancers, systemd watchdogs and uptime checks: 200 while the site's database answers,
 * 503 when it does not; Redis and Memcached are reported, not required.
 */
import type { APIRoute } from 'astro';
import { getAppContext } from '../server/platform/app-context';
import { checkHealth } from '../server/platform/health';

export const prerender = false;

export const GET: APIRoute = async () => {
  const report = await checkHealth(getAppContext());
  return new Response(JSON.stringify(report), {
    status: report.status === 'ok' ? 200 : 503,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' },
  });
};
