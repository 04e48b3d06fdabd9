/**
 * The long-lived parts of the running server, made once per process on first use: settings,
 * the site's database, the demo stores and the simulated instances.
 */
import path from 'node:path';
import { measureStores } from '../../lab/compare';
import { ComparisonRuns } from '../../lab/compare-cache';
import { InstanceSimulator } from '../../lab/instances';
import { createStoreRegistry, type StoreRegistry } from '../../sessions/registry';
import { loadConfig, type Config } from './config';
import { securePrivateDirectory } from './data-dir';
import { openDatabase, type Database } from './database';
import {
  postgresSiteDatabase,
  sqliteSiteDatabase,
  type SiteDatabase,
  type SiteDb,
} from './site-db/open';
import { DemoWriteLimiter } from '../demo/demo-write-limit';
import { FailureLimiter, RateLimiter } from './rate-limit';
import { rateLimitStorageFor, type RateLimitStorage } from './rate-limit-storage';

export interface AppContext {
  config: Config;
  /** The site's own data (learners, progress, classes …), on SQLite or PostgreSQL. */
  db: SiteDb;
  /** Which database that is, where, whether its schema is current, and how to close it. */
  database: SiteDatabase;
  /**
   * The SQLite file in DATA_DIR. It always exists: the SQLite lesson's demo store keeps its
   * sessions there, and without DATABASE_URL it holds the site's own data too.
   */
  sqliteFile: Database;
  stores: StoreRegistry;
  instances: InstanceSimulator;
  /** Where every limiter counts: Redis shared by every instance with REDIS_URL, else memory. */
  rateLimits: RateLimitStorage;
  /** Demo writes per learner, under a ceiling per address. */
  demoWriteLimiter: DemoWriteLimiter;
  quizSubmitLimiter: RateLimiter;
  /** Join codes looked up that found no class, per client: guessing codes meets a wall. */
  joinLookupLimiter: FailureLimiter;
  /** Requests to measure the comparison page again, per client. */
  compareLimiter: RateLimiter;
  /** The comparison page's measurement, shared by every visitor. */
  comparisons: ComparisonRuns;
}

let context: AppContext | undefined;

export function getAppContext(): AppContext {
  context ??= createAppContext(loadConfig());
  return context;
}

/** Exported for tests, which build one from settings of their own; the server has one. */
export function createAppContext(config: Config): AppContext {
  const tightened = securePrivateDirectory(config.dataDir);
  if (tightened) console.warn(tightened);
  const sqliteFile = openDatabase(path.join(config.dataDir, 'session-lab.sqlite'));
  const database =
    config.siteDatabaseUrl === null
      ? sqliteSiteDatabase(sqliteFile)
      : postgresSiteDatabase({ url: config.siteDatabaseUrl });
  const stores = createStoreRegistry(
    {
      secrets: config.sessionSecrets,
      // Only the fallback: each demo request sets `Secure` itself when the browser came over HTTPS.
      secureCookies: false,
      dataDir: config.dataDir,
      db: sqliteFile,
      maxSessionsPerVisitor: config.demoSessionsPerAddress,
    },
    config.storeSettings,
  );
  const instances = new InstanceSimulator(config.dataDir);
  // One throwaway instance for the comparison, used by nothing else: sessions start from nothing.
  const compareInstance = instances.resolve('fresh');
  const rateLimits = rateLimitStorageFor(config.storeSettings);
  return {
    config,
    db: database.db,
    database,
    sqliteFile,
    stores,
    instances,
    rateLimits,
    demoWriteLimiter: new DemoWriteLimiter(
      config.demoWriteLimit,
      config.demoWriteAddressLimit,
      rateLimits,
    ),
    quizSubmitLimiter: new RateLimiter(config.quizSubmitLimit, {
      storage: rateLimits,
      name: 'quiz',
    }),
    joinLookupLimiter: new FailureLimiter(config.joinLookupLimit, {
      storage: rateLimits,
      name: 'join',
    }),
    compareLimiter: new RateLimiter(config.compareLimit, { storage: rateLimits, name: 'compare' }),
    comparisons: new ComparisonRuns({
      measure: () =>
        measureStores({
          stores,
          instance: compareInstance,
        }),
      minIntervalMs: config.compareIntervalSeconds * 1000,
    }),
  };
}
