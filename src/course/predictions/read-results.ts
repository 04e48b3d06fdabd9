/**
 * Small readers the checkpoints share: they pick facts out of real demo reports, so each
 * checkpoint's `outcome` stays a few lines long.
 */
import type { DemoResponse, RequestCookieBytes, SetCookieBytes } from '../../lab/demo-api';
import { learnerCookieName } from '../../lab/site-cookies';
import type { StepResult } from './types';

/** The report of a step that succeeded, or null. */
export function reportOf(result: StepResult | undefined): DemoResponse | null {
  return result?.ok ? result.body : null;
}

/** The demo store's own `Set-Cookie` in a report: every one but the site's learner cookie. */
export function storeSetCookie(report: DemoResponse | null): SetCookieBytes | null {
  return (
    report?.wire.response.setCookies.find((cookie) => cookie.name !== learnerCookieName) ?? null
  );
}

/** The demo store's cookie as the request carried it (not the learner cookie). */
export function storeRequestCookie(report: DemoResponse | null): RequestCookieBytes | null {
  return report?.wire.request.cookies.find((cookie) => cookie.name !== learnerCookieName) ?? null;
}

/** A counter value in a session's data, or 0 when it has none yet (as `increment` counts). */
export function counterOf(report: DemoResponse | null, key = 'counter'): number {
  const value = report?.data[key];
  return typeof value === 'number' ? value : 0;
}

/** base64url text decoded as UTF-8, or null when it is not base64url. */
export function fromBase64url(text: string): string | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  return Buffer.from(text, 'base64url').toString('utf8');
}

export function toBase64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

/** A one-character change in the middle of a value, keeping it a valid cookie value. */
export function flipMiddleCharacter(value: string): string {
  const middle = Math.floor(value.length / 2);
  const replacement = value[middle] === 'A' ? 'B' : 'A';
  return value.slice(0, middle) + replacement + value.slice(middle + 1);
}

/** "status new", "HTTP 503: …": how a step came back, in a few words. */
export function describeResult(result: StepResult | undefined): string {
  if (!result) return 'no answer';
  if (!result.ok) return `HTTP ${result.status}: ${result.error}`;
  return `status “${result.body.status}”`;
}
