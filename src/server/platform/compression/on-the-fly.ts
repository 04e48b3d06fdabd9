/**
 * Compression of responses made on request (server-rendered pages, API JSON) as they stream out.
 * The decision waits for the response's head and its first kilobyte: a type that does not shrink,
 * a body that is already encoded, a partial or empty answer, or a body under
 * `minimumCompressedBytes` goes out untouched; anything else is compressed by a `node:zlib`
 * stream, Brotli at a low quality because this runs on every request.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Transform } from 'node:stream';
import { constants, createBrotliCompress, createGzip } from 'node:zlib';
import { isCompressibleType, minimumCompressedBytes, type ContentCoding } from './content-coding';

/**
 * Left as they are, on purpose. The demo API's answers are what the DevTools-style panel
 * measures: it shows the server's count of body bytes beside the browser's "Transferred" and
 * "Encoded body", and the lesson compares those with cookie and header sizes; compression would
 * make the wire figures disagree with the server's and mix a compression ratio into a lesson
 * about cookie bytes. They also echo the session's contents next to what the learner typed, the
 * shape of response that BREACH (https://www.breachattack.com/) reads secrets from by length.
 * The no-JavaScript demo pages show the same exchange, so they are left alone for the same reason.
 */
const uncompressedPrefixes = ['/api/demo/', '/demos/'];

/** Brotli's quality runs 0–11; 4 is several times faster than 11 and still beats gzip on text. */
const onTheFlyBrotliQuality = 4;

/** Prepares `response` to compress its body, if it turns out to be worth it. */
export function compressOnTheFly(
  request: IncomingMessage,
  response: ServerResponse,
  coding: ContentCoding | null,
): void {
  const url = request.url ?? '/';
  if (uncompressedPrefixes.some((prefix) => url.startsWith(prefix))) return;
  const original = { writeHead: response.writeHead, write: response.write, end: response.end };
  const restore = () => Object.assign(response, original);
  // The originals, callable without their overloads getting in the way.
  const writeOriginal = (...args: unknown[]) =>
    (original.write as (...a: unknown[]) => boolean).apply(response, args);
  const endOriginal = (...args: unknown[]) =>
    (original.end as (...a: unknown[]) => ServerResponse).apply(response, args);
  let held: Buffer[] | null = null;
  let heldBytes = 0;
  let compressor: Transform | null = null;

  const sendHead = () => original.writeHead.call(response, response.statusCode);

  const startCompressing = (sizeHint: number | undefined) => {
    compressor = createCompressor(coding!, sizeHint);
    response.removeHeader('Content-Length');
    response.setHeader('Content-Encoding', coding!);
    const etag = response.getHeader('ETag');
    // The compressed bytes are not the bytes a strong validator names.
    if (typeof etag === 'string' && !etag.startsWith('W/')) response.setHeader('ETag', `W/${etag}`);
    sendHead();
    const stream = compressor;
    stream.on('data', (chunk: Buffer) => {
      if (!writeOriginal(chunk)) stream.pause();
    });
    response.on('drain', () => stream.resume());
    stream.on('error', (error) => response.destroy(error));
    response.on('close', () => stream.destroy());
    const body = Buffer.concat(held ?? []);
    held = null;
    if (body.byteLength > 0) stream.write(body);
  };

  response.writeHead = function (this: ServerResponse, statusCode: number, ...rest: unknown[]) {
    const headers = typeof rest[0] === 'string' ? rest[1] : rest[0];
    if (Array.isArray(headers)) {
      restore();
      return (original.writeHead as (...args: unknown[]) => ServerResponse).call(
        this,
        statusCode,
        ...rest,
      );
    }
    if (typeof rest[0] === 'string') this.statusMessage = rest[0];
    for (const [name, value] of Object.entries((headers ?? {}) as Record<string, unknown>)) {
      if (value !== undefined) this.setHeader(name, value as string | string[] | number);
    }
    this.statusCode = statusCode;
    if (!mayCompress(this)) {
      restore();
      return sendHead();
    }
    appendVary(this);
    const declared = Number(this.getHeader('Content-Length') ?? Number.NaN);
    if (coding === null || declared < minimumCompressedBytes) {
      restore();
      return sendHead();
    }
    held = [];
    return this;
  } as ServerResponse['writeHead'];

  response.write = function (this: ServerResponse, chunk: unknown, ...rest: unknown[]) {
    if (!this.headersSent && held === null && compressor === null) this.writeHead(this.statusCode);
    const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    const encoding = typeof rest[0] === 'string' ? (rest[0] as BufferEncoding) : undefined;
    if (compressor) return compressor.write(toBuffer(chunk, encoding), callback);
    if (held === null) return writeOriginal(chunk, ...rest);
    held.push(toBuffer(chunk, encoding));
    heldBytes += held.at(-1)!.byteLength;
    if (heldBytes >= minimumCompressedBytes) startCompressing(undefined);
    if (callback) process.nextTick(callback);
    return true;
  } as ServerResponse['write'];

  response.end = function (this: ServerResponse, ...args: unknown[]) {
    if (!this.headersSent && held === null && compressor === null) this.writeHead(this.statusCode);
    const callback = args.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    const chunk = typeof args[0] === 'function' ? undefined : args[0];
    const encoding = typeof args[1] === 'string' ? (args[1] as BufferEncoding) : undefined;
    if (held !== null) {
      if (chunk !== undefined && chunk !== null) {
        held.push(toBuffer(chunk, encoding));
        heldBytes += held.at(-1)!.byteLength;
      }
      if (heldBytes >= minimumCompressedBytes) {
        startCompressing(heldBytes);
      } else {
        // The whole body is known and small: it goes as it is, with its length.
        const body = Buffer.concat(held);
        held = null;
        restore();
        this.setHeader('Content-Length', body.byteLength);
        sendHead();
        return endOriginal(body, callback);
      }
    } else if (chunk !== undefined && chunk !== null && compressor) {
      (compressor as Transform).write(toBuffer(chunk, encoding));
    }
    if (!compressor) return endOriginal(...args);
    const stream: Transform = compressor;
    stream.once('end', () => endOriginal(callback));
    stream.end();
    return this;
  } as ServerResponse['end'];
}

/** Whether this response, by its status and headers, is one to compress. */
function mayCompress(response: ServerResponse): boolean {
  const status = response.statusCode;
  if (status < 200 || status === 204 || status === 206 || status === 304) return false;
  if (response.req.method === 'HEAD') return false;
  if (response.getHeader('Content-Encoding') !== undefined) return false;
  // Files the static handler serves (it offers ranges) were compressed at build time or are small.
  if (response.getHeader('Accept-Ranges') !== undefined) return false;
  if (/\bno-transform\b/i.test(String(response.getHeader('Cache-Control') ?? ''))) return false;
  return isCompressibleType(response.getHeader('Content-Type'));
}

function appendVary(response: ServerResponse): void {
  const vary = String(response.getHeader('Vary') ?? '');
  if (/(^|,)\s*(\*|accept-encoding)\s*(,|$)/i.test(vary)) return;
  response.setHeader('Vary', vary ? `${vary}, Accept-Encoding` : 'Accept-Encoding');
}

function createCompressor(coding: ContentCoding, sizeHint: number | undefined): Transform {
  if (coding === 'gzip') return createGzip();
  return createBrotliCompress({
    params: {
      [constants.BROTLI_PARAM_QUALITY]: onTheFlyBrotliQuality,
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      ...(sizeHint !== undefined && { [constants.BROTLI_PARAM_SIZE_HINT]: sizeHint }),
    },
  });
}

function toBuffer(chunk: unknown, encoding: BufferEncoding | undefined): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array)
    return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return Buffer.from(String(chunk), encoding);
}
