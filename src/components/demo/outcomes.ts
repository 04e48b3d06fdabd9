/**
 * What a demo action showed, in one or two sentences, from the server's answers: the console's
 * notice after a forgery, a restart, a revocation, and how it words a failed request.
 */
import type { DemoResponse } from '../../lab/demo-api';
import type { Exchange } from './exchange';

/** What the console says after an action, above the session. */
export interface Notice {
  /** `lesson`: the store cannot do this, and why; `info`: what the action did. */
  tone: 'info' | 'lesson';
  title: string;
  lines: string[];
}

/** How the store treated a forged cookie, read from the request that followed the forgery. */
export function tamperOutcome(read: DemoResponse, changed: boolean): string {
  const where = read.store.where;
  if (!changed) {
    return 'You sent the value unchanged, so this is no forgery: the server read the cookie as before.';
  }
  switch (read.status) {
    case 'tampered':
      return `Rejected: ${read.reason ?? 'the cookie failed its integrity check'}. The server ignored the forged cookie and started an empty session.`;
    case 'expired':
      return `Rejected as expired: ${read.reason ?? 'the cookie is too old'}.`;
    case 'ok':
      return where === 'browser'
        ? 'Accepted: nothing in this cookie can show an edit, so the server believed the forgery. Whatever you wrote is now the session.'
        : 'The server holds a session under this id, so it loaded it: whoever presents a valid id is that user. That is why ids must be long and random.';
    case 'new':
      return where === 'server'
        ? 'Unknown id: the server holds no session under the forged id, so it treated the request as a new visitor. A server store trusts only what it holds, never what the cookie says.'
        : 'The server could not read the forged cookie at all and started an empty session.';
    case 'evicted':
      return `The cookie named a session the server had evicted: ${read.reason ?? 'it made room for newer sessions'}`;
    case 'unavailable':
      return 'The store could not be reached, so the forgery could not be checked.';
  }
}

/** What a restart did to this store's session, read from the request that followed it. */
export function restartOutcome(read: DemoResponse): string {
  if (read.status === 'ok') {
    return read.store.where === 'browser'
      ? 'The session survived: it lives in your browser, not in the instance.'
      : 'The session survived: this store keeps it outside the instance’s memory.';
  }
  if (read.status === 'new') {
    return 'The read found no session: whatever this instance held in memory is gone.';
  }
  return `After the restart the server read the session as “${read.status}”${read.reason ? `: ${read.reason}` : ''}.`;
}

export type FailureKind = 'teaching' | 'unavailable' | 'limited' | 'error';

export interface Failure {
  kind: FailureKind;
  text: string;
}

/**
 * Sorts a failed request: 409 is the store explaining what it cannot do (a lesson, not a fault),
 * 503 a store that is not running here, 429 the demo's rate limit; anything else an error.
 */
export function describeFailure(exchange: Exchange): Failure | null {
  if (exchange.response || (exchange.error === null && exchange.httpStatus === null)) return null;
  const message = exchange.error ?? 'no explanation came with the answer';
  switch (exchange.httpStatus) {
    case 409:
      return { kind: 'teaching', text: message };
    case 503:
      return { kind: 'unavailable', text: message };
    case 429: {
      const wait =
        exchange.retryAfterSeconds === null
          ? 'wait a moment'
          : `try again in ${exchange.retryAfterSeconds} s`;
      return {
        kind: 'limited',
        text: `Too many demo requests in a short time: ${wait}. (${message})`,
      };
    }
    default:
      return {
        kind: 'error',
        text: `${exchange.actionLabel} failed${exchange.httpStatus === null ? '' : ` (HTTP ${exchange.httpStatus})`}: ${message}`,
      };
  }
}
