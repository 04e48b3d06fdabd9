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
import { DemoWriteLimiter } from '../../src/server/demo/demo-write-limit';
import { RateLimitStorage } from '../../src/server/platform/rate-limit-storage';
import { HttpError } from '../../src/server/platform/http';

const client = '192.0.2.10';
const now = 1_700_000_000_000;

/** Writes limited per address only: the ceiling is far above what these tests take. */
function writeLimiter(limit: { max: number; windowSeconds: number }) {
  return new DemoWriteLimiter(
    limit,
    { max: 1_000_000, windowSeconds: limit.windowSeconds },
    RateLimitStorage.memory(),
  );
}

/** `count` requests one after another, each waiting for the one before. */
async function admitted(
  admissions: RaceAdmissions,
  header: string | null,
  count: number,
  at = now,
) {
  let allowed = 0;
  for (let index = 0; index < count; index++) {
    if ((await admissions.take({ address: client }, header, at)).allowed) allowed++;
  }
  return allowed;
}

describe('race admission', () => {
  it('admits a whole race for one write token', async () => {
    const writes = writeLimiter({ max: 3, windowSeconds: 60 });
    const admissions = new RaceAdmissions(writes);
    expect(await admitted(admissions, 'press-aaaaaaaa/20', 20)).toBe(20);
    // Two of the three tokens are left: the race took one.
    expect(await admitted(admissions, null, 5)).toBe(2);
  });

  it('admits a race sent all at once for one token, as the console sends it', async () => {
    const writes = writeLimiter({ max: 3, windowSeconds: 60 });
    const admissions = new RaceAdmissions(writes);
    // Every request starts before the first one has its token.
    const decisions = await Promise.all(
      Array.from({ length: 20 }, () =>
        admissions.take({ address: client, learnerId: 'l1' }, 'press-ffffffff/20', now),
      ),
    );
    expect(decisions.filter((decision) => decision.allowed)).toHaveLength(20);
    expect(await admitted(admissions, null, 5)).toBe(3);
    const learner = await Promise.all(
      Array.from({ length: 5 }, () => writes.take({ address: client, learnerId: 'l1' })),
    );
    expect(learner.filter((decision) => decision.allowed)).toHaveLength(2);
  });

  it('admits no more than the race size: further requests are ordinary writes', async () => {
    const writes = writeLimiter({ max: 2, windowSeconds: 60 });
    const admissions = new RaceAdmissions(writes);
    // 20 named, 20 + the one token left = 21 at most.
    expect(await admitted(admissions, 'press-bbbbbbbb/20', 30)).toBe(21);
  });

  it('closes a race after its window', async () => {
    const writes = writeLimiter({ max: 1, windowSeconds: 3600 });
    const admissions = new RaceAdmissions(writes);
    expect(await admitted(admissions, 'press-cccccccc/10', 2)).toBe(2);
    expect(await admitted(admissions, 'press-cccccccc/10', 5, now + raceWindowMs)).toBe(0);
  });

  it('is keyed by address: another address cannot ride a race', async () => {
    const writes = writeLimiter({ max: 1, windowSeconds: 3600 });
    const admissions = new RaceAdmissions(writes);
    expect((await admissions.take({ address: client }, 'press-dddddddd/5', now)).allowed).toBe(
      true,
    );
    expect(
      (await admissions.take({ address: '198.51.100.9' }, 'press-dddddddd/5', now)).allowed,
    ).toBe(true);
    // That address spent its own token opening; its next request has none.
    expect((await admissions.take({ address: '198.51.100.9' }, null, now)).allowed).toBe(false);
  });

  it('refuses the first request of a race when no token is left, and opens nothing', async () => {
    const writes = writeLimiter({ max: 1, windowSeconds: 3600 });
    const admissions = new RaceAdmissions(writes);
    expect(await admitted(admissions, null, 1)).toBe(1);
    expect(await admitted(admissions, 'press-eeeeeeee/20', 20)).toBe(0);
    expect(admissions.size).toBe(0);
  });

  it('bounds the extra requests one address can get by opening races', async () => {
    const max = 1000;
    const writes = writeLimiter({ max, windowSeconds: 3600 });
    const admissions = new RaceAdmissions(writes);
    const races = raceOpenLimit.max * 3;
    let allowed = 0;
    for (let race = 0; race < races; race++) {
      allowed += await admitted(
        admissions,
        `press-${String(race).padStart(8, '0')}/${maxRaceSize}`,
        maxRaceSize,
      );
    }
    const tokensSpent = races * maxRaceSize - raceOpenLimit.max * (maxRaceSize - 1);
    expect(allowed).toBe(races * maxRaceSize);
    // Past the open limit every request of a race took a token of its own.
    expect(max - tokensSpent).toBeGreaterThanOrEqual(0);
    expect(await admitted(admissions, null, max)).toBe(max - tokensSpent);
  });

  it('reads only well-formed race headers, with N from 2 to the maximum', async () => {
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
