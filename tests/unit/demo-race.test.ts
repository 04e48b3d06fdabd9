import { describe, expect, it } from 'vitest';
import { raceExplanation, raceHeadline, summarizeRace } from '../../src/components/demo/race';
import { report } from './demo-fixtures';

const saved = (counter: number, key?: string) =>
  report({ data: { counter }, server: key ? server(key) : null });

function server(key: string) {
  return { key, bytes: 20, expiresAt: null, location: 'memory' };
}

describe('summarizeRace', () => {
  it('finds the lost updates when every request loaded the same counter', () => {
    const summary = summarizeRace(
      Array.from({ length: 20 }, () => saved(4)),
      report({ data: { counter: 4 } }),
    );
    expect(summary).toMatchObject({
      sent: 20,
      applied: 20,
      refused: 0,
      from: 3,
      to: 4,
      lost: 19,
      commonStart: { value: 3, requests: 20 },
    });
    expect(raceHeadline(summary)).toBe('20 sent, counter went from 3 to 4: 19 updates lost');
    expect(raceExplanation(summary)).toMatch(/\(20 of them loaded 3\).*last write wins/);
  });

  it('counts nothing lost when the server took the requests one by one', () => {
    const summary = summarizeRace(
      Array.from({ length: 20 }, (_, index) => saved(index + 1, 'a')),
      report({ data: { counter: 20 } }),
    );
    expect(summary.lost).toBe(0);
    expect(raceHeadline(summary)).toBe('20 sent, counter went from 0 to 20: 0 updates lost');
    expect(raceExplanation(summary)).toMatch(/Nothing lost this time/);
  });

  it('leaves refused requests out of the count', () => {
    const summary = summarizeRace([saved(1), saved(2), null], report({ data: { counter: 2 } }));
    expect(summary).toMatchObject({ sent: 3, applied: 2, refused: 1, from: 0, to: 2, lost: 0 });
    expect(raceHeadline(summary)).toBe(
      '3 sent (1 refused), counter went from 0 to 2: 0 updates lost of the 2 that ran',
    );
    // A refused request is not an update the race kept: never "nothing lost" without a word.
    expect(raceExplanation(summary)).toMatch(/^1 increment was refused and never ran\. Of the 2/);
    expect(raceExplanation(summary)).not.toMatch(/Nothing lost this time/);
  });

  it('says 1 update, not 1 updates', () => {
    const summary = summarizeRace([saved(1), saved(1)], report({ data: { counter: 1 } }));
    expect(raceHeadline(summary)).toMatch(/: 1 update lost$/);
  });

  it('reads a missing counter as 0 and explains a vanished session', () => {
    const summary = summarizeRace([saved(1), saved(1)], report({ status: 'new', data: {} }));
    expect(summary).toMatchObject({ from: 0, to: 0, lost: 2, readStatus: 'new' });
    expect(raceExplanation(summary)).toMatch(/found no session/);
  });

  it('notices when the requests started separate sessions', () => {
    const summary = summarizeRace(
      [saved(1, 'a'), saved(1, 'b'), saved(1, 'c')],
      report({ data: { counter: 1 }, where: 'server' }),
    );
    expect(summary.sessions).toBe(3);
    expect(raceExplanation(summary)).toMatch(/3 separate sessions/);
  });

  it('says so when nothing was applied or the read failed', () => {
    const none = summarizeRace([null, null], report({ data: { counter: 1 } }));
    expect(raceHeadline(none)).toBe('2 sent (2 refused), none applied: the counter did not move');
    expect(raceExplanation(none)).toMatch(/Every increment was refused/);
    const noRead = summarizeRace([saved(2)], null);
    expect(raceHeadline(noRead)).toMatch(/final counter is unknown/);
  });

  it('credits the fix when none was lost with it, and says where a process lock stops', () => {
    const lock = {
      kind: 'lock',
      how: 'a mutex per session id in this process',
      processOnly: true,
    } as const;
    const ordered = Array.from({ length: 20 }, (_, index) => saved(index + 1, 'a'));
    const fixed = summarizeRace(ordered, report({ data: { counter: 20 } }), {
      workMs: 50,
      fix: lock,
    });
    expect(raceExplanation(fixed)).toMatch(
      /^None lost: the requests took turns .*only within one process/,
    );
    const atomic = { kind: 'atomic', how: 'one Lua script', processOnly: false } as const;
    const viaScript = summarizeRace(ordered, report({ data: { counter: 20 } }), {
      workMs: 50,
      fix: atomic,
    });
    expect(raceExplanation(viaScript)).toMatch(/store added one itself \(one Lua script\)/);
    const lost = summarizeRace(
      Array.from({ length: 20 }, () => saved(4, 'a')),
      report({ data: { counter: 4 } }),
      { workMs: 50, fix: null },
    );
    expect(raceExplanation(lost)).toMatch(/during their 50 ms of work/);
  });
});
