/**
 * SIGKILL while SQLite and filesystem sessions are being incremented and quizzes submitted, then
 * a restart on the same DATA_DIR: every write the server answered 200 must have survived.
 * Two rounds on the same data, so the second kill also meets what the first restart recovered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killDuringWrites } from './support/kill-scenario';
import { generousLimits, LiveSite } from './support/live-site';

let site: LiveSite;

beforeAll(async () => {
  site = await LiveSite.start(generousLimits);
});

afterAll(() => site?.stop());

describe('kill -9 during writes', () => {
  it.each([1, 2])('round %i: no acknowledged write is lost', async () => {
    const report = await killDuringWrites(site, {
      stores: ['sqlite', 'filesystem'],
      sessionsPerStore: 3,
      learners: 2,
      killAfterMs: 1_500,
      quizId: 'jwt',
    });
    console.log(
      `kill -9: ${report.acknowledged} acknowledged writes, ${report.lost.length} lost, ` +
        `restart ${report.restartMs} ms`,
    );
    expect(report.acknowledged).toBeGreaterThan(20);
    expect(report.lost).toEqual([]);
  });
});
