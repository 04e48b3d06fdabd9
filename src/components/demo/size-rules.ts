/**
 * The three size rules the panel shows side by side (cookie name + value, the whole Set-Cookie
 * line, request headers), measured against one response's wire report.
 */
import type { DemoResponse } from '../../lab/demo-api';
import { browserCookieLimit } from '../../sessions/limits';

export type Verdict = 'ok' | 'warn' | 'over';

/** A value within this fraction of its limit is a warning: one more key could cross it. */
export const warnFraction = 0.9;

export function verdictFor(value: number, limit: number): Verdict {
  if (value > limit) return 'over';
  if (value >= limit * warnFraction) return 'warn';
  return 'ok';
}

export interface SizeCheck {
  /** What was measured: a cookie, a header line, all headers. */
  subject: string;
  value: number;
  limit: number;
  verdict: Verdict;
}

export type SizeRuleId = 'cookie-name-value' | 'set-cookie-line' | 'request-headers';

export interface SizeRule {
  id: SizeRuleId;
  title: string;
  /** Who enforces the limit and what counts. */
  enforcedBy: string;
  /** What happens past the limit. */
  consequence: string;
  /** True when nothing breaks past the limit in a browser; some libraries refuse. */
  informational: boolean;
  /** The worst verdict among the checks; `ok` when there was nothing to check. */
  verdict: Verdict;
  checks: SizeCheck[];
}

/**
 * RFC 6265bis §5.6 and Chromium's `kMaxCookieNamePlusValueSize`: the session domain's own limit,
 * the one its cookie stores refuse to pass, so the panel and the server never disagree.
 */
export const cookieNameValueLimit = browserCookieLimit;
/** iron-session refuses to send a `Set-Cookie` line longer than this. */
export const setCookieLineLimit = 4096;
/** nginx `large_client_header_buffers 4 8k`: one header line must fit one 8 KiB buffer. */
export const proxyHeaderLineLimit = 8192;
/** Node.js `http.maxHeaderSize`: the request line plus all headers; over it, 431. */
export const nodeHeaderLimit = 16384;
const cookieHeaderPrefixBytes = 'Cookie: '.length;

const verdictRank: Record<Verdict, number> = { ok: 0, warn: 1, over: 2 };

function worst(checks: SizeCheck[]): Verdict {
  return checks.reduce<Verdict>(
    (acc, check) => (verdictRank[check.verdict] > verdictRank[acc] ? check.verdict : acc),
    'ok',
  );
}

function check(subject: string, value: number, limit: number): SizeCheck {
  return { subject, value, limit, verdict: verdictFor(value, limit) };
}

function rule(fields: Omit<SizeRule, 'verdict'>): SizeRule {
  return { ...fields, verdict: worst(fields.checks) };
}

/** The three size rules the panel shows side by side, measured against one response's report. */
export function sizeRules(response: DemoResponse): SizeRule[] {
  const { request, response: sent } = response.wire;
  const cookieLine =
    request.cookieHeaderBytes > 0 ? request.cookieHeaderBytes + cookieHeaderPrefixBytes : 0;
  return [
    rule({
      id: 'cookie-name-value',
      title: 'Cookie name + value',
      enforcedBy:
        'Browsers (RFC 6265bis, Chromium, Firefox) count the bytes of the name plus the value.',
      consequence: 'The browser ignores the whole cookie: the next request arrives without it.',
      informational: false,
      checks: [
        ...sent.setCookies.map((cookie) =>
          check(`Set-Cookie ${cookie.name}`, cookie.nameValueBytes, cookieNameValueLimit),
        ),
        ...request.cookies.map((cookie) =>
          check(`Cookie ${cookie.name}`, cookie.nameValueBytes, cookieNameValueLimit),
        ),
      ],
    }),
    rule({
      id: 'set-cookie-line',
      title: 'Whole Set-Cookie line',
      enforcedBy: 'iron-session counts the whole header value, attributes included.',
      consequence:
        'Past the limit, browsers still keep the cookie (they count only name + value), but iron-session refuses to send it.',
      informational: true,
      checks: sent.setCookies.map((cookie) =>
        check(`Set-Cookie ${cookie.name}`, cookie.lineBytes, setCookieLineLimit),
      ),
    }),
    rule({
      id: 'request-headers',
      title: 'Request headers',
      enforcedBy:
        'nginx limits each header line to 8 KiB (large_client_header_buffers); Node.js limits all headers to 16 KiB (maxHeaderSize).',
      consequence:
        'nginx answers 400 "Request Header Or Cookie Too Large"; Node.js answers 431 before the app runs.',
      informational: false,
      checks: [
        check('Cookie header line (nginx)', cookieLine, proxyHeaderLineLimit),
        check('All request headers (Node.js)', request.headerBytes, nodeHeaderLimit),
      ],
    }),
  ];
}

/** Cookies a browser will refuse to store from this response. */
export function oversizedCookies(response: DemoResponse) {
  return response.wire.response.setCookies.filter(
    (cookie) => cookie.nameValueBytes > cookieNameValueLimit,
  );
}
