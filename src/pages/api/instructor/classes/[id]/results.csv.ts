/** A class's quiz results as a CSV download, with per-class pseudonyms instead of learner ids. */
import type { APIRoute } from 'astro';
import { getAppContext } from '../../../../../server/platform/app-context';
import { getClass } from '../../../../../server/instructor/classes';
import { HttpError } from '../../../../../server/platform/http';
import { requireInstructor } from '../../../../../server/instructor/auth';
import { classResultsCsv } from '../../../../../server/instructor/results-csv';
import { quizTitles } from '../../../../../server/instructor/quizzes';
import { answerInstructorRequest } from '../../../../../server/instructor/responses';

export const prerender = false;

export const GET: APIRoute = (context) =>
  answerInstructorRequest(async () => {
    const app = getAppContext();
    await requireInstructor(app, context);
    const classroom = await getClass(app.db, context.params.id ?? '');
    if (!classroom) throw new HttpError(404, 'no such class (it may have been deleted)');
    const { csv, rows, truncated } = await classResultsCsv(
      app.db,
      classroom.id,
      await quizTitles(),
    );
    const day = new Date().toISOString().slice(0, 10);
    return new Response(csv, {
      headers: {
        'Content-Type': 'text/csv; charset=utf-8; header=present',
        'Content-Disposition': `attachment; filename="session-lab-${classroom.code}-results-${day}.csv"`,
        'Cache-Control': 'no-store',
        'X-Result-Rows': String(rows),
        ...(truncated && { 'X-Result-Truncated': 'true' }),
      },
    });
  });
