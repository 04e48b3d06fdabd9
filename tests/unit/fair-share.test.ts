import { describe, expect, it } from 'vitest';
import { CookieJar } from '../../src/sessions/cookie-jar';
import { Timer } from '../../src/sessions/timer';
import {
  addressGroup,
  decodeShareEviction,
  encodeShareEviction,
  EvictionLog,
  evictionReason,
  fairShare,
  sessionVisitor,
} from '../../src/sessions/fair-share';
import type { DemoContext } from '../../src/sessions/types';

function contextFrom(clientAddress: string | null | undefined): DemoContext {
  return {
    cookies: new CookieJar(),
    instance: { id: '1', memory: new Map(), directory: '' },
    timer: new Timer(),
    now: () => 0,
    clientAddress,
  };
}

describe('fair share', () => {
  it('groups IPv6 addresses by their /64 and reads IPv4-mapped ones as IPv4', () => {
    expect(addressGroup('203.0.113.7')).toBe('203.0.113.7');
    expect(addressGroup('2001:db8:a:b:1:2:3:4')).toBe('2001:db8:a:b::/64');
    expect(addressGroup('2001:DB8:A:B::1')).toBe('2001:db8:a:b::/64');
    expect(addressGroup('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressGroup('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressGroup('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(addressGroup('::ffff:c000:201')).toBe('192.0.2.1');
    expect(addressGroup('::1')).toBe('0:0:0:0::/64');
    expect(addressGroup('')).toBeNull();
    expect(addressGroup('x'.repeat(101))).toBeNull();
  });

  it('records a hash of the address, never the address', () => {
    const visitor = sessionVisitor(contextFrom('198.51.100.7'));
    expect(visitor).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(sessionVisitor(contextFrom('198.51.100.7'))).toBe(visitor);
    expect(sessionVisitor(contextFrom('198.51.100.8'))).not.toBe(visitor);
    expect(sessionVisitor(contextFrom('2001:db8:1:2::1'))).toBe(
      sessionVisitor(contextFrom('2001:db8:1:2:ffff::9')),
    );
    expect(sessionVisitor(contextFrom(undefined))).toBeNull();
    expect(sessionVisitor(contextFrom(null))).toBeNull();
  });

  it('defaults to 20 sessions per learner and 100 per address, within what an index can count', () => {
    expect(fairShare('memory', {})).toEqual({ perOwner: 20, perVisitor: 100 });
    expect(fairShare('memory', { maxSessionsPerOwner: 3, maxSessionsPerVisitor: 7 })).toEqual({
      perOwner: 3,
      perVisitor: 7,
    });
    expect(() => fairShare('sqlite', { maxSessionsPerOwner: 0 })).toThrow(
      "the sqlite store's maxSessionsPerOwner must be a whole number from 1 to 1000, got 0",
    );
    expect(() => fairShare('sqlite', { maxSessionsPerVisitor: 1001 })).toThrow(
      /maxSessionsPerVisitor/,
    );
  });

  it('keeps a bounded record of evictions that expires with the sessions', () => {
    const log = new EvictionLog(3);
    for (const key of ['a', 'b', 'c', 'd']) {
      log.record(key, { cause: 'store-full', limit: 10, expiresAt: 100 });
    }
    expect(log.size).toBe(3);
    expect(log.find('a', 0)).toBeUndefined();
    expect(log.find('d', 99)).toMatchObject({ cause: 'store-full' });
    expect(log.find('d', 100)).toBeUndefined();
    log.record('e', { cause: 'owner-share', limit: 2, expiresAt: 50 });
    log.purge(50);
    expect(log.find('e', 0)).toBeUndefined();
    expect(log.size).toBe(2);
  });

  it('words each cause for the learner', () => {
    expect(evictionReason({ cause: 'store-full', limit: 5 }, 'the SQLite demo store')).toBe(
      'This session was evicted: the SQLite demo store holds at most 5 sessions, and when a ' +
        'newer session needed room this one was the oldest, so it went first. A new session starts.',
    );
    expect(
      evictionReason({ cause: 'store-full', limit: 64 * 1024 * 1024, unit: 'bytes' }, 'here'),
    ).toMatch(/holds at most 64 MiB of sessions/);
    expect(evictionReason({ cause: 'owner-share', limit: 20 }, 'Redis')).toMatch(
      /you already had 20 live sessions in Redis, the most one learner may keep there/,
    );
    expect(evictionReason({ cause: 'visitor-share', limit: 100 }, 'Redis')).toMatch(
      /your network address .* 100 live sessions in Redis, the most one address may keep there/,
    );
  });

  it('reads back only the eviction records it writes', () => {
    expect(decodeShareEviction(encodeShareEviction('owner-share', 20))).toEqual({
      cause: 'owner-share',
      limit: 20,
    });
    for (const junk of [null, undefined, '', 'store-full 3', 'owner-share x', 'owner-share 1e9']) {
      expect(decodeShareEviction(junk)).toBeNull();
    }
  });
});
