/**
 * Empties every demo session in every store (see `server/reset-demo-sessions.ts`). Destructive, so
 * the body must say so: `{"confirm":"RESET"}` or the form field `confirm=RESET`.
 */
import type { APIRoute } from 'astro';
import { getAppContext } from '../../../server/platform/app-context';
import { requestAsSent } from '../../../server/platform/client';
import { assertSameOrigin, HttpError, readFields } from '../../../server/platform/http';
import { requireInstructor } from '../../../server/instructor/auth';
import { answerInstructorRequest, instructorJson } from '../../../server/instructor/responses';
import { resetDemoSessions } from '../../../server/instructor/reset-demo-sessions';

export const prerender = false;

export const POST: APIRoute = (context) =>
  answerInstructorRequest(async () => {
    const app = getAppContext();
    const request = requestAsSent(context);
    assertSameOrigin(request);
    await requireInstructor(app, context);
    const fields = await readFields(request);
    if (fields.confirm !== 'RESET') {
      throw new HttpError(400, 'send confirm=RESET to empty every demo session in every store');
    }
    const report = await resetDemoSessions({
      db: app.db,
      stores: app.stores,
      instances: app.instances,
    });
    return instructorJson(report.complete ? 200 : 503, report);
  });
