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

/**
 * Exits the process with status 1 and a message naming the variable when a setting is invalid,
 * or saying why when the site's database cannot be opened or migrated.
 */
export async function startUp(
  options: StartUpOptions = { removeLeftovers: true },
): Promise<Started> {
  let app: AppContext;
  try {
    app = getAppContext();
  } catch (error) {
    exitOnConfigError(error);
  }
  try {
    await app.database.ready;
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    console.error(
      `Session Lab cannot start: the site's database (PostgreSQL at ${app.database.location}) ` +
        `could not be opened and migrated: ${why}. Check DATABASE_URL and that PostgreSQL runs.`,
    );
    process.exit(1);
  }
  const { config } = app;
  const stopMaintenance = startMaintenance(app);
  if (options.removeLeftovers) reportLeftovers(app.instances.removeLeftovers());
  const secret = {
    environment: 'SESSION_SECRET',
    generated: `a new random secret saved in ${config.dataDir}`,
    'data-dir': `the secret saved in ${config.dataDir}`,
  }[config.sessionSecretSource];
  const where =
    app.database.kind === 'postgres'
      ? `site data in PostgreSQL at ${app.database.location}, demo files in ${config.dataDir}`
      : `data in ${config.dataDir}`;
  console.log(`Session Lab: ${where}; cookies signed with ${secret}.`);
  return {
    app,
    async release() {
      stopMaintenance();
      await closeStores(app.stores);
      await app.rateLimits.close();
      await app.database.close();
      app.sqliteFile.close();
    },
  };
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
