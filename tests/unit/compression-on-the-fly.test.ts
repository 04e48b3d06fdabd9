/**
 * On-the-fly compression against a real node:http server and client, with handlers that answer
 * the way Astro's adapter does (writeHead with a headers object, then chunks) or the way Node's
 * own code does (setHeader, then end).
 */
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compressOnTheFly } from '../../src/server/platform/compression/on-the-fly';
import { chooseCoding } from '../../src/server/platform/compression/content-coding';

const page = `<!doctype html><p>${'Session data lives somewhere. '.repeat(200)}</p>`;

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    compressOnTheFly(req, res, chooseCoding(req.headers['accept-encoding']));
    const path = req.url ?? '/';
    if (path === '/streamed' || path === '/api/demo/memory') {
      // As Astro writes a response: head with a headers object, then chunk after chunk.
      const type = path === '/streamed' ? 'text/html' : 'application/json';
      res.writeHead(200, { 'content-type': type, 'server-timing': 'load;dur=0.1' });
      for (let at = 0; at < page.length; at += 300) res.write(page.slice(at, at + 300));
      res.end();
    } else if (path === '/small') {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ ok: true }));
    } else if (path === '/image') {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end(Buffer.alloc(4096, 7));
    } else if (path === '/no-transform') {
      res.writeHead(200, { 'content-type': 'text/html', 'cache-control': 'no-transform' });
      res.end(page);
    } else {
      res.writeHead(404, { 'content-type': 'text/html; charset=utf-8' });
      res.end(page);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function get(
  path: string,
  acceptEncoding: string,
  method = 'GET',
): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      `${base}${path}`,
      { method, headers: { 'Accept-Encoding': acceptEncoding } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks),
          }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end();
  });
}

describe('compressOnTheFly', () => {
  it('compresses a streamed page as Brotli or gzip, keeping its other headers', async () => {
    for (const [coding, decode] of [
      ['br', brotliDecompressSync],
      ['gzip', gunzipSync],
    ] as const) {
      const answer = await get('/streamed', coding);
      expect(answer.headers['content-encoding']).toBe(coding);
      expect(answer.headers.vary).toBe('Accept-Encoding');
      expect(answer.headers['content-length']).toBeUndefined();
      expect(answer.headers['server-timing']).toBe('load;dur=0.1');
      expect(answer.body.byteLength).toBeLessThan(page.length / 10);
      expect(decode(answer.body).toString('utf8')).toBe(page);
    }
  });

  it('compresses error pages too, with their status', async () => {
    const answer = await get('/missing', 'br');
    expect(answer.status).toBe(404);
    expect(brotliDecompressSync(answer.body).toString('utf8')).toBe(page);
  });

  it('sends identity to a client that accepts no coding it has', async () => {
    const answer = await get('/streamed', 'identity');
    expect(answer.headers['content-encoding']).toBeUndefined();
    expect(answer.headers.vary).toBe('Accept-Encoding');
    expect(answer.body.toString('utf8')).toBe(page);
  });

  it('sends a body under a kilobyte as it is, with its length', async () => {
    const answer = await get('/small', 'br');
    expect(answer.headers['content-encoding']).toBeUndefined();
    expect(answer.headers['content-length']).toBe(String(answer.body.byteLength));
    expect(JSON.parse(answer.body.toString('utf8'))).toEqual({ ok: true });
  });

  it('leaves types that do not shrink, no-transform and the demo API alone', async () => {
    for (const path of ['/image', '/no-transform', '/api/demo/memory']) {
      const answer = await get(path, 'br, gzip');
      expect(answer.headers['content-encoding'], path).toBeUndefined();
    }
    const demo = await get('/api/demo/memory', 'br');
    expect(demo.body.toString('utf8')).toBe(page);
  });

  it('answers HEAD with no body and no coding', async () => {
    const answer = await get('/streamed', 'br', 'HEAD');
    expect(answer.status).toBe(200);
    expect(answer.body.byteLength).toBe(0);
    expect(answer.headers['content-encoding']).toBeUndefined();
  });
});
