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

/**
 * Exits the process with status 1 and a message naming the variable when a setting is invalid,
 * or saying why when the site's database cannot be opened or migrated.
 */
export async function startUp(): Promise<Started> {
  let app: AppContext;
  try {
    app = getAppContext();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`Session Lab cannot start. ${error.message}`);
    process.exit(1);
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
  const leftovers = app.instances.removeLeftovers();
  if (leftovers > 0)
    console.log(`Session Lab: removed ${leftovers} leftover "fresh" instance directories.`);
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
