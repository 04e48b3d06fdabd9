import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/server/app-context';
import { checkHealth } from '../../src/server/health';
import { StoreUnavailableError, type SessionStore } from '../../src/sessions/types';

function app(db: Database.Database, stores: Partial<Record<'redis' | 'memcached', SessionStore>>) {
  return {
    db,
    config: {
      redisUrl: stores.redis ? 'redis://127.0.0.1:1' : null,
      memcachedServers: stores.memcached ? ['127.0.0.1:1'] : [],
    },
    stores: new Map(Object.entries(stores)),
  } as unknown as AppContext;
}

function storeThat(ping: () => Promise<void>): SessionStore {
  return { ping } as unknown as SessionStore;
}

describe('checkHealth', () => {
  it('is ok with a database that answers and no services configured', async () => {
    expect(await checkHealth(app(new Database(':memory:'), {}))).toEqual({
      status: 'ok',
      database: 'ok',
      stores: { redis: 'not-configured', memcached: 'not-configured' },
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
        redis: storeThat(() => Promise.reject(new StoreUnavailableError('down'))),
        memcached: storeThat(() => new Promise<void>(() => {})),
      }),
    );
    expect(report).toEqual({
      status: 'ok',
      database: 'ok',
      stores: { redis: 'unavailable', memcached: 'unavailable' },
    });
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
