/**
 * The Redis, Memcached and PostgreSQL checkpoints against real servers (started on free loopback
 * ports): the press reads its outcome from the real stores' responses, as it does on a site that
 * runs them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findCheckpoint } from '../../src/course/predictions';
import { BrowserCookieJar } from '../../src/lab/browser-cookie-jar';
import { runPress } from '../../src/server/demo/press-runner';
import { judge } from '../../src/server/demo/prediction-request';
import {
  servicesSkipReason,
  startAppWithServices,
  type AppWithServices,
} from '../support/app-with-services';
import type { TestApp } from '../support/test-app';

const skipReason = servicesSkipReason();
if (skipReason) console.warn(skipReason);

describe.skipIf(skipReason !== null)('checkpoints on real Redis, Memcached and PostgreSQL', () => {
  let running: AppWithServices;
  let testApp: TestApp;

  beforeAll(async () => {
    running = await startAppWithServices();
    testApp = running.testApp;
  });

  afterAll(async () => {
    await running?.stop();
  });

  for (const [id, taught, seen] of [
    ['redis-other-instance', 'found', /counter 1/],
    ['memcached-restart', 'survives', /counter 1/],
    ['postgres-fresh-instance', 'found', /counter 1/],
    ['postgres-log-out-everywhere', 'signed-out', /came back with/],
  ] as const) {
    it(`${id}: the press shows "${taught}", read from the real store`, async () => {
      const checkpoint = findCheckpoint(id)!;
      const results = await runPress(
        testApp.app,
        { storeId: checkpoint.store, origin: 'http://127.0.0.1:4321', clientAddress: '192.0.2.3' },
        checkpoint.steps,
        new BrowserCookieJar(null),
      );
      expect(results.every((result) => result.ok)).toBe(true);
      const judged = judge(checkpoint, taught, results);
      expect(judged).toMatchObject({ outcome: taught, correct: true });
      expect(judged.observed).toMatch(seen);
    });
  }
});
