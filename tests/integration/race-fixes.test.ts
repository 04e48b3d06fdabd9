/**
 * The race demo on every server store, through the real demo handler (as a press runs it):
 * overlapping increments that each wait `workMs` between load and save lose updates, and with the
 * store's own fix (atomic, or a lock) they lose none. Counts are checked against how many
 * increments ran, never against fixed numbers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserCookieJar } from '../../src/lab/browser-cookie-jar';
import type { IncrementFix } from '../../src/lab/demo-api';
import { runPress } from '../../src/server/demo/press-runner';
import { counterOf, reportOf } from '../../src/course/predictions/read-results';
import type { StoreId } from '../../src/sessions/catalog';
import {
  servicesSkipReason,
  startAppWithServices,
  type AppWithServices,
} from '../support/app-with-services';
import type { TestApp } from '../support/test-app';

const skipReason = servicesSkipReason();
if (skipReason) console.warn(skipReason);

const racing = 20;
const workMs = 20;

const fixes: [StoreId, IncrementFix][] = [
  ['memory', 'lock'],
  ['filesystem', 'lock'],
  ['sqlite', 'atomic'],
  ['sqlite', 'version'],
  ['redis', 'atomic'],
  ['memcached', 'lock'],
  ['postgres', 'atomic'],
  ['postgres', 'version'],
];
const stores = [...new Set(fixes.map(([storeId]) => storeId))];

describe.skipIf(skipReason !== null)('the race demo on every server store', () => {
  let running: AppWithServices;
  let testApp: TestApp;

  beforeAll(async () => {
    running = await startAppWithServices();
    testApp = running.testApp;
  });

  afterAll(async () => {
    await running?.stop();
  });

  /** One increment (so a session exists), `racing` at once, then a read: what the counter kept. */
  async function race(storeId: StoreId, fix: IncrementFix) {
    const results = await runPress(
      testApp.app,
      { storeId, origin: 'http://127.0.0.1:4321', clientAddress: '192.0.2.7' },
      [
        { method: 'POST', action: { action: 'increment' } },
        { method: 'POST', action: { action: 'increment', workMs, fix }, together: racing },
        { method: 'GET' },
      ],
      new BrowserCookieJar(null),
    );
    const failed = results.filter((result) => !result.ok);
    expect(failed, JSON.stringify(failed[0])).toEqual([]);
    const start = counterOf(reportOf(results[0]));
    const end = counterOf(reportOf(results.at(-1)));
    const sessions = new Set(results.map((result) => reportOf(result)?.server?.key)).size;
    return { ran: results.length - 2, moved: end - start, sessions };
  }

  it('races every server store, with every fix each one offers', () => {
    const offered = [...testApp.app.stores.values()]
      .filter((store) => store.info.where === 'server')
      .flatMap((store) => (store.counterFixes ?? []).map((fix) => `${store.info.id} ${fix.kind}`));
    expect(fixes.map(([storeId, fix]) => `${storeId} ${fix}`).sort()).toEqual(offered.sort());
    const serverStores = [...testApp.app.stores.values()].filter(
      (store) => store.info.where === 'server',
    );
    expect([...stores].sort()).toEqual(serverStores.map((store) => store.info.id).sort());
  });

  for (const storeId of stores) {
    it(`${storeId}: ${racing} increments with ${workMs} ms of work lose updates`, async () => {
      const { ran, moved, sessions } = await race(storeId, 'none');
      expect(ran).toBe(racing);
      expect(sessions, 'every request used the one session').toBe(1);
      expect(moved).toBeGreaterThanOrEqual(1);
      expect(moved, `${storeId} kept ${moved} of ${ran}`).toBeLessThan(ran);
    });
  }

  for (const [storeId, fix] of fixes) {
    it(`${storeId}: with its fix (${fix}) none is lost`, async () => {
      const { ran, moved } = await race(storeId, fix);
      expect(ran).toBe(racing);
      expect(moved).toBe(ran);
    });
  }
});
