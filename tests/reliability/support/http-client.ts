/**
 * An HTTP/1.1 client on a bare TCP socket, sending what a hostile or careless client would: any
 * method token (fetch refuses TRACE, TRACK and CONNECT), the request target exactly as given,
 * bodies with Content-Length or chunked without one. It reports the status text exactly as the
 * server wrote it, which fetch hides.
 *
 * Why not node:http: when a server answers early (a 413, a static page ignoring the body) and
 * closes while the body is still being written, node:http reports EPIPE and drops the answer
 * already received, about once in thirty 200 KiB uploads here. Curl and browsers read it; so does
 * this client, which keeps reading after a failed write.
 *
 * Why keep-alive, though every request gets its own connection (so a broken exchange cannot
 * spill into the next): with `Connection: close`, Node closes the socket right after an early
 * answer while unread body bytes sit in its receive buffer, and the kernel then resets the
 * connection, discarding the answer in flight. On a keep-alive connection Node reads and discards
 * the rest of the body first, as browsers expect. This client closes once the answer is complete.
 */
import { connect, type Socket } from 'node:net';

export interface RawRequest {
  method: string;
  /** The request target as sent: path and query, not re-encoded. */
  path: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** Send the body as Transfer-Encoding: chunked with no Content-Length, in 8 KiB pieces. */
  chunked?: boolean;
}

export interface RawResponse {
  status: number;
  statusMessage: string;
  /** Lower-case names; repeated headers joined with ", " except Set-Cookie, a list. */
  headers: Record<string, string>;
  setCookies: string[];
  body: Buffer;
}

/** The server closed the connection without an answer, or did not answer in time. */
export class NoResponseError extends Error {
  override name = 'NoResponseError';
}

const pieceBytes = 8 * 1024;

export function send(port: number, raw: RawRequest, timeoutMs = 15_000): Promise<RawResponse> {
  const body = raw.body === undefined ? undefined : Buffer.from(raw.body);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const received: Buffer[] = [];
    let failure: Error | null = null;
    socket.setTimeout(timeoutMs, () => {
      failure = new NoResponseError(`no answer in ${timeoutMs} ms`);
      socket.destroy();
    });
    let response: RawResponse | null = null;
    socket.on('data', (chunk: Buffer) => {
      received.push(chunk);
      response = parseResponse(Buffer.concat(received), raw.method, false);
      if (response) socket.destroy();
    });
    // A failed write is not the end: the answer may already be in the receive buffer.
    socket.on('error', (error) => {
      failure ??= error;
    });
    socket.once('close', () => {
      // A body without a length ends where the connection does.
      response ??= parseResponse(Buffer.concat(received), raw.method, true);
      if (response) resolve(response);
      else reject(new NoResponseError(failure?.message ?? 'closed without an answer'));
    });
    socket.once('connect', () => {
      socket.write(requestHead(raw, body));
      if (body && body.length > 0) writeBody(socket, body, raw.chunked ?? false);
    });
  });
}

function requestHead(raw: RawRequest, body: Buffer | undefined): string {
  const headers: Record<string, string> = { Host: '127.0.0.1', ...raw.headers };
  if (body && raw.chunked) headers['Transfer-Encoding'] = 'chunked';
  else if (body) headers['Content-Length'] = String(body.length);
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
  return `${raw.method} ${raw.path} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`;
}

function writeBody(socket: Socket, body: Buffer, chunked: boolean): void {
  if (!chunked) {
    socket.write(body);
    return;
  }
  for (let offset = 0; offset < body.length; offset += pieceBytes) {
    const piece = body.subarray(offset, offset + pieceBytes);
    socket.write(`${piece.length.toString(16)}\r\n`);
    socket.write(piece);
    socket.write('\r\n');
  }
  socket.write('0\r\n\r\n');
}

/**
 * The response once it is complete: its length is known from Content-Length or the last chunk,
 * or, when it has neither, from the connection closing (`closed`). Null until then.
 */
function parseResponse(bytes: Buffer, method: string, closed: boolean): RawResponse | null {
  const headEnd = bytes.indexOf('\r\n\r\n');
  if (headEnd === -1) return null;
  const [statusLine = '', ...headerLines] = bytes.toString('latin1', 0, headEnd).split('\r\n');
  const match = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(statusLine);
  if (!match) return null;
  const headers: Record<string, string> = {};
  const setCookies: string[] = [];
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'set-cookie') setCookies.push(value);
    else headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  const status = Number(match[1]);
  const rest = bytes.subarray(headEnd + 4);
  const length = headers['content-length'];
  let body: Buffer | null;
  if (method === 'HEAD' || status === 204 || status === 304) body = Buffer.alloc(0);
  else if (/chunked/i.test(headers['transfer-encoding'] ?? '')) body = dechunk(rest);
  else if (length !== undefined)
    body = rest.length >= Number(length) ? rest.subarray(0, Number(length)) : null;
  else body = closed ? rest : null;
  if (body === null)
    return closed
      ? { status, statusMessage: match[2] ?? '', headers, setCookies, body: rest }
      : null;
  return { status, statusMessage: match[2] ?? '', headers, setCookies, body };
}

/** The decoded body once the last (empty) chunk has arrived, else null. */
function dechunk(encoded: Buffer): Buffer | null {
  const pieces: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = encoded.indexOf('\r\n', at);
    if (lineEnd === -1) return null;
    const size = parseInt(encoded.toString('latin1', at, lineEnd), 16);
    if (!Number.isFinite(size)) return Buffer.concat(pieces);
    if (size === 0) return Buffer.concat(pieces);
    if (encoded.length < lineEnd + 2 + size + 2) return null;
    pieces.push(encoded.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

/** The text of a response body, for messages. */
export function bodyText(response: RawResponse, max = 200): string {
  return response.body.toString('utf8', 0, Math.min(response.body.length, max));
}

/** A header's value, or undefined. */
export function header(response: RawResponse, name: string): string | undefined {
  return response.headers[name.toLowerCase()];
}

/** The parsed JSON body. */
export function json<T>(response: RawResponse): T {
  return JSON.parse(response.body.toString('utf8')) as T;
}
