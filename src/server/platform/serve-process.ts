/**
 * One server process: the `node:http` server with the front door as its only request listener,
 * the security headers, the answer to requests Node cannot parse and the graceful shutdown; then
 * it listens. Either the whole site (WORKERS=1) or one of several workers (src/server/platform/workers.ts),
 * which all listen on the same HOST and PORT through `node:cluster`.
 */
import cluster from 'node:cluster';
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { withCompression } from './compression';
import { apiFirst } from './front-door/api-handler';
import { ErrorPages } from './front-door/error-pages';
import { answerClientError, frontDoor, type RequestListener } from './front-door/front-door';
import {
  pagePoliciesFile,
  readPagePolicies,
  securityHeaderSetter,
  type PagePolicies,
} from './security-headers';
import { installGracefulShutdown, type BeginShutdown } from './shutdown';
import { startUp } from './startup';
import { stopMessage } from './workers';
import { demoReadStore, readDemo } from '../demo/direct-read';
import type { RequestContext } from './client';
import type { SerializedAnswer } from './http';

/** `entryUrl`: the built entry's own URL, from which the client files and page policies are found. */
export async function serveThisProcess(entryUrl: string): Promise<void> {
  const asWorker = cluster.isWorker;
  // Set once the server exists; the primary's word may arrive before that.
  const shutdown: { begin?: BeginShutdown } = {};
  if (asWorker) {
    // The primary's word to stop may come while this worker is still starting: nothing to finish yet.
    process.on('message', (message) => {
      if (message !== stopMessage) return;
      if (shutdown.begin) shutdown.begin('told to stop by the primary process');
      else process.exit(0);
    });
  }

  const { app, release } = await startUp({ removeLeftovers: !asWorker });
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
    pagePolicies = readPagePolicies(new URL(pagePoliciesFile, entryUrl));
  } catch (error) {
    console.error(`Session Lab cannot start: ${(error as Error).message}`);
    process.exit(1);
  }

  const server = createServer(
    frontDoor(
      withCompression(
        apiFirst(astroHandler, { port, directGet: directReads }),
        clientDirectory(options, entryUrl),
      ),
      {
        errorPages: new ErrorPages(clientDirectory(options, entryUrl)),
        setHeaders: securityHeaderSetter(pagePolicies),
      },
    ),
  );
  server.on('clientError', answerClientError);
  shutdown.begin = installGracefulShutdown(server, { release });

  server.once('error', (error: NodeJS.ErrnoException) => {
    console.error(`Session Lab cannot listen on ${host}:${port}. ${error.message}`);
    process.exit(1);
  });
  server.listen(port, host, () => {
    // The primary of several workers says it once, when all of them listen.
    if (asWorker) return;
    const shown = host.includes(':') ? `[${host}]` : host;
    console.log(`Session Lab: listening on http://${shown}:${port}`);
  });
}

/** GETs answered without Astro's per-request work (why: src/server/demo/direct-read.ts). */
function directReads(
  context: RequestContext,
  pathname: string,
): Promise<SerializedAnswer | Response> | null {
  const storeId = demoReadStore(pathname);
  return storeId === null ? null : readDemo(context, storeId);
}

/**
 * The client files, found from this entry's own URL rather than the absolute path the build
 * recorded, so a build copied elsewhere still finds its error pages.
 */
function clientDirectory(paths: { client: string; server: string }, entryUrl: string): string {
  const fromServer = path.relative(fileURLToPath(paths.server), fileURLToPath(paths.client));
  return path.resolve(path.dirname(fileURLToPath(entryUrl)), fromServer);
}
