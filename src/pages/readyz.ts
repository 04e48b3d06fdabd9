/**
 * For load balancers: 200 while this process can serve the course (its database answers and is
 * migrated), 503 otherwise. See src/server/platform/readiness.ts; /healthz is liveness only.
 */
import type { APIRoute } from 'astro';
import { getAppContext } from '../server/platform/app-context';
import { checkReadiness } from '../server/platform/readiness';

export const prerender = false;

export const GET: APIRoute = async () => {
  const report = await checkReadiness(getAppContext());
  return new Response(JSON.stringify(report), {
    status: report.status === 'ready' ? 200 : 503,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' },
  });
};
