import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/server/platform/app-context';
import { checkHealth } from '../../src/server/platform/health';
import { StoreUnavailableError, type SessionStore } from '../../src/sessions/types';
import type { StoreId } from '../../src/sessions/catalog';
import { createStoreRegistry, readStoreSettings } from '../../src/sessions/registry';
import { openDatabase } from '../../src/server/platform/database';

const dataDir = mkdtempSync(path.join(tmpdir(), 'session-lab-health-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** The site's real stores, none of their services configured, with some replaced. */
function app(
  db: Database.Database,
  replaced: Partial<Record<'redis' | 'memcached', SessionStore>>,
) {
  const stores = new Map(
    createStoreRegistry(
      {
        secrets: ['health-test-secret-0123456789abcdef01234'],
        secureCookies: false,
        dataDir,
        // The stores get a database of their own: the one under test may be closed on purpose.
        db: openDatabase(':memory:'),
      },
      readStoreSettings({}),
    ),
  );
  for (const [id, store] of Object.entries(replaced)) stores.set(id as StoreId, store);
  return { db, stores } as unknown as AppContext;
}

function storeThat(id: string, ping: () => Promise<void>): SessionStore {
  return { info: { id }, ping, notConfigured: null } as unknown as SessionStore;
}

/** Every registered store that needs a service, as /healthz reports it with none configured. */
function noServiceConfigured(): Record<string, string> {
  const { stores } = app(new Database(':memory:'), {});
  const withService = [...stores].filter(([, store]) => store.ping !== undefined);
  return Object.fromEntries(withService.map(([id]) => [id, 'not-configured']));
}

describe('checkHealth', () => {
  it('is ok with a database that answers and no services configured', async () => {
    const expected = noServiceConfigured();
    expect(Object.keys(expected)).toEqual(expect.arrayContaining(['redis', 'memcached']));
    expect(await checkHealth(app(new Database(':memory:'), {}))).toEqual({
      status: 'ok',
      database: 'ok',
      stores: expected,
    });
  });

  it('is unhealthy when the database fails', async () => {
    const db = new Database(':memory:');
    db.close();
    expect(await checkHealth(app(db, {}))).toMatchObject({
      status: 'unhealthy',
      database: 'failed',
    });
  });

  it('stays ok when a service fails or never answers, within the probe bound', async () => {
    const started = Date.now();
    const report = await checkHealth(
      app(new Database(':memory:'), {
        redis: storeThat('redis', () => Promise.reject(new StoreUnavailableError('down'))),
        memcached: storeThat('memcached', () => new Promise<void>(() => {})),
      }),
    );
    expect(report).toEqual({
      status: 'ok',
      database: 'ok',
      stores: { ...noServiceConfigured(), redis: 'unavailable', memcached: 'unavailable' },
    });
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
