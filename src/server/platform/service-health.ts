/**
 * What /healthz/services reports: the state of each demo store's own service (Redis, Memcached,
 * PostgreSQL …). Those services only serve their own demos, so this is a report, never a verdict
 * on the site: /healthz (liveness) and /readyz (readiness) do not ask them, or a load balancer
 * would take every page down with a demo's cache. Every probe is bounded.
 */
import { withDeadline } from '../../sessions/stores/common/remote-service';
import type { RunningStore } from '../../sessions/store-kind';
import type { AppContext } from './app-context';

export type ServiceHealth = 'not-configured' | 'ok' | 'unavailable';

export interface ServiceReport {
  /** Every store that needs a service of its own, by id. */
  stores: Record<string, ServiceHealth>;
}

/** Longer than the stores' own command timeouts, so those answer first with a reason. */
const probeTimeoutMs = 1500;

export async function checkServices(app: Pick<AppContext, 'stores'>): Promise<ServiceReport> {
  const withService = [...app.stores.values()].filter((store) => store.ping !== undefined);
  const states = await Promise.all(withService.map(serviceHealth));
  return {
    stores: Object.fromEntries(withService.map((store, index) => [store.info.id, states[index]!])),
  };
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
