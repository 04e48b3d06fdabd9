/**
 * Liveness, for load balancers, systemd watchdogs and uptime checks: 200 whenever this process
 * answers, touching nothing else, so a slow database or a demo's Redis never gets a live process
 * restarted. Whether it should get traffic is /readyz's question; the demo services' state is
 * /healthz/services.
 */
import type { APIRoute } from 'astro';
import { hostname } from 'node:os';

export const prerender = false;

export const GET: APIRoute = () =>
  new Response(
    JSON.stringify({
      status: 'ok',
      process: { host: hostname(), pid: process.pid },
      uptimeSeconds: Math.round(process.uptime()),
    }),
    {
      status: 200,
      headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' },
    },
  );
