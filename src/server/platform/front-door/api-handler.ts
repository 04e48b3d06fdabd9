/**
 * API requests straight to Astro, past the adapter's static-file step.
 *
 * The adapter's standalone handler looks for a file in dist/client before every request reaches
 * Astro: a synchronous `lstat`, a WHATWG `Request` built and matched against the routes (for
 * prerendered pages' headers), then `send`'s own `stat`, and only when that fails a second
 * `Request` for Astro. No file lives under /api/ (every API route is rendered on demand), so
 * for those paths that work finds nothing, every time. Pages and files still go through the
 * adapter's handler.
 *
 * Built from Astro's public entry points, as the adapter builds its own: `createApp` from
 * `astro/app/entrypoint`, `createRequestFromNodeRequest` from `astro/app/node`. The answer is
 * written whole, with its length, rather than streamed chunk by chunk as Astro's `writeResponse`
 * does: API answers are small JSON (or a bounded CSV), and one write with a `Content-Length`
 * costs less than a web stream read in chunked encoding.
 *
 * Measured on a shared 2-core machine, one process, the signed-cookie demo GET in eight
 * alternating rounds: the adapter's handler used a median of about 1,180 µs of server CPU per
 * request, this path about 870 µs, with about 530, 580 and 720 requests per second for the
 * adapter's handler, this path streaming, and this path writing whole (docs/hosting.md, section 7,
 * has `npm run bench:http` against Flask).
 *
 * A GET the server answers more directly still (`directGet`: the demo read, see
 * src/server/demo/direct-read.ts) skips Astro's routing, middleware and rendering as well.
 *
 * The front door has already refused what Astro must not see (unknown API paths, methods, bodies
 * over the limit) and set the security headers; this only renders.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createApp } from 'astro/app/entrypoint';
import { createRequestFromNodeRequest, getAbortControllerCleanup } from 'astro/app/node';
import type { RequestContext } from '../client';
import { maxBodyBytes, type SerializedAnswer } from '../http';
import { routeKind } from './route-methods';
import type { RequestListener } from './front-door';

export interface ApiOptions {
  /** The port the server listens on, from which Astro builds the request's URL. */
  port: number;
  /**
   * Answers a GET of `pathname` without Astro, or returns null to leave it to Astro. Its answer
   * gets `Cache-Control: no-store` unless it set one, as src/middleware.ts gives Astro's.
   */
  directGet?: (
    context: RequestContext,
    pathname: string,
  ) => Promise<SerializedAnswer | Response> | null;
}

/** Sends `/api/` paths to Astro directly and everything else to `next` (the adapter's handler). */
export function apiFirst(next: RequestListener, { port, directGet }: ApiOptions): RequestListener {
  const app = createApp();
  const render = async (
    request: IncomingMessage,
    response: ServerResponse,
    pathname: string,
  ): Promise<void> => {
    try {
      const webRequest = createRequestFromNodeRequest(request, {
        allowedDomains: app.getAllowedDomains?.() ?? [],
        bodySizeLimit: maxBodyBytes,
        port,
      });
      const direct =
        request.method === 'GET' && directGet
          ? directGet(
              {
                request: webRequest,
                url: new URL(webRequest.url),
                // What Astro gives a route as `clientAddress` on this server: the peer.
                clientAddress: request.socket.remoteAddress ?? '',
              },
              pathname,
            )
          : null;
      if (direct) {
        await writeWhole(await direct, request, response, { cacheControl: 'no-store' });
        return;
      }
      const routeData = app.match(webRequest);
      const answer = await app.render(webRequest, {
        addCookieHeader: true,
        routeData,
        // API routes answer their own errors in JSON; never fetch an HTML error page over HTTP.
        prerenderedErrorPageFetch: () => Promise.resolve(new Response(null, { status: 404 })),
      });
      await writeWhole(answer, request, response);
    } catch (error) {
      // A client that hung up mid-request is no server failure worth a log line.
      if (request.destroyed || response.destroyed) return;
      console.error(`Session Lab: ${request.method} ${request.url?.slice(0, 200)} failed:`, error);
      if (response.headersSent) {
        response.destroy();
        return;
      }
      const body = JSON.stringify({ error: 'the server failed on this request' });
      response.writeHead(500, {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Length': Buffer.byteLength(body),
        'Cache-Control': 'no-store',
      });
      response.end(body);
    }
  };
  return (request, response) => {
    const pathname = (request.url ?? '/').split('?', 1)[0] ?? '/';
    if (routeKind(pathname) === 'api') void render(request, response, pathname);
    else next(request, response);
  };
}

/**
 * Writes an API answer in one piece, with its length, then lets go of the request's abort signal.
 * `defaults.cacheControl`: the `Cache-Control` to send when the answer has none.
 */
async function writeWhole(
  answer: SerializedAnswer | Response,
  request: IncomingMessage,
  response: ServerResponse,
  defaults: { cacheControl?: string } = {},
): Promise<void> {
  const body =
    answer instanceof Response
      ? answer.body
        ? Buffer.from(await answer.arrayBuffer())
        : null
      : Buffer.from(answer.body, 'utf8');
  const headers: Record<string, string | string[]> = {};
  answer.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  const cookies = answer.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  if (body) headers['content-length'] = String(body.byteLength);
  if (defaults.cacheControl && !answer.headers.has('cache-control')) {
    headers['cache-control'] = defaults.cacheControl;
  }
  response.writeHead(answer.status, headers);
  response.end(body ?? undefined);
  getAbortControllerCleanup(request)?.();
}
