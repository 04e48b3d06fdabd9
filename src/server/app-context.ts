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

export interface AppContext {
  config: Config;
  db: Database;
  stores: StoreRegistry;
  instances: InstanceSimulator;
}

let context: AppContext | undefined;

export function getAppContext(): AppContext {
  context ??= createAppContext();
  return context;
}

function createAppContext(): AppContext {
  const config = loadConfig();
  return {
    config,
    db: openDatabase(path.join(config.dataDir, 'session-lab.sqlite')),
    stores: createStoreRegistry({ secrets: config.sessionSecrets, secureCookies: false }),
    instances: new InstanceSimulator(config.dataDir),
  };
}
