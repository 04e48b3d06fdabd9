import { describe, expect, it } from 'vitest';
import { knownCookieValues, siteCookieNames } from '../../src/components/demo/cookie-values';
import { LEARNER_SESSION_COOKIE } from '../../src/server/learner/learner-sessions';
import { exchange, report, setCookie } from './demo-fixtures';

describe('knownCookieValues', () => {
  it('keeps the last value each cookie was set to', () => {
    const known = knownCookieValues([
      exchange(1, report({ setCookies: [setCookie('session', 9, { value: 'one' })] })),
      exchange(2, null),
      exchange(3, report({ setCookies: [setCookie('session', 9, { value: 'two' })] })),
      exchange(4, report()),
    ]);
    expect([...known]).toEqual([['session', 'two']]);
  });

  it('forgets a cookie the server deleted', () => {
    const known = knownCookieValues([
      exchange(1, report({ setCookies: [setCookie('sid', 7, { value: 'abc' })] })),
      exchange(
        2,
        report({
          setCookies: [
            setCookie('sid', 4, { value: '', attributes: { 'Max-Age': '0', Path: '/' } }),
          ],
        }),
      ),
    ]);
    expect(known.size).toBe(0);
  });

  it('keeps the previous value when the new one was too big for the browser', () => {
    const known = knownCookieValues([
      exchange(1, report({ setCookies: [setCookie('session', 20, { value: 'small' })] })),
      exchange(2, report({ setCookies: [setCookie('session', 5000)] })),
    ]);
    expect(known.get('session')).toBe('small');
  });
});

describe('siteCookieNames', () => {
  it('names the learner cookie the server sets, so it is never offered for forging', () => {
    expect(siteCookieNames).toContain(LEARNER_SESSION_COOKIE);
    const known = knownCookieValues([
      exchange(
        1,
        report({
          setCookies: [
            setCookie(LEARNER_SESSION_COOKIE, 60, { value: 'learner.token' }),
            setCookie('session', 20, { value: 'small' }),
          ],
        }),
      ),
    ]);
    expect([...known.keys()]).toEqual(['session']);
  });
});
