/**
 * `GET /api/demo/:store` answered without the framework's per-request work: the same demo report
 * as src/pages/api/demo/[store].ts gives a GET (that route still answers every other method, and
 * form posts), built from the same request context.
 *
 * Why: a demo read is the request a class sends most, and measured on one process (eight
 * alternating rounds on a shared 2-core machine) rendering it through Astro's pipeline (routing,
 * middleware, a `Response` turned back into Node's) cost a median of about 690 µs of CPU per
 * request, this path about 400 µs. The report is handed over as text, not as a `Response` whose
 * body would be read back. The front door's checks and security headers apply as before;
 * `Cache-Control: no-store`, which src/middleware.ts adds to on-demand answers, the report sets
 * itself.
 */
import type { RequestContext } from '../platform/client';
import { getAppContext } from '../platform/app-context';
import type { SerializedAnswer } from '../platform/http';
import { demoRequestFrom, serializeDemoRequest } from './handler';

/** The path of a demo read: `/api/demo/` and a store id (the id is checked by the handler). */
const demoReadPath = /^\/api\/demo\/([A-Za-z0-9-]{1,40})$/;

/** The store id when `pathname` is a demo read, else null. */
export function demoReadStore(pathname: string): string | null {
  return demoReadPath.exec(pathname)?.[1] ?? null;
}

export function readDemo(
  context: RequestContext,
  storeId: string,
): Promise<SerializedAnswer | Response> {
  return serializeDemoRequest(getAppContext(), demoRequestFrom(context, storeId));
}
