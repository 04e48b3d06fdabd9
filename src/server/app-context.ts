/**
 * The long-lived parts of the running server, made once per process on first use: settings,
 * the site's database, the demo stores and the simulated instances.
 */
import type { Database } from 'better-sqlite3';
import path from 'node:path';
import { InstanceSimulator } from '../lab/instances';
import { createStoreRegistry, type StoreRegistry } from '../sessions/registry';
import { loadConfig, type Config } from './config';
import { openDatabase } from './database';
import { RateLimiter } from './rate-limit';

export interface AppContext {
  config: Config;
  db: Database;
  stores: StoreRegistry;
  instances: InstanceSimulator;
  demoWriteLimiter: RateLimiter;
  quizSubmitLimiter: RateLimiter;
}

let context: AppContext | undefined;

export function getAppContext(): AppContext {
  context ??= createAppContext();
  return context;
}

function createAppContext(): AppContext {
  const config = loadConfig();
  const db = openDatabase(path.join(config.dataDir, 'session-lab.sqlite'));
  return {
    config,
    db,
    stores: createStoreRegistry({
      secrets: config.sessionSecrets,
      // Only the fallback: each demo request sets `Secure` itself when the browser came over HTTPS.
      secureCookies: false,
      dataDir: config.dataDir,
      db,
      redisUrl: config.redisUrl,
      memcachedServers: config.memcachedServers,
    }),
    instances: new InstanceSimulator(config.dataDir),
    demoWriteLimiter: new RateLimiter(config.demoWriteLimit),
    quizSubmitLimiter: new RateLimiter(config.quizSubmitLimit),
  };
}
