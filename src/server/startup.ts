/**
 * Runs when the production server starts, before it listens: reads the settings, opens the
 * database and migrates it. A bad setting stops start-up here with a message naming the variable,
 * instead of surfacing as a 500 on some later request.
 */
import { getAppContext } from './app-context';
import { ConfigError } from './config';
import { startMaintenance } from './maintenance';

try {
  const app = getAppContext();
  const { config } = app;
  startMaintenance(app);
  const secret = {
    environment: 'SESSION_SECRET',
    generated: `a new random secret saved in ${config.dataDir}`,
    'data-dir': `the secret saved in ${config.dataDir}`,
  }[config.sessionSecretSource];
  console.log(`Session Lab: data in ${config.dataDir}; cookies signed with ${secret}.`);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`Session Lab cannot start. ${error.message}`);
  process.exit(1);
}
