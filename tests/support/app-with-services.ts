/**
 * A real test app (see test-app.ts) whose Redis, Memcached and PostgreSQL demos each run against a
 * real server of their own, started on a free loopback port by the shared launcher.
 */
import {
  serviceSkipReason,
  serviceVariables,
  startServiceFor,
  type ServiceKind,
  type ServiceWithSetting,
} from '../../scripts/services/index.ts';
import { createTestApp, type TestApp } from './test-app';

const kinds = Object.keys(serviceVariables) as ServiceKind[];

/** Why the services cannot run here (tests then skip; CI=true throws instead), or null. */
export function servicesSkipReason(): string | null {
  for (const kind of kinds) {
    const reason = serviceSkipReason(kind);
    if (reason !== null) return reason;
  }
  return null;
}

export interface AppWithServices {
  testApp: TestApp;
  /** Closes the stores and the app, then stops and removes every service. */
  stop(): Promise<void>;
}

export async function startAppWithServices(): Promise<AppWithServices> {
  const started: ServiceWithSetting[] = await Promise.all(kinds.map(startServiceFor));
  const testApp = await createTestApp({
    env: Object.fromEntries(started.map(({ variable, value }) => [variable, value])),
  });
  return {
    testApp,
    async stop() {
      for (const store of testApp.app.stores.values()) await store.close?.();
      await testApp.close();
      await Promise.all(
        started.map(({ service }) => (service.remove ? service.remove() : service.stop())),
      );
    },
  };
}
