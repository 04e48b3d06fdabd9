/**
 * Compression by the Node server itself, so HTML, CSS and JavaScript cross the wire as Brotli (or
 * gzip for clients without it) with no proxy in front: files compressed at build time where there
 * are some (precompressed-files.ts), responses made on request compressed as they stream
 * (on-the-fly.ts). Clients that accept neither get the bytes as they are.
 */
import type { RequestListener } from '../front-door/front-door';
import { chooseCoding } from './content-coding';
import { indexPrecompressed, servePrecompressed } from './precompressed-files';
import { compressOnTheFly } from './on-the-fly';

/** Wraps the adapter's listener; `clientDirectory` is where the build put the static files. */
export function withCompression(next: RequestListener, clientDirectory: string): RequestListener {
  const precompressed = indexPrecompressed(clientDirectory);
  return (request, response) => {
    const coding = chooseCoding(request.headers['accept-encoding']);
    if (!servePrecompressed(request, response, precompressed, coding)) {
      compressOnTheFly(request, response, coding);
    }
    next(request, response);
  };
}
