/**
 * What the production server does before it listens: read the settings, open the database and
 * migrate it, start the housekeeping timers. A bad setting stops start-up here with a message
 * naming the variable, instead of surfacing as a 500 on some later request.
 *
 * Called first thing by the server entry (src/server/platform/serve.ts), before the adapter is
 * loaded; with WORKERS above 1, by each worker, after the primary checked the settings once.
 */
import { closeStores } from '../../sessions/registry';
import { getAppContext, type AppContext } from './app-context';
import { ConfigError, loadConfig, type Config } from './config';
import { startMaintenance } from './maintenance';

export interface Started {
  app: AppContext;
  /** Releases what start-up opened (timers, stores, database), once no request is running. */
  release(): Promise<void>;
}

export interface StartUpOptions {
  /**
   * Delete the directories "fresh" instances left behind. Only a process that is the whole site
   * may: a worker started beside running ones would delete a sibling's directory mid-request (the
   * primary of several workers does it once, before it forks them).
   */
  removeLeftovers: boolean;
}

/** Exits the process with status 1 and a message naming the variable when a setting is invalid. */
export function startUp(options: StartUpOptions = { removeLeftovers: true }): Started {
  try {
    const app = getAppContext();
    const { config } = app;
    const stopMaintenance = startMaintenance(app);
    if (options.removeLeftovers) reportLeftovers(app.instances.removeLeftovers());
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
        app.db.close();
      },
    };
  } catch (error) {
    exitOnConfigError(error);
  }
}

/** Checks every setting without opening anything: the primary of several workers, before it forks. */
export function checkSettings(): Config {
  try {
    return loadConfig();
  } catch (error) {
    exitOnConfigError(error);
  }
}

function exitOnConfigError(error: unknown): never {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`Session Lab cannot start. ${error.message}`);
  process.exit(1);
}

export function reportLeftovers(removed: number): void {
  if (removed > 0)
    console.log(`Session Lab: removed ${removed} leftover "fresh" instance directories.`);
}
