/**
 * The learner's lesson states (GET) and a lesson marked started by its demo or by reading it to
 * the end (POST `{lesson, reason}`); see server/learner/progress-request.ts for who gets a learner.
 */
import type { APIRoute } from 'astro';
import { getLessonQuizMap } from '../../course/lesson-index';
import { getAppContext } from '../../server/platform/app-context';
import { handleProgressGet, handleProgressPost } from '../../server/learner/progress-request';

export const prerender = false;

export const GET: APIRoute = async (context) =>
  handleProgressGet(getAppContext(), context, await getLessonQuizMap());

export const POST: APIRoute = async (context) =>
  handleProgressPost(getAppContext(), context, await getLessonQuizMap());
