import { describe, expect, it } from 'vitest';
import {
  clientAddress,
  isHttps,
  requestAsSent,
  type RequestContext,
} from '../../src/server/platform/client';

function context(
  headers: Record<string, string> = {},
  url = 'http://course.example/x',
  init: RequestInit = {},
): RequestContext {
  const request = new Request(url, { ...init, headers });
  return { request, url: new URL(url), clientAddress: '10.0.0.1' };
}

describe('clientAddress', () => {
  it('is the peer address unless the proxy is trusted', () => {
    expect(clientAddress(context({ 'X-Forwarded-For': '203.0.113.7' }), false)).toBe('10.0.0.1');
    expect(clientAddress(context({ 'X-Forwarded-For': '203.0.113.7' }), true)).toBe('203.0.113.7');
  });

  it.each([
    ['203.0.113.7, 10.0.0.2', '203.0.113.7'],
    ['203.0.113.7:4711', '203.0.113.7'],
    ['2001:db8::1', '2001:db8::1'],
    ['[2001:db8::1]:4711', '2001:db8::1'],
    [' 203.0.113.7 ', '203.0.113.7'],
  ])('takes the left-most address from %j', (header, expected) => {
    expect(clientAddress(context({ 'X-Forwarded-For': header }), true)).toBe(expected);
  });

  it.each([['unknown'], ['203.0.113.999'], ['<script>'], ['']])(
    'falls back to the peer for %j',
    (header) => {
      expect(clientAddress(context({ 'X-Forwarded-For': header }), true)).toBe('10.0.0.1');
    },
  );

  it('does not parse a header longer than any proxy writes', () => {
    const chain = Array.from({ length: 100 }, () => '203.0.113.7').join(', ');
    expect(clientAddress(context({ 'X-Forwarded-For': chain }), true)).toBe('10.0.0.1');
  });
});

describe('isHttps and requestAsSent', () => {
  it('believe X-Forwarded-Proto only from a trusted proxy', () => {
    const forwarded = context({ 'X-Forwarded-Proto': 'https' });
    expect(isHttps(forwarded, false)).toBe(false);
    expect(isHttps(forwarded, true)).toBe(true);
    expect(requestAsSent(forwarded, false).url).toBe('http://course.example/x');
    expect(requestAsSent(forwarded, true).url).toBe('https://course.example/x');
    expect(isHttps(context({}, 'https://course.example/x'), false)).toBe(true);
  });

  it('keep the method, headers and body of the request', async () => {
    const sent = requestAsSent(
      context({ 'X-Forwarded-Proto': 'https', 'Content-Type': 'text/plain' }, undefined, {
        method: 'POST',
        body: 'answers',
      }),
      true,
    );
    expect(sent.method).toBe('POST');
    expect(sent.headers.get('content-type')).toBe('text/plain');
    expect(await sent.text()).toBe('answers');
  });
});
