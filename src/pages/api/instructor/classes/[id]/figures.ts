/** A class's live figures as JSON, which the dashboard polls every few seconds. */
import type { APIRoute } from 'astro';
import { getAppContext } from '../../../../../server/platform/app-context';
import { getClass } from '../../../../../server/instructor/classes';
import { HttpError } from '../../../../../server/platform/http';
import { requireInstructor } from '../../../../../server/instructor/auth';
import { liveClassFigures } from '../../../../../server/instructor/live-figures';
import { quizEntries } from '../../../../../server/instructor/quizzes';
import {
  answerInstructorRequest,
  instructorJson,
} from '../../../../../server/instructor/responses';

export const prerender = false;

export const GET: APIRoute = (context) =>
  answerInstructorRequest(async () => {
    const app = getAppContext();
    await requireInstructor(app, context);
    const classroom = await getClass(app.db, context.params.id ?? '');
    if (!classroom) throw new HttpError(404, 'no such class (it may have been deleted)');
    return instructorJson(200, await liveClassFigures(app, classroom.id, await quizEntries()));
  });
