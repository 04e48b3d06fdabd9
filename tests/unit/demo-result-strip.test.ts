import { describe, expect, it } from 'vitest';
import {
  describeDataChange,
  serverTimeMs,
  summarizeAction,
} from '../../src/components/demo/result-strip';
import { exchange, report, setCookie } from './demo-fixtures';

describe('the result strip', () => {
  it('takes its figures from the action’s latest report', () => {
    const before = exchange(1, report({ data: { counter: 3 } }));
    const after = exchange(
      2,
      report({
        data: { counter: 4 },
        cookieHeaderBytes: 61,
        setCookies: [setCookie('session', 120, { lineBytes: 171 })],
      }),
      {
        serverTiming: [
          { name: 'load', description: '', duration: 0.25 },
          { name: 'crypto', description: '', duration: 0.1 },
          { name: 'save', description: '', duration: 0.5 },
        ],
      },
    );
    expect(summarizeAction([before, after], 1)).toEqual({
      seq: 2,
      httpStatus: 200,
      cookieBytes: 61,
      setCookieBytes: 171,
      serverMs: 0.75,
      change: 'counter 3 → 4',
      tone: 'ok',
    });
  });

  it('says nothing before an action has an answer', () => {
    expect(summarizeAction([exchange(1, report())], 1)).toBeNull();
  });

  it('names a new session, a cleared one and a failure', () => {
    const empty = exchange(1, report({ status: 'new' }));
    const created = exchange(2, report({ status: 'new', data: { counter: 1 } }));
    expect(summarizeAction([empty, created], 1)?.change).toBe('session created, counter = 1');
    const cleared = exchange(3, report({ data: {} }));
    expect(summarizeAction([empty, created, cleared], 2)?.change).toBe('session cleared');
    const refused = exchange(4, null, {
      httpStatus: 409,
      error: 'A cookie session cannot be revoked. It stays valid until it expires.',
    });
    const failed = summarizeAction([created, refused], 3);
    expect(failed).toMatchObject({
      httpStatus: 409,
      cookieBytes: null,
      change: 'not possible here: A cookie session cannot be revoked',
      tone: 'error',
    });
  });

  it('reports a cookie the browser dropped for its size', () => {
    const grow = exchange(2, report({ setCookies: [setCookie('session', 5200)] }));
    const read = exchange(3, report({ cookies: [{ name: 'session', nameValueBytes: 80 }] }));
    expect(summarizeAction([exchange(1, report()), grow, read], 1)?.change).toBe(
      'cookie rejected: too big (5200 B > 4096)',
    );
  });

  it('shows long values by size and counts what it leaves out', () => {
    expect(describeDataChange({ a: 1 }, { a: 2, b: 'x'.repeat(40), c: true, d: null })).toEqual([
      'a 1 → 2',
      'b = 42 B',
      '2 more',
    ]);
  });

  it('falls back to the JSON timings when the browser gave no Server-Timing entry', () => {
    expect(serverTimeMs(exchange(1, report()))).toBe(0.042);
  });
});
