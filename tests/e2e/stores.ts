/**
 * The stores the browser tests run over, read from the registry (through the catalog) and from
 * what the test site's /healthz reported about the stores that need a service: a kind added to the
 * registry is picked up here without being named. The test site is given a private PostgreSQL
 * when the machine has one (`global-setup.ts`), and no Redis or Memcached.
 */
import { inject } from 'vitest';
import { storeIds, storeWhere, type StoreId } from '../../src/sessions/catalog';

const serviceStates: Record<string, string> = inject('serviceStores');

/** Every kind, in course order. */
export const everyStore: readonly StoreId[] = storeIds;

/** Kinds that keep the session in the browser's cookie. */
export const cookieStores = storeIds.filter((id) => storeWhere[id] === 'browser');

/** Server kinds that work on the test site: embedded ones, and services it was given. */
export const liveServerStores = storeIds.filter(
  (id) => storeWhere[id] === 'server' && serviceStates[id] !== 'not-configured',
);

/** Kinds whose service the test site was not given: their demos answer 503 with how to enable it. */
export const unconfiguredStores = storeIds.filter((id) => serviceStates[id] === 'not-configured');

/** Server kinds that need no service: they work on every test site, given services or not. */
export const embeddedServerStores = storeIds.filter(
  (id) => storeWhere[id] === 'server' && !(id in serviceStates),
);

/** What a store without its service says, whichever variable enables it. */
export const howToEnable = /not configured: set [A-Z_]+=/;
