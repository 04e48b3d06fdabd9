/** Small helpers shared by the API routes: JSON errors, origin checks and bounded bodies. */

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/**
 * An answer whose body is already text, for code that writes it to Node itself (the direct demo
 * read, src/server/platform/front-door/api-handler.ts) without a `Response` in between.
 */
export interface SerializedAnswer {
  status: number;
  headers: Headers;
  body: string;
}

export function jsonError(
  status: number,
  message: string,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify({ error: message }), {
    status,
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control': 'no-store',
      ...headers,
    },
  });
}

/**
 * Refuses state changes started by another site. Browsers send `Sec-Fetch-Site` and `Origin`
 * on such requests; scripts like curl send neither and are allowed, as they carry no victim's cookies.
 */
// #region same-origin
export function assertSameOrigin(request: Request): void {
  const fetchSite = request.headers.get('sec-fetch-site');
  if (fetchSite && fetchSite !== 'same-origin' && fetchSite !== 'none') {
    throw new HttpError(403, `cross-origin request refused (Sec-Fetch-Site: ${fetchSite})`);
  }
  const origin = request.headers.get('origin');
  if (origin && origin !== new URL(request.url).origin) {
    throw new HttpError(403, `cross-origin request refused (Origin: ${origin.slice(0, 100)})`);
  }
}
// #endregion same-origin

export const maxBodyBytes = 16 * 1024;

/** Reads a JSON or form body of at most `maxBodyBytes`, as a plain object of fields. */
export async function readFields(request: Request): Promise<Record<string, unknown>> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > maxBodyBytes) {
    throw new HttpError(413, `the request body is over ${maxBodyBytes} bytes`);
  }
  const text = await readBoundedText(request);
  const type = (request.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') {
    return Object.fromEntries(new URLSearchParams(text));
  }
  if (type === 'application/json' || (type === '' && text.trim().startsWith('{'))) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
        return parsed as Record<string, unknown>;
      }
    } catch {
      // fall through to the error below
    }
    throw new HttpError(400, 'the body is not a JSON object');
  }
  throw new HttpError(415, 'send application/json or a form (application/x-www-form-urlencoded)');
}

export async function readBoundedText(request: Request): Promise<string> {
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBodyBytes) {
      await reader.cancel();
      throw new HttpError(413, `the request body is over ${maxBodyBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
