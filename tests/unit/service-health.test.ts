import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/server/platform/app-context';
import { checkServices } from '../../src/server/platform/service-health';
import { StoreUnavailableError, type SessionStore } from '../../src/sessions/types';
import type { StoreId } from '../../src/sessions/catalog';
import { createStoreRegistry, readStoreSettings } from '../../src/sessions/registry';
import { openDatabase } from '../../src/server/platform/database';

const dataDir = mkdtempSync(path.join(tmpdir(), 'session-lab-health-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** The site's real stores, none of their services configured, with some replaced. */
function app(replaced: Partial<Record<'redis' | 'memcached', SessionStore>>) {
  const stores = new Map(
    createStoreRegistry(
      {
        secrets: ['health-test-secret-0123456789abcdef01234'],
        secureCookies: false,
        dataDir,
        db: openDatabase(':memory:'),
      },
      readStoreSettings({}),
    ),
  );
  for (const [id, store] of Object.entries(replaced)) stores.set(id as StoreId, store);
  return { stores } as unknown as AppContext;
}

function storeThat(id: string, ping: () => Promise<void>): SessionStore {
  return { info: { id }, ping, notConfigured: null } as unknown as SessionStore;
}

/** Every registered store that needs a service, as /healthz reports it with none configured. */
function noServiceConfigured(): Record<string, string> {
  const { stores } = app({});
  const withService = [...stores].filter(([, store]) => store.ping !== undefined);
  return Object.fromEntries(withService.map(([id]) => [id, 'not-configured']));
}

describe('checkServices (/healthz/services)', () => {
  it('reports every store with a service, none configured here', async () => {
    const expected = noServiceConfigured();
    expect(Object.keys(expected)).toEqual(expect.arrayContaining(['redis', 'memcached']));
    expect(await checkServices(app({}))).toEqual({ stores: expected });
  });

  it('reports a service that fails or never answers as unavailable, within the probe bound', async () => {
    const started = Date.now();
    const report = await checkServices(
      app({
        redis: storeThat('redis', () => Promise.reject(new StoreUnavailableError('down'))),
        memcached: storeThat('memcached', () => new Promise<void>(() => {})),
      }),
    );
    expect(report).toEqual({
      stores: { ...noServiceConfigured(), redis: 'unavailable', memcached: 'unavailable' },
    });
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
