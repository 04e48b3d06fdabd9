/**
 * Redis and Memcached are killed (SIGKILL) under load and come back. While they are gone only their demos may
 * fail, and only with the documented 503 JSON; the SQLite and signed-cookie demos and /healthz
 * keep answering 200. Once they are back on the same ports, their demos must answer 200 again
 * within a bounded number of retries; the time that takes is the recovery time.
 */
import type { RunningService } from '../../../scripts/services/index.ts';
import { cookieHeader } from './cookies';
import { bodyText, send, type RawRequest, type RawResponse } from './http-client';
import type { LiveSite } from './live-site';
import { jsonError } from './oracle';
import { demoRead, demoWrite } from './site-requests';

export type Phase = 'up' | 'down' | 'back';

export interface OutageOptions {
  services: RunningService[];
  /** Sequential clients, each cycling through every target. */
  clients: number;
  upMs: number;
  downMs: number;
  /** Retries (100 ms apart) a service demo gets to answer 200 again after its server is back. */
  maxRetries: number;
}

export interface OutageReport {
  /** `phase target` → status → count. */
  counts: Map<string, Map<string, number>>;
  violations: string[];
  /** From the service answering again to its demo answering 200; null if it never did. */
  recoveryMs: Record<string, number | null>;
  requests: number;
}

const serviceStores = ['redis', 'memcached'];
const steadyTargets = ['sqlite', 'signed-cookie', 'healthz'];
const retryGapMs = 100;

export async function serviceOutage(site: LiveSite, options: OutageOptions): Promise<OutageReport> {
  const report: OutageReport = { counts: new Map(), violations: [], recoveryMs: {}, requests: 0 };
  let phase: Phase = 'up';
  let running = true;
  const clients = Array.from({ length: options.clients }, async () => {
    const cookies = new Map<string, string>();
    for (let turn = 0; running; turn++) {
      for (const target of [...serviceStores, ...steadyTargets]) {
        if (!running) return;
        const sentIn = phase;
        const request = requestFor(target, turn, cookies.get(target) ?? '');
        const response = await send(site.port, request, 10_000).catch((error: Error) => error);
        report.requests += 1;
        if (response instanceof Error) {
          report.violations.push(`${sentIn}: ${target} got no answer (${response.message})`);
          continue;
        }
        cookies.set(target, cookieHeader(response.setCookies, cookies.get(target) ?? ''));
        // A request that straddles a phase change is judged by the more lenient phase.
        judgeAnswer(report, sentIn === 'up' ? phase : sentIn, target, response);
      }
    }
  });
  const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  await wait(options.upMs);
  phase = 'down';
  await Promise.all(options.services.map((service) => service.kill()));
  await wait(options.downMs);
  phase = 'back';
  await Promise.all(
    options.services.map(async (service) => {
      await service.start();
      report.recoveryMs[service.kind] = await timeToRecover(site, service.kind, options.maxRetries);
    }),
  );
  running = false;
  await Promise.all(clients);
  for (const [kind, ms] of Object.entries(report.recoveryMs)) {
    if (ms === null) {
      report.violations.push(
        `${kind}: its demo did not answer 200 within ${options.maxRetries} retries after the server came back`,
      );
    }
  }
  return report;
}

function requestFor(target: string, turn: number, cookies: string): RawRequest {
  if (target === 'healthz') return { method: 'GET', path: '/healthz' };
  return turn % 2 === 0
    ? demoWrite(target, { action: 'increment' }, cookies)
    : demoRead(target, cookies);
}

function judgeAnswer(
  report: OutageReport,
  phase: Phase,
  target: string,
  response: RawResponse,
): void {
  const key = `${phase} ${target}`;
  const counts = report.counts.get(key) ?? new Map<string, number>();
  counts.set(String(response.status), (counts.get(String(response.status)) ?? 0) + 1);
  report.counts.set(key, counts);
  if (response.status === 200) return;
  const documented =
    serviceStores.includes(target) &&
    phase !== 'up' &&
    response.status === 503 &&
    jsonError(response) !== null;
  if (!documented) {
    report.violations.push(
      `${phase}: ${target} answered ${response.status} ${bodyText(response, 160)}`,
    );
  }
}

/** Retries a read of the service's demo until it answers 200: the milliseconds it took. */
async function timeToRecover(
  site: LiveSite,
  store: string,
  maxRetries: number,
): Promise<number | null> {
  const started = Date.now();
  for (let retry = 0; retry <= maxRetries; retry++) {
    const response = await send(site.port, demoRead(store), 10_000).catch(() => null);
    if (response?.status === 200) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, retryGapMs));
  }
  return null;
}

/** The counts as one line per phase and target, e.g. `down redis  503×41`. */
export function outageTable(report: OutageReport): string {
  return [...report.counts.entries()]
    .map(
      ([key, counts]) =>
        `${key.padEnd(20)} ${[...counts.entries()].map(([status, count]) => `${status}×${count}`).join(' ')}`,
    )
    .join('\n');
}
