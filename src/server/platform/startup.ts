/**
 * What the production server does before it listens: read the settings, open the database and
 * migrate it, start the housekeeping timers. A bad setting stops start-up here with a message
 * naming the variable, instead of surfacing as a 500 on some later request.
 *
 * Called first thing by the server entry (src/server/platform/serve.ts), before the adapter is loaded.
 */
import { closeStores } from '../../sessions/registry';
import { getAppContext, type AppContext } from './app-context';
import { ConfigError } from './config';
import { startMaintenance } from './maintenance';

export interface Started {
  app: AppContext;
  /** Releases what start-up opened (timers, stores, database), once no request is running. */
  release(): Promise<void>;
}

/** Exits the process with status 1 and a message naming the variable when a setting is invalid. */
export function startUp(): Started {
  try {
    const app = getAppContext();
    const { config } = app;
    const stopMaintenance = startMaintenance(app);
    const leftovers = app.instances.removeLeftovers();
    if (leftovers > 0)
      console.log(`Session Lab: removed ${leftovers} leftover "fresh" instance directories.`);
    const secret = {
      environment: 'SESSION_SECRET',
      generated: `a new random secret saved in ${config.dataDir}`,
      'data-dir': `the secret saved in ${config.dataDir}`,
    }[config.sessionSecretSource];
    console.log(`Session Lab: data in ${config.dataDir}; cookies signed with ${secret}.`);
    return {
      app,
      async release() {
        stopMaintenance();
        await closeStores(app.stores);
        await app.rateLimits.close();
        app.db.close();
      },
    };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`Session Lab cannot start. ${error.message}`);
    process.exit(1);
  }
}
