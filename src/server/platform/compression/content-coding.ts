/**
 * Which content coding a response may use: the client's `Accept-Encoding` decides
 * ([RFC 9110 §12.5.3](https://www.rfc-editor.org/rfc/rfc9110#section-12.5.3)), and only types
 * that shrink are worth the work (images, fonts and WebAssembly arrive compressed already).
 */

/** The codings this server sends, best first: Brotli beats gzip on text by a good margin. */
export type ContentCoding = 'br' | 'gzip';

/** Responses smaller than this go as they are: a few hundred bytes gain little and cost a stream. */
export const minimumCompressedBytes = 1024;

/**
 * The coding to send for this `Accept-Encoding`, or null for identity. A coding with `q=0` is
 * refused; `*` stands for any coding not named; among acceptable codings Brotli wins unless the
 * client ranks gzip higher.
 */
export function chooseCoding(acceptEncoding: string | string[] | undefined): ContentCoding | null {
  const header = Array.isArray(acceptEncoding) ? acceptEncoding.join(',') : (acceptEncoding ?? '');
  const weights = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name = '', ...parameters] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = parameters.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    weights.set(name, Number.isFinite(weight) ? weight : 0);
  }
  const wildcard = weights.get('*') ?? 0;
  const weightOf = (coding: ContentCoding) =>
    weights.get(coding) ?? (coding === 'gzip' ? weights.get('x-gzip') : undefined) ?? wildcard;
  const br = weightOf('br');
  const gzip = weightOf('gzip');
  if (br <= 0 && gzip <= 0) return null;
  return br >= gzip ? 'br' : 'gzip';
}

const compressibleTypes = [
  /^text\//,
  /^application\/(?:[\w.+-]+\+)?json\b/,
  /^application\/(?:x-)?javascript\b/,
  /^application\/(?:[\w.+-]+\+)?xml\b/,
  /^image\/svg\+xml\b/,
];

/** Whether a body of this `Content-Type` shrinks when compressed. */
export function isCompressibleType(contentType: string | number | string[] | undefined): boolean {
  if (typeof contentType !== 'string') return false;
  const type = contentType.trim().toLowerCase();
  return compressibleTypes.some((pattern) => pattern.test(type));
}

/** The file extensions the build precompresses (scripts/precompress.mjs), by their served type. */
export const precompressedExtensions = ['.html', '.css', '.js', '.mjs', '.svg', '.json'] as const;

/** The suffix of each coding's precompressed file beside the original. */
export const codingSuffix: Readonly<Record<ContentCoding, string>> = { br: '.br', gzip: '.gz' };
