import type { APIRoute } from 'astro';
import { handleDemoRequest } from '../../../lab/demo-handler';
import { getAppContext } from '../../../server/app-context';

export const prerender = false;

const handle: APIRoute = ({ params, request }) =>
  handleDemoRequest(getAppContext(), params.store ?? '', request);

export const GET = handle;
export const POST = handle;
export const DELETE = handle;
