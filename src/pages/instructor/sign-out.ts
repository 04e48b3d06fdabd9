/** Ends the instructor session (POST, origin-checked) and goes back to /instructor/. */
import type { APIRoute } from 'astro';
import { getAppContext } from '../../server/platform/app-context';
import { requestAsSent } from '../../server/platform/client';
import { assertSameOrigin, HttpError, jsonError } from '../../server/platform/http';
import { signOut } from '../../server/instructor/auth';

export const prerender = false;

export const POST: APIRoute = async (context) => {
  try {
    assertSameOrigin(requestAsSent(context));
  } catch (error) {
    if (error instanceof HttpError) return jsonError(error.status, error.message);
    throw error;
  }
  await signOut(getAppContext(), context);
  return context.redirect('/instructor/?signed-out', 303);
};
