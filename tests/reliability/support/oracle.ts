/**
 * What every answer must look like, whatever was asked. Each rule returns a short name and the
 * detail, so a run can group thousands of answers by the rule they broke.
 */
import { METHODS, STATUS_CODES } from 'node:http';
import { bodyText, header, type RawResponse } from './http-client';
import type { FuzzCase } from './fuzz-case';
import { allowedMethods } from './routes';
import { storesNeedingAService } from '../../support/registry-fixture';

export interface Violation {
  rule: string;
  detail: string;
}

/** The stores that answer 503 when their server is not configured or not reachable. */
const serviceStores = new Set<string>(storesNeedingAService());
const validInstances = new Set(['1', '2', '3', '4', 'fresh']);

/**
 * Judges one exchange. `response` is null when the connection closed without an answer.
 */
export function judge(sent: FuzzCase, response: RawResponse | null, alive: boolean): Violation[] {
  const violations: Violation[] = [];
  const add = (rule: string, detail: string) => violations.push({ rule, detail });
  if (!alive) add('server process died', 'the process exited or stopped answering /healthz');
  if (response === null) {
    // Node answers CONNECT only to a 'connect' listener; without one it drops the socket, and
    // that is a fine answer to a proxy request a web site does not serve.
    if (sent.method !== 'CONNECT') add('no answer', 'the connection closed without a response');
    return violations;
  }
  // Node's own parser refuses methods it does not know (TRACK) with a bare 400 before the site
  // sees the request; the site cannot shape that answer.
  if (!METHODS.includes(sent.method)) {
    if (response.status !== 400) add('unknown method not refused', `answered ${response.status}`);
    return violations;
  }
  const status = response.status;
  const isApi = pathOf(sent).startsWith('/api/');
  const expectedText = STATUS_CODES[status];
  if (response.statusMessage !== expectedText) {
    add('status text', `${status} "${response.statusMessage}", expected "${expectedText}"`);
  }
  if (status >= 500 && !isDocumented503(sent, response)) {
    add('5xx', `${status} ${bodyText(response)}`);
  }
  if (status >= 400 && status < 500) {
    if (isApi) checkApiError(sent, response, add);
    else checkPageError(sent, response, add);
  }
  if (status === 405 && isApi && !header(response, 'allow')) add('405 without Allow', '');
  if (status === 429 && !header(response, 'retry-after')) add('429 without Retry-After', '');
  if (status >= 300 && status < 400 && status !== 304 && !header(response, 'location')) {
    add('redirect without Location', String(status));
  }
  checkMethodSupport(sent, response, add);
  checkInstance(sent, response, add);
  return violations;
}

type Add = (rule: string, detail: string) => void;

function pathOf(sent: FuzzCase): string {
  return sent.path.split('?', 1)[0]!;
}

/** Only the demos of stores that need a service may answer 503, and only with a JSON reason. */
function isDocumented503(sent: FuzzCase, response: RawResponse): boolean {
  const store = /^\/api\/demo\/([^/?]+)\/?$/.exec(pathOf(sent))?.[1];
  return (
    response.status === 503 &&
    store !== undefined &&
    serviceStores.has(store) &&
    (sent.method === 'HEAD' || jsonError(response) !== null)
  );
}

function checkApiError(sent: FuzzCase, response: RawResponse, add: Add): void {
  const type = header(response, 'content-type') ?? '';
  if (!type.startsWith('application/json')) {
    add('API 4xx not JSON', `${response.status} with Content-Type "${type}"`);
    return;
  }
  if (sent.method !== 'HEAD' && jsonError(response) === null) {
    add('API 4xx without { error }', `${response.status} ${bodyText(response)}`);
  }
}

function checkPageError(sent: FuzzCase, response: RawResponse, add: Add): void {
  if (sent.method === 'HEAD') return;
  const type = header(response, 'content-type') ?? '';
  if (response.body.length === 0) add('page 4xx with empty body', String(response.status));
  else if (!type.startsWith('text/html') && !type.startsWith('application/json')) {
    add('page 4xx not HTML', `${response.status} with Content-Type "${type}"`);
  }
}

/** An API endpoint asked with a method it does not export must say 405, not 404 or 200. */
function checkMethodSupport(sent: FuzzCase, response: RawResponse, add: Add): void {
  const api = sent.route?.kind === 'api' && sent.canonical;
  const allowed = api ? allowedMethods(sent.route!) : null;
  if (!allowed || allowed.includes(sent.method) || allowed.includes('ALL')) return;
  if (sent.method === 'OPTIONS' && response.status < 300 && header(response, 'allow')) return;
  if (response.status !== 405) {
    add(
      'unsupported method not 405',
      `${sent.method} on ${sent.route!.pattern} → ${response.status}`,
    );
  }
}

/** Only 1–4 and `fresh` name an instance; `01` or `1.0` must not make a new one. */
function checkInstance(sent: FuzzCase, response: RawResponse, add: Add): void {
  if (!sent.route?.pattern.startsWith('/api/demo/') || response.status !== 200) return;
  const url = new URL(sent.path, 'http://site.invalid');
  const instance = url.searchParams.get('instance');
  if (instance !== null && !validInstances.has(instance)) {
    add('instance alias accepted', `?instance=${JSON.stringify(instance)} answered 200`);
  }
}

/** The `error` message of a JSON error body, or null when the body is not one. */
export function jsonError(response: RawResponse): string | null {
  try {
    const parsed: unknown = JSON.parse(response.body.toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null && 'error' in parsed) {
      const { error } = parsed as { error: unknown };
      return typeof error === 'string' && error.length > 0 ? error : null;
    }
  } catch {
    // not JSON
  }
  return null;
}
