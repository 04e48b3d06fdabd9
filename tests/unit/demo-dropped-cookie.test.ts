import { describe, expect, it } from 'vitest';
import { describeDroppedCookie, findDroppedCookie } from '../../src/components/demo/dropped-cookie';
import { exchange, report, setCookie } from './demo-fixtures';

const oversized = () =>
  exchange(2, report({ setCookies: [setCookie('session', 5163)], data: { padding: '…' } }));

describe('findDroppedCookie', () => {
  it('waits for the next request before calling the cookie dropped', () => {
    expect(findDroppedCookie([exchange(1, report()), oversized()])).toBeNull();
  });

  it('finds a cookie that did not come back at all', () => {
    const dropped = findDroppedCookie([
      oversized(),
      exchange(3, report({ status: 'new', cookies: [] })),
    ]);
    expect(dropped).toEqual({
      name: 'session',
      bytes: 5163,
      setBySeq: 2,
      nextSeq: 3,
      carriedBytes: null,
      nextStatus: 'new',
    });
    expect(describeDroppedCookie(dropped!)).toBe(
      'Your browser ignored the 5,163-byte cookie (over 4096 for name + value). ' +
        'The next request (#3) carried no session cookie, so the server sees no session (status: new).',
    );
  });

  it('finds a cookie replaced by the older, smaller one', () => {
    const dropped = findDroppedCookie([
      oversized(),
      exchange(3, report({ cookies: [{ name: 'session', nameValueBytes: 1212 }] })),
    ]);
    expect(dropped?.carriedBytes).toBe(1212);
    expect(describeDroppedCookie(dropped!)).toMatch(
      /carried the previous session cookie \(1,212 bytes\), so the server sees the old session \(status: ok\)\.$/,
    );
  });

  it('skips failed requests when looking for the next one', () => {
    const dropped = findDroppedCookie([oversized(), exchange(3, null), exchange(4, report())]);
    expect(dropped?.nextSeq).toBe(4);
  });

  it('is not a drop when the same cookie came back', () => {
    expect(
      findDroppedCookie([
        oversized(),
        exchange(3, report({ cookies: [{ name: 'session', nameValueBytes: 5163 }] })),
      ]),
    ).toBeNull();
  });

  it('forgets the drop once a later response sets the cookie again', () => {
    expect(
      findDroppedCookie([
        oversized(),
        exchange(3, report()),
        exchange(4, report({ setCookies: [setCookie('session', 300)] })),
      ]),
    ).toBeNull();
  });

  it('ignores cookies within the limit', () => {
    expect(
      findDroppedCookie([
        exchange(1, report({ setCookies: [setCookie('session', 4096)] })),
        exchange(2, report()),
      ]),
    ).toBeNull();
  });
});
