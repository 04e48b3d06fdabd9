/**
 * A race press costs one demo write, and naming a race cannot buy more than a bounded number of
 * extra requests.
 */
import { describe, expect, it } from 'vitest';
import {
  maxRaceSize,
  parseRaceHeader,
  RaceAdmissions,
  raceOpenLimit,
  raceWindowMs,
} from '../../src/server/demo/race-admission';
import { RateLimiter } from '../../src/server/platform/rate-limit';
import { HttpError } from '../../src/server/platform/http';

const client = '192.0.2.10';
const now = 1_700_000_000_000;

function admitted(admissions: RaceAdmissions, header: string | null, count: number, at = now) {
  let allowed = 0;
  for (let index = 0; index < count; index++) {
    if (admissions.take(client, header, at).allowed) allowed++;
  }
  return allowed;
}

describe('race admission', () => {
  it('admits a whole race for one write token', () => {
    const writes = new RateLimiter({ max: 3, windowSeconds: 60 });
    const admissions = new RaceAdmissions(writes);
    expect(admitted(admissions, 'press-aaaaaaaa/20', 20)).toBe(20);
    // Two of the three tokens are left: the race took one.
    expect(admitted(admissions, null, 5)).toBe(2);
  });

  it('admits no more than the race size: further requests are ordinary writes', () => {
    const writes = new RateLimiter({ max: 2, windowSeconds: 60 });
    const admissions = new RaceAdmissions(writes);
    // 20 named, 20 + the one token left = 21 at most.
    expect(admitted(admissions, 'press-bbbbbbbb/20', 30)).toBe(21);
  });

  it('closes a race after its window', () => {
    const writes = new RateLimiter({ max: 1, windowSeconds: 3600 });
    const admissions = new RaceAdmissions(writes);
    expect(admitted(admissions, 'press-cccccccc/10', 2)).toBe(2);
    expect(admitted(admissions, 'press-cccccccc/10', 5, now + raceWindowMs)).toBe(0);
  });

  it('is keyed by address: another address cannot ride a race', () => {
    const writes = new RateLimiter({ max: 1, windowSeconds: 3600 });
    const admissions = new RaceAdmissions(writes);
    expect(admissions.take(client, 'press-dddddddd/5', now).allowed).toBe(true);
    expect(admissions.take('198.51.100.9', 'press-dddddddd/5', now).allowed).toBe(true);
    // That address spent its own token opening; its next request has none.
    expect(admissions.take('198.51.100.9', null, now).allowed).toBe(false);
  });

  it('refuses the first request of a race when no token is left, and opens nothing', () => {
    const writes = new RateLimiter({ max: 1, windowSeconds: 3600 });
    const admissions = new RaceAdmissions(writes);
    expect(admitted(admissions, null, 1)).toBe(1);
    expect(admitted(admissions, 'press-eeeeeeee/20', 20)).toBe(0);
    expect(admissions.size).toBe(0);
  });

  it('bounds the extra requests one address can get by opening races', () => {
    const max = 1000;
    const writes = new RateLimiter({ max, windowSeconds: 3600 });
    const admissions = new RaceAdmissions(writes);
    const races = raceOpenLimit.max * 3;
    let allowed = 0;
    for (let race = 0; race < races; race++) {
      allowed += admitted(
        admissions,
        `press-${String(race).padStart(8, '0')}/${maxRaceSize}`,
        maxRaceSize,
      );
    }
    const tokensSpent = races * maxRaceSize - raceOpenLimit.max * (maxRaceSize - 1);
    expect(allowed).toBe(races * maxRaceSize);
    // Past the open limit every request of a race took a token of its own.
    expect(max - tokensSpent).toBeGreaterThanOrEqual(0);
    expect(admitted(admissions, null, max)).toBe(max - tokensSpent);
  });

  it('reads only well-formed race headers, with N from 2 to the maximum', () => {
    expect(parseRaceHeader(null)).toBeNull();
    expect(parseRaceHeader('abcdefgh/20')).toEqual({ id: 'abcdefgh', size: 20 });
    for (const bad of [
      'abc/20',
      'abcdefgh/1',
      `abcdefgh/${maxRaceSize + 1}`,
      'abcdefgh',
      'a b c d e f/3',
    ]) {
      expect(() => parseRaceHeader(bad), bad).toThrow(HttpError);
    }
  });
});
