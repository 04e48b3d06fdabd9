/**
 * The built server's entry point: astro.config.mjs makes this file `dist/server/entry.mjs`, so
 * `node ./dist/server/entry.mjs`, `npm run serve` and `npm start` all run it.
 *
 * Why a server file of our own: the Node adapter's standalone entry creates its HTTP server,
 * listens and keeps the server to itself, with no place for code before its request handler, for
 * Node's parser errors or for a graceful stop. It also exports the very handler that server would
 * use (`handler` from its public module `@astrojs/node/server.js`: static files with their
 * headers, then Astro), and with `ASTRO_NODE_AUTOSTART=disabled` it starts nothing. So this file
 * makes the `node:http` server itself, with the front door as its only request listener from the
 * start, and listens on HOST and PORT (defaults localhost:4321, as the adapter's standalone server).
 *
 * In order: settings are checked (a bad one exits 1 naming the variable) before the adapter is
 * even loaded; then the server gets the front door, the security headers, the answer to requests
 * Node cannot parse and the graceful shutdown on SIGTERM and SIGINT; only then does it listen.
 */
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { withCompression } from './compression';
import { ErrorPages } from './front-door/error-pages';
import { answerClientError, frontDoor, type RequestListener } from './front-door/front-door';
import {
  pagePoliciesFile,
  readPagePolicies,
  securityHeaderSetter,
  type PagePolicies,
} from './security-headers';
import { installGracefulShutdown } from './shutdown';
import { startUp } from './startup';

const { app, release } = await startUp();
const { host, port } = app.config;

// Read by the adapter's module when it loads, which the dynamic import below makes happen now,
// after this line, and not before this file runs as a static import would.
process.env.ASTRO_NODE_AUTOSTART = 'disabled';
const adapter = await import('@astrojs/node/server.js');
const options = adapter.options as { mode: string; client: string; server: string };
if (options.mode !== 'standalone') {
  // Only the standalone handler serves the files in dist/client; middleware mode leaves them out.
  throw new Error(`src/server/platform/serve.ts needs the Node adapter in mode 'standalone'`);
}
const astroHandler = adapter.handler as RequestListener;

let pagePolicies: PagePolicies;
try {
  pagePolicies = readPagePolicies(new URL(pagePoliciesFile, import.meta.url));
} catch (error) {
  console.error(`Session Lab cannot start: ${(error as Error).message}`);
  process.exit(1);
}

const server = createServer(
  frontDoor(withCompression(astroHandler, clientDirectory(options, import.meta.url)), {
    errorPages: new ErrorPages(clientDirectory(options, import.meta.url)),
    setHeaders: securityHeaderSetter(pagePolicies),
  }),
);
server.on('clientError', answerClientError);
installGracefulShutdown(server, { release });

server.once('error', (error: NodeJS.ErrnoException) => {
  console.error(`Session Lab cannot listen on ${host}:${port}. ${error.message}`);
  process.exit(1);
});
server.listen(port, host, () => {
  const shown = host.includes(':') ? `[${host}]` : host;
  console.log(`Session Lab: listening on http://${shown}:${port}`);
});

/**
 * The client files, found from this entry's own URL rather than the absolute path the build
 * recorded, so a build copied elsewhere still finds its error pages.
 */
function clientDirectory(paths: { client: string; server: string }, entryUrl: string): string {
  const fromServer = path.relative(fileURLToPath(paths.server), fileURLToPath(paths.client));
  return path.resolve(path.dirname(fileURLToPath(entryUrl)), fromServer);
}
