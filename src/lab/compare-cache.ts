/**
 * The comparison page's measurement, kept for 30 s so that reloading the page costs nothing; a
 * re-measure replaces it, and requests that arrive while one runs share it.
 */
import type { AppContext } from '../server/app-context';
import { notConfiguredReason } from '../server/store-configuration';
import type { Instance } from '../sessions/types';
import { measureStores, type Comparison } from './compare';

export const comparisonMaxAgeMs = 30_000;

interface Entry {
  /** One throwaway instance per server, used by nothing else: sessions start from nothing. */
  instance: Instance;
  latest?: { startedAt: number; running: boolean; comparison: Promise<Comparison> };
}

const entries = new WeakMap<AppContext, Entry>();

export function comparisonFor(
  app: AppContext,
  { remeasure = false, now = Date.now() }: { remeasure?: boolean; now?: number } = {},
): Promise<Comparison> {
  let entry = entries.get(app);
  if (!entry) {
    entry = { instance: app.instances.resolve('fresh') };
    entries.set(app, entry);
  }
  const latest = entry.latest;
  if (latest && (latest.running || (!remeasure && now - latest.startedAt < comparisonMaxAgeMs))) {
    return latest.comparison;
  }
  const current: NonNullable<Entry['latest']> = {
    startedAt: now,
    running: true,
    comparison: measureStores({
      stores: app.stores,
      instance: entry.instance,
      notConfigured: (id) => notConfiguredReason(app.config, id),
    }),
  };
  const owner = entry;
  current.comparison.then(
    () => {
      current.running = false;
    },
    () => {
      // A failed measurement is not kept: the next request tries again.
      if (owner.latest === current) owner.latest = undefined;
    },
  );
  entry.latest = current;
  return current.comparison;
}
