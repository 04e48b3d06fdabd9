/** What every instructor page does first: read the session and mark the response private. */
import type { AppContext } from '../platform/app-context';
import { instructorAccess, type InstructorAccess, type InstructorRequest } from './auth';

export interface InstructorPageContext extends InstructorRequest {
  response: { status?: number; headers: Headers };
}

export async function openInstructorPage(
  app: AppContext,
  astro: InstructorPageContext,
): Promise<InstructorAccess> {
  astro.response.headers.set('Cache-Control', 'no-store');
  // Nothing here is for search engines, even when a deployment is public.
  astro.response.headers.set('X-Robots-Tag', 'noindex');
  const access = await instructorAccess(app, astro);
  if (access.state === 'closed') astro.response.status = 403;
  return access;
}
