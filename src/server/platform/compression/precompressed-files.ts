/**
 * The files the build compressed ahead of time (scripts/precompress.mjs writes `x.br` and `x.gz`
 * beside `x`), served in place of the original when the client accepts them. Compressing once at
 * build time lets Brotli use its slowest, smallest setting, and costs no CPU per request.
 *
 * The adapter's static handler (the `send` package) still serves the bytes: it is handed the path
 * of the compressed file, so ETags, `304 Not Modified`, HEAD and Content-Length come from the
 * file actually sent, and `/_astro/` keeps its immutable caching. Only the headers `send` would
 * get wrong for a `.br` name are set here first: `send` leaves a Content-Type already set alone.
 */
import { readdirSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { codingSuffix, precompressedExtensions, type ContentCoding } from './content-coding';

/** What `send` itself sends for these extensions (mime-types), so both variants carry one type. */
const typeByExtension: Readonly<Record<(typeof precompressedExtensions)[number], string>> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
};

/** URL paths of the client files (`/lessons/jwt/index.html`) with the codings built for each. */
export type PrecompressedIndex = ReadonlyMap<string, ReadonlySet<ContentCoding>>;

/** Lists the compressed variants in the client directory once, at start-up. */
export function indexPrecompressed(clientDirectory: string): PrecompressedIndex {
  const index = new Map<string, Set<ContentCoding>>();
  let files: string[];
  try {
    files = readdirSync(clientDirectory, { recursive: true, encoding: 'utf8' });
  } catch {
    return index;
  }
  for (const file of files) {
    for (const [coding, suffix] of Object.entries(codingSuffix) as [ContentCoding, string][]) {
      if (!file.endsWith(suffix)) continue;
      const original = '/' + file.slice(0, -suffix.length).split(path.sep).join('/');
      if (!(path.posix.extname(original) in typeByExtension)) continue;
      const codings = index.get(original) ?? new Set();
      codings.add(coding);
      index.set(original, codings);
    }
  }
  return index;
}

/**
 * Points the request at the compressed twin of the file it asks for, when there is one the
 * client accepts, and returns whether it did. Any file with twins gets `Vary: Accept-Encoding`,
 * whichever variant goes out, so a cache never hands gzip to a client that did not ask for it.
 *
 * A request with `Range` gets the original: a byte range of a Brotli stream is of no use to a
 * client resuming a download of the file it knows.
 */
export function servePrecompressed(
  request: IncomingMessage,
  response: ServerResponse,
  index: PrecompressedIndex,
  coding: ContentCoding | null,
): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  const url = request.url ?? '/';
  const queryStart = url.search(/[?#]/);
  const pathname = queryStart === -1 ? url : url.slice(0, queryStart);
  const file = fileFor(pathname, index);
  if (!file) return false;
  response.setHeader('Vary', 'Accept-Encoding');
  const codings = index.get(file.decoded);
  if (!coding || !codings?.has(coding) || request.headers.range !== undefined) return false;
  const extension = path.posix.extname(file.decoded) as keyof typeof typeByExtension;
  response.setHeader('Content-Type', typeByExtension[extension]);
  // Said only when `send` answers with the file; should it fall through to a page instead (the
  // file vanished since start-up), that page goes out as it is, under no false coding.
  const writeHead = response.writeHead;
  response.writeHead = function (this: ServerResponse, ...args: Parameters<typeof writeHead>) {
    if (args[0] === 200) this.setHeader('Content-Encoding', coding);
    return writeHead.apply(this, args);
  } as typeof writeHead;
  request.url =
    file.requested + codingSuffix[coding] + (queryStart === -1 ? '' : url.slice(queryStart));
  return true;
}

/**
 * The file the adapter would serve for this path: itself, or the directory's index.html (with or
 * without the trailing slash, as the adapter's `trailingSlash: 'ignore'` does).
 */
function fileFor(
  pathname: string,
  index: PrecompressedIndex,
): { decoded: string; requested: string } | null {
  let decoded: string;
  try {
    decoded = decodeURI(pathname);
  } catch {
    return null;
  }
  const tails = pathname.endsWith('/') ? ['index.html'] : ['', '/index.html'];
  for (const tail of tails) {
    if (index.has(decoded + tail)) return { decoded: decoded + tail, requested: pathname + tail };
  }
  return null;
}
