/**
 * The first code every request meets, on the Node server itself, before the adapter turns it into
 * a WHATWG `Request` (which throws for TRACE, TRACK and CONNECT) and before any body is read.
 * Here, and only here, a request can be refused for what it is rather than what it asks:
 *
 * - a method the route does not answer: 405 with an accurate `Allow` (OPTIONS answers 204 with it);
 * - an unknown `/api/` path: 404;
 * - a body without a declared length (chunked): 411, so no body can outgrow the limit mid-read;
 * - a declared body over the limit: 413, before a byte of it is read;
 * - a URL that is not a valid path: 400.
 *
 * API paths get the JSON error every route uses (`{ "error": "…" }`), pages a real page. Whatever
 * happens, the status line carries the standard reason phrase for its code, and a handler that
 * throws answers 500 instead of taking the process down with every other visitor's request.
 */
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { maxBodyBytes } from '../http';
import { errorPagePath, type ErrorPages, type PageStatus } from './error-pages';
import { allowedMethods, routeKind } from './route-methods';

export type RequestListener = (request: IncomingMessage, response: ServerResponse) => void;

export interface FrontDoorOptions {
  errorPages: ErrorPages;
  /** Sets the headers every response carries, for the path a page is served from. */
  setHeaders: (request: IncomingMessage, response: ServerResponse, pagePath?: string) => void;
  log?: (message: string, error?: unknown) => void;
}

interface Refusal {
  status: PageStatus | 204;
  message: string;
  headers?: Record<string, string>;
  /** A body may follow that nobody will read: drain it (bounded) so the answer arrives. */
  drainBody?: boolean;
}

const methodsWithBodies = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Wraps the adapter's listener so that nothing above reaches it unless it can be served. */
export function frontDoor(next: RequestListener, options: FrontDoorOptions): RequestListener {
  const log = options.log ?? ((message, error) => console.error(message, error ?? ''));
  return (request, response) => {
    useStandardReasonPhrases(response);
    const refusal = inspect(request);
    if (refusal) {
      refuse(request, response, refusal, options);
      return;
    }
    options.setHeaders(request, response);
    try {
      next(request, response);
    } catch (error) {
      log(`Session Lab: ${request.method} ${request.url?.slice(0, 200)} failed:`, error);
      if (response.headersSent) {
        response.destroy();
        return;
      }
      refuse(
        request,
        response,
        { status: 500, message: 'the server failed on this request' },
        options,
      );
    }
  };
}

/** Decides whether the request may go on; a refusal says how to answer it. */
export function inspect(request: IncomingMessage): Refusal | null {
  const url = request.url ?? '';
  const notAPath = { status: 400, message: 'the request URL is not a valid path' } as const;
  if (!url.startsWith('/') || url.startsWith('//')) return notAPath;
  const pathname = pathOf(url);
  const method = request.method ?? 'GET';
  const allowed = allowedMethods(pathname);
  if (allowed === null)
    return { status: 404, message: `no API route at ${pathname.slice(0, 100)}` };
  const allow = { Allow: allowed.join(', ') };
  if (method === 'OPTIONS') return { status: 204, message: '', headers: allow };
  if (!allowed.includes(method)) {
    return {
      status: 405,
      message: `${method.slice(0, 20)} is not allowed here; use ${allowed.join(', ')}`,
      headers: allow,
      drainBody: true,
    };
  }
  if (!decodes(url)) return { ...notAPath, drainBody: true };
  if (!methodsWithBodies.has(method)) return null;
  if (request.headers['transfer-encoding'] !== undefined) {
    return {
      status: 411,
      message: `send the body with a Content-Length (at most ${maxBodyBytes} bytes), not chunked`,
      drainBody: true,
    };
  }
  const declared = Number(request.headers['content-length'] ?? '0');
  if (declared > maxBodyBytes) {
    return {
      status: 413,
      message: `the request body is ${declared} bytes, over the ${maxBodyBytes} this site accepts`,
      drainBody: true,
    };
  }
  return null;
}

function refuse(
  request: IncomingMessage,
  response: ServerResponse,
  refusal: Refusal,
  options: FrontDoorOptions,
): void {
  const pathname = pathOf(request.url ?? '/');
  const headers: Record<string, string> = { 'Cache-Control': 'no-store', ...refusal.headers };
  let body = '';
  if (refusal.status === 204) {
    options.setHeaders(request, response);
  } else if (routeKind(pathname) === 'api') {
    options.setHeaders(request, response);
    headers['Content-Type'] = 'application/json; charset=utf-8';
    body = JSON.stringify({ error: refusal.message });
  } else {
    options.setHeaders(request, response, errorPagePath(refusal.status));
    headers['Content-Type'] = 'text/html; charset=utf-8';
    body = options.errorPages.html(refusal.status);
  }
  headers['Content-Length'] = String(Buffer.byteLength(body));
  response.writeHead(refusal.status, headers);
  response.end(request.method === 'HEAD' ? undefined : body);
  if (refusal.drainBody) drainBounded(request);
}

/** The most of a refused body read and thrown away before the connection is cut instead. */
const maxDrainBytes = 1024 * 1024;

/**
 * Closing a connection while the client is still sending makes the kernel reset it, and the
 * client may lose the answer already sent. So a refused body is read and dropped, up to a bound;
 * a client that sends more than that loses its connection.
 */
function drainBounded(request: IncomingMessage): void {
  let drained = 0;
  request.on('data', (chunk: Buffer) => {
    drained += chunk.byteLength;
    if (drained > maxDrainBytes) request.socket.destroy();
  });
  request.resume();
}

/** The path of a request target, as sent (route patterns match it undecoded, as Astro's do). */
function pathOf(url: string): string {
  return url.split(/[?#]/, 1)[0] ?? '/';
}

/**
 * Whether the whole target, query included, decodes: the adapter decodes it before anything else
 * and answers a bare "Bad request." when it cannot.
 */
function decodes(url: string): boolean {
  try {
    // The result is used: a bundler drops a call to decodeURI whose result is thrown away.
    return decodeURI(url).length >= 0;
  } catch {
    return false;
  }
}

/**
 * Astro hands its `Response.statusText` to Node, which is "OK" for a status a page set itself
 * (`429 OK`). The status line names the code's own phrase instead.
 */
function useStandardReasonPhrases(response: ServerResponse): void {
  const writeHead = response.writeHead;
  response.writeHead = function (this: ServerResponse, statusCode: number, ...rest: unknown[]) {
    if (typeof rest[0] === 'string') rest[0] = STATUS_CODES[statusCode] ?? rest[0];
    else this.statusMessage = STATUS_CODES[statusCode] ?? this.statusMessage;
    return (writeHead as (...args: unknown[]) => ServerResponse).call(this, statusCode, ...rest);
  } as ServerResponse['writeHead'];
}

/**
 * Node's own parser refuses what is not HTTP it knows (a method such as TRACK, a header over
 * 16 KB) before any listener runs, by default with an empty body. Here it gets the JSON error
 * too, saying what was wrong: the path is unknown at this point, so JSON, the API's shape.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const status = tooLarge ? 431 : 400;
  const body = JSON.stringify({
    error: tooLarge
      ? 'the request headers are over the 16 KB this server reads'
      : 'the request is not HTTP this server understands (an unknown method or a malformed line)',
  });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}
