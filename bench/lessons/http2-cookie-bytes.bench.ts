/**
 * What a session cookie costs on the wire over HTTP/2, after HPACK header compression: Node's
 * own HTTP/2 client (nghttp2) sends five identical requests over one connection to a local
 * HTTP/2 server, through a counting proxy on 127.0.0.1 that reads the client's frames. The
 * figure is the HEADERS frame bytes (9-byte frame header + compressed header block, plus any
 * CONTINUATION frames) of each request. The table the cookie-size lesson quotes.
 *
 * Run: npm run bench -- bench/lessons/http2-cookie-bytes.bench.ts
 */
import http2 from 'node:http2';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { test } from 'vitest';
import { applyDemoAction } from '../../src/lab/demo-actions';
import { encodeFlaskSession } from '../../src/sessions/codecs/flask-session-cookie';
import { generateSessionToken } from '../../src/sessions/lucia-token';
import { benchSecret } from '../lib/bench-case';
import { table } from '../lib/report';
import { printMachine } from './machine';

const REQUESTS = 5;
const PREFACE_BYTES = 24;
const HEADERS = 0x1;
const CONTINUATION = 0x9;
const browserHeaders = {
  'user-agent':
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/143.0.0.0 Safari/537.36',
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8',
};

/** Counts HEADERS and CONTINUATION bytes per stream in the client-to-server byte stream. */
class FrameCounter {
  readonly headerBytes = new Map<number, number>();
  #buffer = Buffer.alloc(0);
  #prefaceSeen = false;

  push(chunk: Buffer): void {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    if (!this.#prefaceSeen) {
      if (this.#buffer.length < PREFACE_BYTES) return;
      this.#buffer = this.#buffer.subarray(PREFACE_BYTES);
      this.#prefaceSeen = true;
    }
    while (this.#buffer.length >= 9) {
      const length = this.#buffer.readUIntBE(0, 3);
      if (this.#buffer.length < 9 + length) return;
      const type = this.#buffer[3];
      const stream = this.#buffer.readUInt32BE(5) & 0x7fffffff;
      if (type === HEADERS || type === CONTINUATION) {
        this.headerBytes.set(stream, (this.headerBytes.get(stream) ?? 0) + 9 + length);
      }
      this.#buffer = this.#buffer.subarray(9 + length);
    }
  }
}

function listen(server: net.Server | http2.Http2Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

/** Five requests on one new connection; the HEADERS bytes the client sent for each. */
async function measure(serverPort: number, cookieFor: (request: number) => string | null) {
  const counter = new FrameCounter();
  const proxy = net.createServer((client) => {
    const upstream = net.connect(serverPort, '127.0.0.1');
    client.on('data', (chunk: Buffer) => {
      counter.push(chunk);
      upstream.write(chunk);
    });
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  const proxyPort = await listen(proxy);
  const session = http2.connect(`http://127.0.0.1:${proxyPort}`);
  const streams: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const cookie = cookieFor(i);
    const request = session.request({
      ':path': '/',
      ...browserHeaders,
      ...(cookie === null ? {} : { cookie }),
    });
    request.resume();
    await new Promise((resolve, reject) => {
      request.on('end', resolve);
      request.on('error', reject);
    });
    streams.push(request.id!);
  }
  session.close();
  proxy.close();
  return streams.map((id) => counter.headerBytes.get(id) ?? 0);
}

test('http2 cookie bytes', async () => {
  printMachine('HTTP/2 (HPACK): bytes the client sends per request, by cookie');
  const server = http2.createServer((_, res) => res.end('ok'));
  const serverPort = await listen(server);

  const token = `sqlite_session=${generateSessionToken().token}`;
  const flaskCookie = (bytes: number) =>
    encodeFlaskSession(applyDemoAction({}, { action: 'grow', bytes }), benchSecret);
  const medium = `session=${flaskCookie(2_000)}`;
  const largeData = applyDemoAction({}, { action: 'grow', bytes: 3_900 });
  const large = `session=${encodeFlaskSession(largeData, benchSecret)}`;
  const now = Math.floor(Date.now() / 1000);
  // Flask re-signs a permanent session on every response: same data, a new timestamp.
  const resigned = (i: number) =>
    `session=${encodeFlaskSession(largeData, benchSecret, { nowSeconds: now + i })}`;

  const cases: [string, (i: number) => string | null][] = [
    ['No cookie', () => null],
    [`SQLite token, ${token.length - 1} B name + value`, () => token],
    [`Flask signed cookie, ${medium.length - 1} B, same value`, () => medium],
    [`Flask signed cookie, ${large.length - 1} B, same value`, () => large],
    [`Flask signed cookie, ${large.length - 1} B, re-signed each time`, resigned],
  ];
  const rows: string[][] = [];
  for (const [label, cookieFor] of cases) {
    const bytes = await measure(serverPort, cookieFor);
    const rest = bytes.slice(1);
    const restText =
      Math.min(...rest) === Math.max(...rest)
        ? `${rest[0]} B`
        : `${Math.min(...rest)} to ${Math.max(...rest)} B`;
    rows.push([label, `${bytes[0]} B`, restText]);
  }
  server.close();
  console.log(
    `Node ${process.versions.node}, nghttp2 ${process.versions.nghttp2}; one connection per row, ${REQUESTS} requests each; browser-like User-Agent and Accept.\n`,
  );
  console.log(
    table(['Request carries', '1st request', `2nd to ${REQUESTS}th, each`], rows, new Set([1, 2])),
  );
});
