/**
 * The site's database for unit tests: a migrated in-memory SQLite file, and the Kysely handle the
 * code under test takes. `file` is the same database, for a test that looks at the rows directly.
 */
import { openDatabase, type Database } from '../../src/server/platform/database';
import { sqliteSiteDatabase, type SiteDb } from '../../src/server/platform/site-db/open';

export interface TestSiteDb {
  db: SiteDb;
  file: Database;
  close(): void;
}

export function memorySiteDb(file: Database = openDatabase(':memory:')): TestSiteDb {
  const { db } = sqliteSiteDatabase(file);
  return {
    db,
    file,
    close() {
      void db.destroy();
      if (file.open) file.close();
    },
  };
}
