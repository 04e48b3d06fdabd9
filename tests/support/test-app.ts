/**
 * A real AppContext for tests: the site's SQLite database in a temporary DATA_DIR, every store
 * from the registry (Redis and Memcached not configured), the simulated instances and the rate
 * limiters, exactly as the server builds them. `stores` replaces some stores with real ones set up
 * differently (a tighter size or session cap) to provoke a refusal.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { StoreId } from '../../src/sessions/catalog';
import type { SessionStore } from '../../src/sessions/types';
import { createAppContext, type AppContext } from '../../src/server/platform/app-context';
import { loadConfig } from '../../src/server/platform/config';

export interface TestApp {
  app: AppContext;
  dataDir: string;
  close(): Promise<void>;
}

export async function createTestApp(
  options: {
    env?: Record<string, string>;
    stores?: (app: Omit<AppContext, 'stores'>) => Partial<Record<StoreId, SessionStore>>;
  } = {},
): Promise<TestApp> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'session-lab-app-'));
  const config = loadConfig({
    DATA_DIR: dataDir,
    SESSION_SECRET: 'test-app-secret-0123456789abcdef0123456789',
    ...options.env,
  });
  const created = createAppContext(config);
  await created.database.ready;
  const stores = new Map(created.stores);
  for (const [id, store] of Object.entries(options.stores?.(created) ?? {})) {
    if (store) stores.set(id as StoreId, store);
  }
  const app: AppContext = { ...created, stores };
  return {
    app,
    dataDir,
    async close() {
      await app.rateLimits.close();
      await app.database.close();
      app.sqliteFile.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
