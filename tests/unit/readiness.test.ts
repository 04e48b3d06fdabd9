import { describe, expect, it } from 'vitest';
import { migrations } from '../../src/server/platform/migrations';
import { checkReadiness } from '../../src/server/platform/readiness';
import { sqliteSiteDatabase } from '../../src/server/platform/site-db/open';
import { memorySiteDb } from '../support/site-db';

/** What /readyz reads: the site database and the SQLite file under it. */
function readinessOf(site: ReturnType<typeof memorySiteDb>) {
  return checkReadiness({ database: sqliteSiteDatabase(site.file), sqliteFile: site.file });
}

describe('/readyz readiness', () => {
  it('is ready with a migrated database, reporting its kind and schema version', async () => {
    const site = memorySiteDb();
    expect(await readinessOf(site)).toEqual({
      status: 'ready',
      database: {
        kind: 'sqlite',
        answers: true,
        schemaVersion: migrations.length,
        migrations: migrations.length,
      },
    });
    site.close();
  });

  it('is not ready while the schema lags behind the code', async () => {
    const site = memorySiteDb();
    site.file.pragma(`user_version = ${migrations.length - 1}`);
    const report = await readinessOf(site);
    expect(report.status).toBe('not-ready');
    expect(report.reason).toMatch(
      new RegExp(`version ${migrations.length - 1}.*needs ${migrations.length}`),
    );
    site.close();
  });

  it('is not ready when the database does not answer', async () => {
    const site = memorySiteDb();
    site.file.close();
    expect(await readinessOf(site)).toMatchObject({
      status: 'not-ready',
      database: { answers: false },
      reason: 'the database does not answer',
    });
  });
});
