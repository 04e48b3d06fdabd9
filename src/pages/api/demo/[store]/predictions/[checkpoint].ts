/**
 * A "predict, then press" checkpoint of one demo store. It lives under the store's demo address
 * so the store's cookie (scoped to `/api/demo/<store>`) comes with the request: the press acts on
 * the learner's own demo session.
 */
import type { APIRoute } from 'astro';
import { getAppContext } from '../../../../../server/platform/app-context';
import {
  handlePredictionGet,
  handlePredictionPost,
} from '../../../../../server/demo/prediction-request';

export const prerender = false;

export const GET: APIRoute = (context) => handlePredictionGet(getAppContext(), context);
export const POST: APIRoute = (context) => handlePredictionPost(getAppContext(), context);
