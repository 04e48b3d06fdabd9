/**
 * Runs when the production server starts, before it listens: reads the settings, opens the
 * database and migrates it. A bad setting stops start-up here with a message naming the variable,
 * instead of surfacing as a 500 on some later request.
 *
 * The adapter's entry then hands over the server it started (`serverStarted`, wired in by
 * astro.config.mjs), which gets the security headers and a graceful shutdown.
 */
import type { Server } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeStores } from '../sessions/registry';
import { getAppContext, type AppContext } from './app-context';
import { ConfigError } from './config';
import { ErrorPages } from './front-door/error-pages';
import { answerClientError, frontDoor, type RequestListener } from './front-door/front-door';
import { startMaintenance } from './maintenance';
import { securityHeaderSetter, type StaticRouteHeaders } from './security-headers';
import { installGracefulShutdown } from './shutdown';

let app: AppContext;
let stopMaintenance: () => void;
try {
  app = getAppContext();
  const { config } = app;
  stopMaintenance = startMaintenance(app);
  const leftovers = app.instances.removeLeftovers();
  if (leftovers > 0)
    console.log(`Session Lab: removed ${leftovers} leftover "fresh" instance directories.`);
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

/** Where the adapter was built to find its files, as in its `virtual:astro-node:config`. */
export interface AdapterPaths {
  client: string;
  server: string;
}

/**
 * Receives what the adapter's `startServer()` returned, as it returns it, so nothing can reach
 * the server before the front door and the headers are in place. `entryUrl` is the server
 * entry's own URL: the build may have been moved since, so the client files are found from it.
 */
export function serverStarted<Started extends StartedServer>(
  started: Started,
  staticHeaders: StaticRouteHeaders[] | undefined,
  adapter: AdapterPaths,
  entryUrl: string,
): Started {
  const { server } = started.server;
  const adapterListeners = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on(
    'request',
    frontDoor(
      (request, response) => {
        for (const listener of adapterListeners) listener(request, response);
      },
      {
        errorPages: new ErrorPages(clientDirectory(adapter, entryUrl)),
        setHeaders: securityHeaderSetter(staticHeaders),
      },
    ),
  );
  server.removeAllListeners('clientError');
  server.on('clientError', answerClientError);
  installGracefulShutdown(server, {
    async release() {
      stopMaintenance();
      await closeStores(app.stores);
      app.db.close();
    },
  });
  return started;
}

function clientDirectory(adapter: AdapterPaths, entryUrl: string): string {
  const fromServer = path.relative(fileURLToPath(adapter.server), fileURLToPath(adapter.client));
  return path.resolve(path.dirname(fileURLToPath(entryUrl)), fromServer);
}
