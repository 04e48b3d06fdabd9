import { describe, expect, it } from 'vitest';
import { describeFailure, restartOutcome, tamperOutcome } from '../../src/components/demo/outcomes';
import { exchange, report } from './demo-fixtures';

describe('tamperOutcome', () => {
  it('says a plain cookie believed the forgery', () => {
    expect(tamperOutcome(report({ where: 'browser', status: 'ok' }), true)).toMatch(/^Accepted/);
  });

  it('gives the reason a signed cookie was rejected', () => {
    expect(
      tamperOutcome(report({ status: 'tampered', reason: 'the signature does not match' }), true),
    ).toMatch(/^Rejected: the signature does not match\./);
  });

  it('says a server store does not know a forged id', () => {
    expect(tamperOutcome(report({ where: 'server', status: 'new' }), true)).toMatch(/^Unknown id/);
  });

  it('does not call an unchanged value a forgery', () => {
    expect(tamperOutcome(report({ status: 'ok' }), false)).toMatch(/unchanged/);
  });
});

describe('restartOutcome', () => {
  it('tells a surviving session from a lost one', () => {
    expect(restartOutcome(report({ where: 'server', status: 'ok' }))).toMatch(/survived/);
    expect(restartOutcome(report({ where: 'server', status: 'new' }))).toMatch(/gone/);
  });
});

describe('describeFailure', () => {
  const failed = (
    httpStatus: number | null,
    error: string,
    retryAfterSeconds: number | null = null,
  ) =>
    exchange(1, null, { httpStatus, error, retryAfterSeconds, actionLabel: 'Log out everywhere' });

  it('is nothing for a request with a report', () => {
    expect(describeFailure(exchange(1, report()))).toBeNull();
  });

  it('reads 409 as the store explaining a limit of its kind', () => {
    expect(describeFailure(failed(409, 'a cookie store cannot revoke'))).toEqual({
      kind: 'teaching',
      text: 'a cookie store cannot revoke',
    });
  });

  it('reads 503 as a store that is not running here', () => {
    expect(describeFailure(failed(503, 'set REDIS_URL'))?.kind).toBe('unavailable');
  });

  it('passes on when to retry after 429', () => {
    expect(describeFailure(failed(429, 'slow down', 12))).toEqual({
      kind: 'limited',
      text: 'Too many demo requests in a short time: try again in 12 s. (slow down)',
    });
  });

  it('names the action and status of other failures', () => {
    expect(describeFailure(failed(500, 'boom'))?.text).toBe(
      'Log out everywhere failed (HTTP 500): boom',
    );
    expect(describeFailure(failed(null, 'offline'))?.text).toBe(
      'Log out everywhere failed: offline',
    );
  });
});
