/**
 * What /healthz reports: the site is healthy when its own database answers. Redis and Memcached
 * only serve their two demos, so their state is reported but never makes the site unhealthy (a
 * load balancer would otherwise take every page down with them). Every probe is bounded.
 */
import type { StoreId } from '../sessions/catalog';
import { withDeadline } from '../sessions/stores/remote-service';
import type { AppContext } from './app-context';
import { notConfiguredReason } from './store-configuration';

export type ServiceHealth = 'not-configured' | 'ok' | 'unavailable';

export interface HealthReport {
  status: 'ok' | 'unhealthy';
  database: 'ok' | 'failed';
  stores: { redis: ServiceHealth; memcached: ServiceHealth };
}

/** Longer than the stores' own command timeouts, so those answer first with a reason. */
const probeTimeoutMs = 1500;

export async function checkHealth(app: AppContext): Promise<HealthReport> {
  const [redis, memcached] = await Promise.all([
    serviceHealth(app, 'redis'),
    serviceHealth(app, 'memcached'),
  ]);
  const database = databaseHealth(app);
  return {
    status: database === 'ok' ? 'ok' : 'unhealthy',
    database,
    stores: { redis, memcached },
  };
}

function databaseHealth(app: AppContext): HealthReport['database'] {
  try {
    // better-sqlite3 is synchronous: this cannot hang on a network, only fail.
    const row = app.db.prepare('SELECT 1 AS one').get() as { one: number } | undefined;
    return row?.one === 1 ? 'ok' : 'failed';
  } catch {
    return 'failed';
  }
}

async function serviceHealth(app: AppContext, id: StoreId): Promise<ServiceHealth> {
  if (notConfiguredReason(app.config, id) !== null) return 'not-configured';
  const store = app.stores.get(id);
  if (!store?.ping) return 'not-configured';
  try {
    await withDeadline(store.ping(), probeTimeoutMs, `no answer within ${probeTimeoutMs} ms`);
    return 'ok';
  } catch {
    return 'unavailable';
  }
}
