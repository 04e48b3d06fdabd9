import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/server/platform/database';
import { migrations } from '../../src/server/platform/migrations';
import { checkReadiness } from '../../src/server/platform/readiness';

describe('/readyz readiness', () => {
  it('is ready with a migrated database, reporting its kind and schema version', () => {
    const db = openDatabase(':memory:');
    expect(checkReadiness({ db })).toEqual({
      status: 'ready',
      database: {
        kind: 'sqlite',
        answers: true,
        schemaVersion: migrations.length,
        migrations: migrations.length,
      },
    });
    db.close();
  });

  it('is not ready while the schema lags behind the code', () => {
    const db = new Database(':memory:');
    db.pragma(`user_version = ${migrations.length - 1}`);
    const report = checkReadiness({ db });
    expect(report.status).toBe('not-ready');
    expect(report.reason).toMatch(
      new RegExp(`version ${migrations.length - 1}.*needs ${migrations.length}`),
    );
    db.close();
  });

  it('is not ready when the database does not answer', () => {
    const db = openDatabase(':memory:');
    db.close();
    expect(checkReadiness({ db })).toMatchObject({
      status: 'not-ready',
      database: { answers: false },
      reason: 'the database does not answer',
    });
  });
});
