/**
 * Responses rendered on request read or set a session (the learner's, or a demo store's), so no
 * browser or proxy may keep a copy: `Cache-Control: no-store` unless the route chose otherwise.
 * Prerendered pages hold no session and keep normal caching. The other security headers are set
 * for every response, static files included, in src/server/platform/security-headers.ts.
 */
import { defineMiddleware } from 'astro:middleware';

export const onRequest = defineMiddleware(async (context, next) => {
  const response = await next();
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
