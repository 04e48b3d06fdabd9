/**
 * What /healthz reports: the site is healthy when its own database answers. The stores that need a
 * service (Redis, Memcached …) only serve their own demos, so their state is reported but never
 * makes the site unhealthy (a load balancer would otherwise take every page down with them).
 * Every probe is bounded.
 */
import { withDeadline } from '../../sessions/stores/common/remote-service';
import type { RunningStore } from '../../sessions/store-kind';
import type { AppContext } from './app-context';

export type ServiceHealth = 'not-configured' | 'ok' | 'unavailable';

export interface HealthReport {
  status: 'ok' | 'unhealthy';
  database: 'ok' | 'failed';
  /** Every store that needs a service of its own, by id. */
  stores: Record<string, ServiceHealth>;
}

/** Longer than the stores' own command timeouts, so those answer first with a reason. */
const probeTimeoutMs = 1500;

export async function checkHealth(app: AppContext): Promise<HealthReport> {
  const withService = [...app.stores.values()].filter((store) => store.ping !== undefined);
  const states = await Promise.all(withService.map(serviceHealth));
  const database = databaseHealth(app);
  return {
    status: database === 'ok' ? 'ok' : 'unhealthy',
    database,
    stores: Object.fromEntries(withService.map((store, index) => [store.info.id, states[index]!])),
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

async function serviceHealth(store: RunningStore): Promise<ServiceHealth> {
  if (store.notConfigured) return 'not-configured';
  try {
    await withDeadline(store.ping!(), probeTimeoutMs, `no answer within ${probeTimeoutMs} ms`);
    return 'ok';
  } catch {
    return 'unavailable';
  }
}
