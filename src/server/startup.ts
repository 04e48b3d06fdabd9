/**
 * Runs when the production server starts, before it listens: reads the settings, opens the
 * database and migrates it. A bad setting stops start-up here with a message naming the variable,
 * instead of surfacing as a 500 on some later request.
 *
 * The adapter's entry then hands over the server it started (`serverStarted`, wired in by
 * astro.config.mjs), which gets the security headers and a graceful shutdown.
 */
import type { Server } from 'node:http';
import { closeStores } from '../sessions/registry';
import { getAppContext, type AppContext } from './app-context';
import { ConfigError } from './config';
import { startMaintenance } from './maintenance';
import { securityHeaderSetter, type StaticRouteHeaders } from './security-headers';
import { installGracefulShutdown } from './shutdown';

let app: AppContext;
let stopMaintenance: () => void;
try {
  app = getAppContext();
  const { config } = app;
  stopMaintenance = startMaintenance(app);
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

/** What the Node adapter's `startServer()` returns. */
export interface StartedServer {
  server: { server: Server };
}

/**
 * Receives what the adapter's `startServer()` returned, as it returns it, so nothing can reach
 * the server before the headers are in place.
 */
export function serverStarted<Started extends StartedServer>(
  started: Started,
  staticHeaders?: StaticRouteHeaders[],
): Started {
  const { server } = started.server;
  server.prependListener('request', securityHeaderSetter(staticHeaders));
  installGracefulShutdown(server, {
    async release() {
      stopMaintenance();
      await closeStores(app.stores);
      app.db.close();
    },
  });
  return started;
}
