/**
 * Compression on the built server, read on the wire with node:http (fetch would decode the body
 * and hide the coding): build-time Brotli and gzip variants of static files, on-the-fly
 * compression of pages rendered on request, identity for clients that ask for it and for the demo
 * API the panel measures, and the HTTP features a coding must not break (HEAD, ranges, 304s,
 * immutable caching of hashed assets).
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, inject, it } from 'vitest';

const baseURL = inject('baseURL');

interface WireAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body as it crossed the wire, still encoded. */
  body: Buffer;
}

function get(
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<WireAnswer> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(`${baseURL}${path}`, { method, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks),
        }),
      );
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

const decoders = { br: brotliDecompressSync, gzip: gunzipSync } as const;

const lessonPage = '/lessons/cookie-size/';

describe('a prerendered page', () => {
  let identity: WireAnswer;
  beforeAll(async () => {
    identity = await get(lessonPage, { 'Accept-Encoding': 'identity' });
  });

  it('goes as it is to a client that accepts no coding, marked as varying by it', async () => {
    for (const answer of [identity, await get(lessonPage)]) {
      expect(answer.status).toBe(200);
      expect(answer.headers['content-encoding']).toBeUndefined();
      expect(answer.headers.vary).toMatch(/accept-encoding/i);
      expect(Number(answer.headers['content-length'])).toBe(answer.body.byteLength);
      expect(answer.body.toString('utf8')).toMatch(/^<!DOCTYPE html>/i);
    }
  });

  for (const coding of ['br', 'gzip'] as const) {
    it(`goes as ${coding} to a client that accepts it, decoding to the same bytes`, async () => {
      const answer = await get(lessonPage, { 'Accept-Encoding': coding });
      expect(answer.status).toBe(200);
      expect(answer.headers['content-encoding']).toBe(coding);
      expect(answer.headers.vary).toMatch(/accept-encoding/i);
      expect(answer.headers['content-type']).toBe(identity.headers['content-type']);
      expect(Number(answer.headers['content-length'])).toBe(answer.body.byteLength);
      expect(answer.body.byteLength).toBeLessThan(identity.body.byteLength / 2);
      expect(decoders[coding](answer.body).equals(identity.body)).toBe(true);
      // Its own validator: a cache must not take one coding's bytes for the other's.
      expect(answer.headers.etag).not.toBe(identity.headers.etag);
    });
  }

  it('prefers Brotli when both are offered, gzip when Brotli is refused', async () => {
    const browserLike = await get(lessonPage, { 'Accept-Encoding': 'gzip, deflate, br, zstd' });
    expect(browserLike.headers['content-encoding']).toBe('br');
    const noBrotli = await get(lessonPage, { 'Accept-Encoding': 'br;q=0, gzip' });
    expect(noBrotli.headers['content-encoding']).toBe('gzip');
  });

  it('answers HEAD with the headers of the encoded GET and no body', async () => {
    const head = await get(lessonPage, { 'Accept-Encoding': 'br' }, 'HEAD');
    const full = await get(lessonPage, { 'Accept-Encoding': 'br' });
    expect(head.status).toBe(200);
    expect(head.headers['content-encoding']).toBe('br');
    expect(head.headers['content-length']).toBe(full.headers['content-length']);
    expect(head.headers.etag).toBe(full.headers.etag);
    expect(head.body.byteLength).toBe(0);
  });

  it('answers 304 to a revalidation with the encoded variant’s ETag', async () => {
    const full = await get(lessonPage, { 'Accept-Encoding': 'br' });
    const again = await get(lessonPage, {
      'Accept-Encoding': 'br',
      'If-None-Match': String(full.headers.etag),
    });
    expect(again.status).toBe(304);
    expect(again.body.byteLength).toBe(0);
  });

  it('serves a byte range from the original file, whatever the client accepts', async () => {
    const range = await get(lessonPage, { 'Accept-Encoding': 'br, gzip', Range: 'bytes=10-59' });
    expect(range.status).toBe(206);
    expect(range.headers['content-encoding']).toBeUndefined();
    expect(range.headers['content-range']).toBe(`bytes 10-59/${identity.body.byteLength}`);
    expect(range.body.equals(identity.body.subarray(10, 60))).toBe(true);
  });
});

describe('a hashed asset under /_astro/', () => {
  it('is cached for a year as immutable, in every coding', async () => {
    const page = (await get(lessonPage)).body.toString('utf8');
    const script = page.match(/\/_astro\/[\w.-]+\.js/)?.[0];
    expect(script, 'the lesson page names a script under /_astro/').toBeDefined();
    const identity = await get(script!);
    for (const coding of ['br', 'gzip', 'identity'] as const) {
      const answer = await get(script!, { 'Accept-Encoding': coding });
      expect(answer.status).toBe(200);
      expect(answer.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(answer.headers['content-type']).toMatch(/^text\/javascript/);
      const decoded = coding === 'identity' ? answer.body : decoders[coding](answer.body);
      expect(decoded.equals(identity.body)).toBe(true);
    }
  });
});

describe('a response made on request', () => {
  it('is compressed as it streams, without a stale Content-Length', async () => {
    // The 404 page is rendered by the server for any unknown path.
    const identity = await get('/no-such-page-here/', { 'Accept-Encoding': 'identity' });
    expect(identity.status).toBe(404);
    expect(identity.headers['content-encoding']).toBeUndefined();
    for (const coding of ['br', 'gzip'] as const) {
      const answer = await get('/no-such-page-here/', { 'Accept-Encoding': coding });
      expect(answer.status).toBe(404);
      expect(answer.headers['content-encoding']).toBe(coding);
      expect(answer.headers.vary).toMatch(/accept-encoding/i);
      expect(answer.headers['content-length']).toBeUndefined();
      expect(decoders[coding](answer.body).equals(identity.body)).toBe(true);
    }
  });

  it('goes as it is when it is under a kilobyte, with its length', async () => {
    const answer = await get('/healthz', { 'Accept-Encoding': 'br' });
    expect(answer.body.byteLength).toBeLessThan(1024);
    expect(answer.headers['content-encoding']).toBeUndefined();
    expect(Number(answer.headers['content-length'])).toBe(answer.body.byteLength);
    expect(JSON.parse(answer.body.toString('utf8'))).toHaveProperty('status', 'ok');
  });

  it('is never compressed from the demo API, whose bytes the panel reports', async () => {
    const answer = await get('/api/demo/plain-cookie', { 'Accept-Encoding': 'br, gzip' });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-encoding']).toBeUndefined();
    expect(answer.headers['server-timing']).toBeDefined();
    const report = JSON.parse(answer.body.toString('utf8')) as {
      wire: { response: { bodyBytes: number } };
    };
    expect(report.wire.response.bodyBytes).toBe(answer.body.byteLength);
  });
});
