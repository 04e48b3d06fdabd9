/**
 * Starts the built server once for all browser tests. `npm test` builds first; running this
 * project alone needs `npm run build`. The site gets a private PostgreSQL from the shared launcher
 * (when the machine has one; in CI it must), so the PostgreSQL demo runs for real; Redis and
 * Memcached stay unconfigured, so their "how to enable it" answers are tested too.
 */
import type { TestProject } from 'vitest/node';
import {
  serviceSkipReason,
  startPostgres,
  type RunningPostgres,
} from '../../scripts/services/index.ts';
import { startSite } from './server';

declare module 'vitest' {
  export interface ProvidedContext {
    baseURL: string;
    dataDir: string;
    /** /healthz/services' word on each store that needs a service: ok, not-configured … */
    serviceStores: Record<string, string>;
    /** Where the test site keeps its own data: PostgreSQL when one runs here, else SQLite. */
    databaseUrl: string | null;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const skip = serviceSkipReason('postgres');
  if (skip) console.warn(skip);
  const postgres: RunningPostgres | null = skip ? null : await startPostgres();
  // Every test comes from 127.0.0.1; the limits themselves are tested on servers of their own.
  const site = await startSite({
    RATE_LIMIT_DEMO_WRITES: '100000/60',
    RATE_LIMIT_QUIZ: '100000/60',
    RATE_LIMIT_COMPARE: '100000/60',
    COMPARE_INTERVAL: '0',
    ...(postgres && { DATABASE_URL: postgres.url }),
  });
  const services = (await (await fetch(`${site.baseURL}/healthz/services`)).json()) as {
    stores: Record<string, string>;
  };
  project.provide('baseURL', site.baseURL);
  project.provide('dataDir', site.dataDir);
  project.provide('serviceStores', services.stores);
  project.provide('databaseUrl', postgres?.url ?? null);
  return async () => {
    await site.stop();
    await postgres?.remove();
  };
}
