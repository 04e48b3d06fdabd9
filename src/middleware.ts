/**
 * Responses rendered on request read or set a session (the learner's, or a demo store's), so no
 * browser or proxy may keep a copy: `Cache-Control: no-store` unless the route chose otherwise.
 * Prerendered pages hold no session and keep normal caching. The other security headers are set
 * for every response, static files included, in src/server/security-headers.ts.
 *
 * A page that sets `Astro.response.status` keeps Astro's default reason phrase, "OK", which the
 * Node adapter sends as is ("429 OK"); such a response gets the standard phrase for its status.
 */
import { defineMiddleware } from 'astro:middleware';
import { STATUS_CODES } from 'node:http';

export const onRequest = defineMiddleware(async (context, next) => {
  const response = withReasonPhrase(await next());
  if (context.isPrerendered || response.headers.has('Cache-Control')) return response;
  try {
    response.headers.set('Cache-Control', 'no-store');
    return response;
  } catch {
    // Responses made by Response.redirect() have immutable headers.
    const copy = new Response(response.body, response);
    copy.headers.set('Cache-Control', 'no-store');
    return copy;
  }
});

function withReasonPhrase(response: Response): Response {
  const phrase = STATUS_CODES[response.status];
  if (response.status === 200 || response.statusText !== 'OK' || phrase === undefined) {
    return response;
  }
  return new Response(response.body, {
    status: response.status,
    statusText: phrase,
    headers: response.headers,
  });
}
