import { describe, expect, it } from 'vitest';
import { demoPath, parseRetryAfter } from '../../src/components/demo/exchange';
import {
  describeAction,
  formatBytes,
  formatMs,
  instanceLabel,
} from '../../src/components/demo/exchange-format';
import { estimateUploadMs, networkProfiles } from '../../src/components/demo/network-profiles';
import { oversizedCookies, sizeRules, verdictFor } from '../../src/components/demo/size-rules';
import type { DemoResponse } from '../../src/lab/demo-api';
import { report, setCookie as fixtureCookie } from './demo-fixtures';

function setCookie(name: string, nameValueBytes: number, lineBytes?: number) {
  return fixtureCookie(name, nameValueBytes, { lineBytes });
}

function ruleById(response: DemoResponse, id: string) {
  const found = sizeRules(response).find((rule) => rule.id === id);
  if (!found) throw new Error(`no rule ${id}`);
  return found;
}

describe('formatBytes', () => {
  it('shows exact bytes below 1024', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(812)).toBe('812 B');
    expect(formatBytes(1023)).toBe('1023 B');
  });

  it('shows a rounded size and the exact count from 1024 up', () => {
    expect(formatBytes(1024)).toBe('1 KB (1024 B)');
    expect(formatBytes(3994)).toBe('3.9 KB (3994 B)');
    expect(formatBytes(4097)).toBe('4 KB (4097 B)');
    expect(formatBytes(5120)).toBe('5 KB (5120 B)');
    expect(formatBytes(65536)).toBe('64 KB (65536 B)');
  });

  it('moves to MB when KB would round to 1024', () => {
    expect(formatBytes(1024 * 1024 - 1)).toBe('1 MB (1048575 B)');
    expect(formatBytes(1536 * 1024)).toBe('1.5 MB (1572864 B)');
  });

  it('says so when the number is not a number', () => {
    expect(formatBytes(Number.NaN)).toBe('unknown');
  });
});

describe('formatMs', () => {
  it('keeps microsecond precision', () => {
    expect(formatMs(0.0424)).toBe('0.042');
    expect(formatMs(12)).toBe('12.000');
  });
});

describe('verdictFor', () => {
  it('is ok well under, warn within 10% of the limit, over past it', () => {
    expect(verdictFor(3686, 4096)).toBe('ok');
    expect(verdictFor(3687, 4096)).toBe('warn');
    expect(verdictFor(4096, 4096)).toBe('warn');
    expect(verdictFor(4097, 4096)).toBe('over');
  });
});

describe('sizeRules', () => {
  it('returns the three rules in order', () => {
    expect(sizeRules(report({})).map((rule) => rule.id)).toEqual([
      'cookie-name-value',
      'set-cookie-line',
      'request-headers',
    ]);
  });

  it('accepts a cookie of exactly 4096 bytes of name+value', () => {
    const rule = ruleById(
      report({ setCookies: [setCookie('session', 4096)] }),
      'cookie-name-value',
    );
    expect(rule.checks).toHaveLength(1);
    expect(rule.checks[0]).toMatchObject({ value: 4096, limit: 4096, verdict: 'warn' });
    expect(rule.verdict).toBe('warn');
  });

  it('marks a cookie of 4097 bytes of name+value over the browser limit', () => {
    const response = report({ setCookies: [setCookie('session', 4097)] });
    const rule = ruleById(response, 'cookie-name-value');
    expect(rule.checks[0]).toMatchObject({ value: 4097, limit: 4096, verdict: 'over' });
    expect(rule.verdict).toBe('over');
    expect(rule.informational).toBe(false);
    expect(oversizedCookies(response).map((cookie) => cookie.name)).toEqual(['session']);
  });

  it('does not call a 4096-byte cookie oversized', () => {
    expect(oversizedCookies(report({ setCookies: [setCookie('session', 4096)] }))).toEqual([]);
  });

  it('checks request cookies as well as Set-Cookie cookies', () => {
    const rule = ruleById(
      report({ cookies: [{ name: 'session', nameValueBytes: 120 }], cookieHeaderBytes: 120 }),
      'cookie-name-value',
    );
    expect(rule.checks).toEqual([
      { subject: 'Cookie session', value: 120, limit: 4096, verdict: 'ok' },
    ]);
    expect(rule.verdict).toBe('ok');
  });

  it('measures whole Set-Cookie lines against 4096, as information only', () => {
    const fits = ruleById(report({ setCookies: [setCookie('s', 4000, 4096)] }), 'set-cookie-line');
    expect(fits.checks[0]).toMatchObject({ value: 4096, verdict: 'warn' });
    const over = ruleById(report({ setCookies: [setCookie('s', 4000, 4097)] }), 'set-cookie-line');
    expect(over.checks[0]).toMatchObject({ value: 4097, verdict: 'over' });
    expect(over.informational).toBe(true);
    // The line is over, but name+value still fits: browsers keep this cookie.
    expect(
      ruleById(report({ setCookies: [setCookie('s', 4000, 4097)] }), 'cookie-name-value').verdict,
    ).toBe('warn');
  });

  it('counts the Cookie line with its "Cookie: " prefix against nginx 8192', () => {
    const justFits = ruleById(report({ cookieHeaderBytes: 8184 }), 'request-headers');
    expect(justFits.checks[0]).toMatchObject({ value: 8192, limit: 8192, verdict: 'warn' });
    const over = ruleById(report({ cookieHeaderBytes: 8185 }), 'request-headers');
    expect(over.checks[0]).toMatchObject({ value: 8193, verdict: 'over' });
  });

  it('counts no Cookie line when the request had no cookies', () => {
    const rule = ruleById(report({ cookieHeaderBytes: 0 }), 'request-headers');
    expect(rule.checks[0]).toMatchObject({ value: 0, verdict: 'ok' });
  });

  it('compares all request header bytes with Node.js 16384', () => {
    expect(ruleById(report({ headerBytes: 16384 }), 'request-headers').checks[1]).toMatchObject({
      value: 16384,
      limit: 16384,
      verdict: 'warn',
    });
    expect(ruleById(report({ headerBytes: 16385 }), 'request-headers').verdict).toBe('over');
  });

  it('is ok with nothing to check', () => {
    const rules = sizeRules(report({}));
    expect(rules[0]?.checks).toEqual([]);
    expect(rules.every((rule) => rule.verdict === 'ok')).toBe(true);
  });
});

describe('estimateUploadMs', () => {
  it('uses the Chrome DevTools preset upload rates', () => {
    expect(networkProfiles.map((profile) => [profile.label, profile.uploadBitsPerSecond])).toEqual([
      ['3G', 400_000],
      ['Slow 4G', 675_000],
      ['Fast 4G', 1_350_000],
    ]);
  });

  it('is bytes × 8 ÷ upload bits per second', () => {
    // 5000 bytes = 40 000 bits; at 400 kbit/s that is 0.1 s.
    expect(estimateUploadMs(5000, '3g')).toBeCloseTo(100, 9);
    expect(estimateUploadMs(4096, 'slow-4g')).toBeCloseTo((4096 * 8 * 1000) / 675_000, 9);
    const fast = networkProfiles[2];
    if (!fast) throw new Error('missing profile');
    expect(estimateUploadMs(16384, fast)).toBeCloseTo((16384 * 8 * 1000) / 1_350_000, 9);
    expect(estimateUploadMs(0, '3g')).toBe(0);
  });

  it('refuses an unknown profile', () => {
    expect(() => estimateUploadMs(100, 'dial-up')).toThrow(/unknown network profile/);
  });
});

describe('describeAction', () => {
  it('labels requests the way the log shows them', () => {
    expect(describeAction('GET')).toBe('Read');
    expect(describeAction('DELETE')).toBe('Clear');
    expect(describeAction('POST', { action: 'set', key: 'theme', value: 'dark' })).toBe(
      'Set theme',
    );
    expect(describeAction('POST', { action: 'grow', bytes: 3994 })).toBe('Grow to 3.9 KB (3994 B)');
    expect(describeAction('POST', { action: 'increment' })).toBe('Increment counter');
  });

  it('labels the demos for forgery, size, instances and devices', () => {
    expect(describeAction('POST', { action: 'grow', bytes: 5120, sendAnyway: true })).toBe(
      'Grow to 5 KB (5120 B), send anyway',
    );
    expect(describeAction('POST', { action: 'tamper', cookie: 'session', value: 'x' })).toBe(
      'Forge session',
    );
    expect(describeAction('POST', { action: 'revoke-all' })).toBe('Log out everywhere');
    expect(describeAction('POST', { action: 'second-session' })).toBe(
      'Sign in from another device',
    );
    expect(describeAction('POST', { action: 'restart-instance' })).toBe('Restart instance');
  });
});

describe('demoPath', () => {
  it('names the instance in every request', () => {
    expect(demoPath({ storeId: 'memory', instance: '2' })).toBe('/api/demo/memory?instance=2');
    expect(demoPath({ storeId: 'memory', instance: 'fresh' })).toBe(
      '/api/demo/memory?instance=fresh',
    );
  });

  it('gives requests sent together their own URLs', () => {
    expect(demoPath({ storeId: 'jwt', instance: '1', tag: '7' })).toBe(
      '/api/demo/jwt?instance=1&n=7',
    );
  });

  it('encodes the store id', () => {
    expect(demoPath({ storeId: 'a/b', instance: '1' })).toBe('/api/demo/a%2Fb?instance=1');
  });
});

describe('parseRetryAfter', () => {
  it('reads delay seconds and ignores what it cannot read', () => {
    expect(parseRetryAfter('5')).toBe(5);
    expect(parseRetryAfter(' 30 ')).toBe(30);
    expect(parseRetryAfter(null)).toBeNull();
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT')).toBeNull();
    expect(parseRetryAfter('-1')).toBeNull();
  });
});

describe('instanceLabel', () => {
  it('keeps named instances and shortens serverless ones', () => {
    expect(instanceLabel('3')).toBe('3');
    expect(instanceLabel('fresh-0b7c5f7e-1111-2222-3333-444455556666')).toBe('fresh 0b7c5f7e');
  });
});
