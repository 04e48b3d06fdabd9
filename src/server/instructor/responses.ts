/** Response helpers for the instructor's JSON routes. */
import { HttpError, jsonError } from '../platform/http';

export function instructorJson(status: number, body: unknown, headers?: HeadersInit): Response {
  const response = new Response(JSON.stringify(body), { status, headers });
  response.headers.set('Content-Type', 'application/json; charset=utf-8');
  response.headers.set('Cache-Control', 'no-store');
  return response;
}

/** Runs a route's work; an HttpError becomes its JSON error, anything else stays a 500. */
export async function answerInstructorRequest(work: () => Promise<Response>): Promise<Response> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof HttpError) return jsonError(error.status, error.message, error.headers);
    throw error;
  }
}
