/**
 * The one line the learner reads right after a press: what the latest report of that action
 * measured (HTTP status, Cookie bytes sent, Set-Cookie bytes received, server time) and what
 * changed in the session. Every figure is one the panel shows for the same request; none is
 * computed anew, so the strip and the panel cannot disagree.
 */
import type { SessionData } from '../../sessions/types';
import { findDroppedCookie } from './dropped-cookie';
import { setCookieBytes, type Exchange } from './exchange';
import { describeFailure } from './outcomes';
import { cookieNameValueLimit, oversizedCookies } from './size-rules';

export interface ActionResult {
  /** The request the figures come from: the action's latest report, or its failure. */
  seq: number;
  httpStatus: number | null;
  /** `Cookie` header bytes the server received; null when the action got no report. */
  cookieBytes: number | null;
  /** Bytes of every `Set-Cookie` line the server sent, summed as the panel sums them. */
  setCookieBytes: number | null;
  /** Load, save and simulated work from `Server-Timing`, in ms; null when there was none. */
  serverMs: number | null;
  /** The key change in words: "counter 3 → 4", "session created", "cookie rejected: too big". */
  change: string;
  tone: 'ok' | 'warn' | 'error';
}

/**
 * Top-level phases of a demo request. `crypto` and `store` are measured inside them, so adding
 * those too would count the same time twice.
 */
const phases = new Set(['load', 'save', 'work']);
const phaseOf = (name: string) => name.replace(/-\d+$/, '');

/** The server's time for one request, from its `Server-Timing` header (or the same JSON numbers). */
export function serverTimeMs(exchange: Exchange): number | null {
  const metrics =
    exchange.serverTiming.length > 0
      ? exchange.serverTiming.map(({ name, duration }) => [name, duration] as const)
      : Object.entries(exchange.response?.timings ?? {});
  const counted = metrics.filter(([name]) => phases.has(phaseOf(name)));
  if (counted.length === 0) return null;
  return counted.reduce((sum, [, ms]) => sum + ms, 0);
}

/** What one changed key looks like on the strip: numbers and short text as they are. */
function shortValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const json = JSON.stringify(value) ?? String(value);
  if (json.length <= 18) return json;
  return `${new TextEncoder().encode(json).length} B`;
}

/** Keys added, removed or changed between two sessions, at most `limit` of them, in words. */
export function describeDataChange(
  before: SessionData | null,
  after: SessionData,
  limit = 2,
): string[] {
  const old = before ?? {};
  const keys = [...new Set([...Object.keys(old), ...Object.keys(after)])];
  const changes: string[] = [];
  for (const key of keys) {
    const was = JSON.stringify(old[key]);
    const now = JSON.stringify(after[key]);
    if (was === now) continue;
    if (!(key in after)) changes.push(`${key} removed`);
    else if (!(key in old)) changes.push(`${key} = ${shortValue(after[key])}`);
    else changes.push(`${key} ${shortValue(old[key])} → ${shortValue(after[key])}`);
  }
  if (changes.length > limit) {
    return [...changes.slice(0, limit), `${changes.length - limit} more`];
  }
  return changes;
}

/** The first sentence of a server message, so the strip stays one line where it can. */
function firstSentence(text: string): string {
  const match = /^(.+?[.:])(\s|$)/.exec(text);
  return (match?.[1] ?? text).replace(/[.:]$/, '');
}

/**
 * Sums up the action whose requests come after `startSeq` in the log; null before any action
 * or while none of its requests has come back.
 */
export function summarizeAction(
  exchanges: readonly Exchange[],
  startSeq: number,
): ActionResult | null {
  const own = exchanges.filter((item) => item.seq > startSeq);
  if (own.length === 0) return null;
  const reported = own.findLast((item) => item.response !== null) ?? null;
  const failed = own.findLast((item) => describeFailure(item) !== null) ?? null;
  const failure = failed ? describeFailure(failed) : null;
  const response = reported?.response ?? null;
  const shown = failed ?? reported;
  if (!shown) return null;

  const figures = {
    seq: (reported ?? shown).seq,
    httpStatus: shown.httpStatus,
    cookieBytes: response ? response.wire.request.cookieHeaderBytes : null,
    setCookieBytes: response ? setCookieBytes(response) : null,
    serverMs: reported ? serverTimeMs(reported) : null,
  };

  if (failure) {
    const lead = failure.kind === 'teaching' ? 'not possible here' : 'failed';
    return { ...figures, change: `${lead}: ${firstSentence(failure.text)}`, tone: 'error' };
  }
  if (!response) return null;

  const dropped = findDroppedCookie(exchanges);
  if (dropped && dropped.nextSeq > startSeq) {
    return {
      ...figures,
      change: `cookie rejected: too big (${dropped.bytes} B > ${cookieNameValueLimit})`,
      tone: 'warn',
    };
  }
  const oversized = oversizedCookies(response)[0];
  if (oversized) {
    return {
      ...figures,
      change: `cookie too big: ${oversized.nameValueBytes} B > ${cookieNameValueLimit}, the browser will drop it`,
      tone: 'warn',
    };
  }
  if (response.status === 'tampered' || response.status === 'expired') {
    return { ...figures, change: `session rejected: ${response.status}`, tone: 'warn' };
  }
  if (response.status === 'evicted') {
    return { ...figures, change: 'session evicted by the server', tone: 'warn' };
  }

  const before =
    exchanges.findLast((item) => item.seq <= startSeq && item.response !== null)?.response ?? null;
  const changes = describeDataChange(before?.data ?? null, response.data);
  const hadData = Object.keys(before?.data ?? {}).length > 0;
  const hasData = Object.keys(response.data).length > 0;
  const created = own.some((item) => item.response?.status === 'new') && hasData;
  let change: string;
  if (created) change = ['session created', ...changes].join(', ');
  else if (hadData && !hasData && response.status === 'new') change = 'session gone: none found';
  else if (hadData && !hasData) change = 'session cleared';
  else change = changes.length > 0 ? changes.join(', ') : 'no change';
  return { ...figures, change, tone: 'ok' };
}
