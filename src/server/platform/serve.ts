/**
 * The built server's entry point: astro.config.mjs makes this file `dist/server/entry.mjs`, so
 * `node ./dist/server/entry.mjs`, `npm run serve` and `npm start` all run it.
 *
 * Why a server file of our own: the Node adapter's standalone entry creates its HTTP server,
 * listens and keeps the server to itself, with no place for code before its request handler, for
 * Node's parser errors or for a graceful stop. It also exports the very handler that server would
 * use (`handler` from its public module `@astrojs/node/server.js`: static files with their
 * headers, then Astro), and with `ASTRO_NODE_AUTOSTART=disabled` it starts nothing. So this site
 * makes the `node:http` server itself (src/server/platform/serve-process.ts), with the front door as its
 * only request listener from the start, and listens on HOST and PORT (defaults localhost:4321, as
 * the adapter's standalone server).
 *
 * In order: settings are checked (a bad one exits 1 naming the variable) before the adapter is
 * even loaded; then the server gets the front door, the security headers, the answer to requests
 * Node cannot parse and the graceful shutdown on SIGTERM and SIGINT; only then does it listen.
 *
 * WORKERS above 1 (or `auto`): this process checks the settings once, removes what "fresh"
 * instances left behind, and forks that many workers, which run this same file and serve
 * (src/server/platform/workers.ts).
 */
import cluster from 'node:cluster';
import { InstanceSimulator } from '../../lab/instances';
import { serveThisProcess } from './serve-process';
import { checkSettings, reportLeftovers } from './startup';
import { runWorkers } from './workers';

if (cluster.isWorker) {
  await serveThisProcess(import.meta.url);
} else {
  const config = checkSettings();
  if (config.workers === 1) {
    await serveThisProcess(import.meta.url);
  } else {
    reportLeftovers(new InstanceSimulator(config.dataDir).removeLeftovers());
    runWorkers(config);
  }
}
