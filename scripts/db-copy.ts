// `npm run db:copy`: copies the site's own data from DATA_DIR's SQLite file into the PostgreSQL
// that DATABASE_URL names, for an instructor moving a course from one machine to several. Safe to
// run again: rows already copied are left alone. See src/server/platform/site-db/copy.ts.
import path from 'node:path';
import { existsSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { applyMigrations } from '../src/server/platform/database.ts';
import { migrations } from '../src/server/platform/migrations.ts';
import { copySqliteToPostgres } from '../src/server/platform/site-db/copy.ts';
import { postgresSiteDatabase } from '../src/server/platform/site-db/open.ts';

const databaseUrl = process.env.DATABASE_URL;
const dataDir = path.resolve(process.env.DATA_DIR ?? 'data');
const sqlitePath = path.join(dataDir, 'session-lab.sqlite');

if (!databaseUrl) fail('set DATABASE_URL=postgres://user:password@host:5432/dbname to copy into');
if (!existsSync(sqlitePath)) fail(`no SQLite database at ${sqlitePath}; set DATA_DIR to copy from`);

const file = new BetterSqlite3(sqlitePath);
// An older file is brought up to this code's schema first, so its columns match PostgreSQL's.
applyMigrations(file, migrations);
const site = postgresSiteDatabase({ url: databaseUrl, maxConnections: 1 });
try {
  await site.ready;
  const report = await copySqliteToPostgres(file, site.db);
  console.log(`Copied ${sqlitePath} into PostgreSQL at ${site.location}:\n`);
  console.log('table                 in SQLite   copied   already there');
  for (const { table, source, copied, alreadyThere } of report) {
    console.log(
      `${table.padEnd(20)}${String(source).padStart(10)}${String(copied).padStart(9)}` +
        String(alreadyThere).padStart(16),
    );
  }
} catch (error) {
  fail((error as Error).message);
} finally {
  await site.close();
  file.close();
}

function fail(message: string): never {
  console.error(`db:copy: ${message}`);
  process.exit(1);
}
