import type { APIRoute } from 'astro';
import {
  demoRequestFrom,
  handleDemoRequest,
  runDemoRequest,
  toHttpError,
} from '../../../server/demo/handler';
import type { StashedResult } from '../../../lab/result-stash';
import { getAppContext } from '../../../server/platform/app-context';
import { isHttps } from '../../../server/platform/client';
import { stashResultForBrowser } from '../../../server/demo/result-link';

export const prerender = false;

const handle: APIRoute = async (context) => {
  const app = getAppContext();
  // GET usually arrives through src/server/demo/direct-read.ts instead, with the same answer.
  const demo = demoRequestFrom(context, context.params.store ?? '');
  const { request } = demo;
  if (!isFormPostFromPage(request)) return handleDemoRequest(app, demo);

  // Without JavaScript: run the action, then show the same numbers on the demo page.
  const back = returnPath(await request.clone().text());
  let result: StashedResult;
  const headers = new Headers();
  try {
    const outcome = await runDemoRequest(app, demo);
    outcome.headers.getSetCookie().forEach((line) => headers.append('Set-Cookie', line));
    result = { ok: true, body: outcome.body };
  } catch (error) {
    const http = toHttpError(error);
    result = { ok: false, status: http.status, error: http.message };
  }
  const page = back ?? `/demos/${encodeURIComponent(demo.storeId)}/`;
  // The result shows the session's data: only this browser may see it (src/server/demo/result-link.ts).
  const link = stashResultForBrowser(result, page, isHttps(context));
  headers.append('Set-Cookie', link.setCookie);
  headers.set('Location', link.location);
  headers.set('Cache-Control', 'no-store');
  return new Response(null, { status: 303, headers });
};

/** A form may name the page to come back to (the data page does); only local paths are taken. */
function returnPath(form: string): string | null {
  const back = new URLSearchParams(form).get('return');
  return back && /^\/[a-z0-9/-]*$/.test(back) && !back.startsWith('//') ? back : null;
}

/** A browser submitting a form wants a page back; scripts and the panel ask for JSON. */
function isFormPostFromPage(request: Request): boolean {
  const type = request.headers.get('content-type') ?? '';
  const accept = request.headers.get('accept') ?? '';
  return (
    request.method === 'POST' &&
    type.startsWith('application/x-www-form-urlencoded') &&
    accept.includes('text/html') &&
    !accept.includes('application/json')
  );
}

export const GET = handle;
export const POST = handle;
export const DELETE = handle;
