/**
 * Settings from the environment. Every variable is optional for local use; an invalid value stops
 * start-up with a message that names the variable, instead of failing later on a request.
 */
import { randomBytes } from 'node:crypto';
import { defaultMaxSessionsPerVisitor } from '../../sessions/fair-share';
import { maxIndexedSessionsPerOwner } from '../../sessions/session-owner';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { privateDirectoryMode, privateFileMode, tightenFile } from './data-dir';
import type { RateLimit } from './rate-limit';
import { readPostgresSettings } from '../../sessions/stores/postgres';
import { readStoreSettings, StoreSettingError, type StoreSettings } from '../../sessions/registry';

export interface Config {
  host: string;
  port: number;
  /**
   * Server processes on this machine (WORKERS): 1 serves from this process; more fork that many
   * workers sharing the port (src/server/platform/workers.ts). `auto` is one per core.
   */
  workers: number;
  dataDir: string;
  /** The first signs, all verify: prepend a new secret to rotate without logging everyone out. */
  sessionSecrets: string[];
  /** Where the secrets came from, for the start-up log (never the secrets themselves). */
  sessionSecretSource: 'environment' | 'generated' | 'data-dir';
  /** Each storage kind's own settings (REDIS_URL, MEMCACHED_SERVERS …), read by its module. */
  storeSettings: StoreSettings;
  /**
   * DATABASE_URL, when set: the site's own data (learners, progress, classes …) lives in that
   * PostgreSQL, shared by every server pointed at it. Unset: the SQLite file in DATA_DIR.
   */
  siteDatabaseUrl: string | null;
  /**
   * Demo writes (POST, DELETE) allowed per learner, e.g. 120 per 60 seconds; a browser without a
   * learner cookie counts as its address.
   */
  demoWriteLimit: RateLimit;
  /**
   * Demo writes allowed per address, all its learners together: the ceiling that keeps one
   * address (or one person throwing cookies away) from exceeding it, set high enough for a class
   * behind one router. Never a lower rate than `demoWriteLimit`; ten times it unless set.
   */
  demoWriteAddressLimit: RateLimit;
  /** Quiz submissions allowed per client. */
  quizSubmitLimit: RateLimit;
  /** Instructor sign-in attempts allowed per client. */
  signInLimit: RateLimit;
  /**
   * Join-code lookups that find no class, allowed per client (per address, per /64 for IPv6);
   * over it every lookup from that client is refused, so a guess cannot tell a hit from a miss.
   */
  joinLookupLimit: RateLimit;
  /** Requests to measure the comparison page again, allowed per client. */
  compareLimit: RateLimit;
  /**
   * Seconds between two measurements of the comparison page, shared by every visitor: a request
   * to measure again sooner is shown the last one. 0 lets every request measure (tests).
   */
  compareIntervalSeconds: number;
  /**
   * Behind a reverse proxy: take the client address from X-Forwarded-For and HTTPS from
   * X-Forwarded-Proto. Off unless set, because without a proxy anyone can send those headers.
   */
  trustProxy: boolean;
  /**
   * Live demo sessions one network address may keep in each server store. A class behind one
   * router shares an address: past this, its own oldest sessions are evicted.
   */
  demoSessionsPerAddress: number;
  /** Opens /instructor; null keeps it closed. */
  instructorToken: string | null;
}

export class ConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`Invalid ${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const minSecretLength = 32;
/** How many learners' worth of demo writes one address gets unless told otherwise. */
const ceilingPerClients = 10;
const generatedSecretFile = 'session-secret';

export function loadConfig(env: Env = process.env): Config {
  const dataDir = path.resolve(nonEmpty(env.DATA_DIR) ?? './data');
  const { secrets, source } = readSessionSecrets(env.SESSION_SECRET, dataDir);
  const demoWriteLimit = parseRateLimit(
    'RATE_LIMIT_DEMO_WRITES',
    env.RATE_LIMIT_DEMO_WRITES,
    '120/60',
  );
  return {
    host: nonEmpty(env.HOST) ?? 'localhost',
    port: parsePort(env.PORT),
    workers: parseWorkers(env.WORKERS),
    dataDir,
    sessionSecrets: secrets,
    sessionSecretSource: source,
    storeSettings: readSettingsOfStores(env),
    // Already validated with the stores' settings just above; the PostgreSQL demo shares it.
    siteDatabaseUrl: readPostgresSettings(env).url,
    demoWriteLimit,
    demoWriteAddressLimit: parseCeiling(
      'RATE_LIMIT_DEMO_WRITES_PER_ADDRESS',
      env.RATE_LIMIT_DEMO_WRITES_PER_ADDRESS,
      { variable: 'RATE_LIMIT_DEMO_WRITES', limit: demoWriteLimit },
    ),
    quizSubmitLimit: parseRateLimit('RATE_LIMIT_QUIZ', env.RATE_LIMIT_QUIZ, '30/60'),
    signInLimit: parseRateLimit('RATE_LIMIT_SIGN_IN', env.RATE_LIMIT_SIGN_IN, '5/300'),
    joinLookupLimit: parseRateLimit('RATE_LIMIT_JOIN', env.RATE_LIMIT_JOIN, '20/60'),
    compareLimit: parseRateLimit('RATE_LIMIT_COMPARE', env.RATE_LIMIT_COMPARE, '6/300'),
    compareIntervalSeconds: parseSeconds('COMPARE_INTERVAL', env.COMPARE_INTERVAL, 60),
    trustProxy: parseBoolean('TRUST_PROXY', env.TRUST_PROXY),
    demoSessionsPerAddress: parseWholeNumber(
      'DEMO_SESSIONS_PER_ADDRESS',
      env.DEMO_SESSIONS_PER_ADDRESS,
      defaultMaxSessionsPerVisitor,
      maxIndexedSessionsPerOwner,
    ),
    instructorToken: parseInstructorToken(env.INSTRUCTOR_TOKEN),
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function parsePort(value: string | undefined): number {
  const raw = nonEmpty(value);
  if (raw === undefined) return 4321;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port < 1 || port > 65535) {
    throw new ConfigError('PORT', `"${raw}" is not a TCP port (1–65535)`);
  }
  return port;
}

/** More than this many processes on one machine is a typo, not a plan. */
export const maxWorkers = 64;

function parseWorkers(value: string | undefined): number {
  const raw = nonEmpty(value)?.toLowerCase();
  if (raw === undefined) return 1;
  if (raw === 'auto') return Math.min(availableParallelism(), maxWorkers);
  const workers = Number(raw);
  if (!/^\d{1,3}$/.test(raw) || workers < 1 || workers > maxWorkers) {
    throw new ConfigError(
      'WORKERS',
      `"${raw.slice(0, 20)}" is not a number of processes from 1 to ${maxWorkers}, or auto (one per core)`,
    );
  }
  return workers;
}

function readSessionSecrets(
  value: string | undefined,
  dataDir: string,
): { secrets: string[]; source: Config['sessionSecretSource'] } {
  const raw = nonEmpty(value);
  if (raw !== undefined) {
    const secrets = raw.split(',').map((secret) => secret.trim());
    secrets.forEach((secret, index) => {
      if (secret.length < minSecretLength) {
        throw new ConfigError(
          'SESSION_SECRET',
          `secret #${index + 1} has ${secret.length} characters; use at least ${minSecretLength} ` +
            `random characters (for example: openssl rand -base64 32)`,
        );
      }
    });
    return { secrets, source: 'environment' };
  }
  return readOrCreateGeneratedSecret(dataDir);
}

/** Local use needs no configuration: a random secret is made once and kept beside the data. */
function readOrCreateGeneratedSecret(dataDir: string): {
  secrets: string[];
  source: Config['sessionSecretSource'];
} {
  const file = path.join(dataDir, generatedSecretFile);
  try {
    const stored = readFileSync(file, 'utf8').trim();
    if (stored.length >= minSecretLength) {
      tightenFile(file);
      return { secrets: [stored], source: 'data-dir' };
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new ConfigError('DATA_DIR', `cannot read ${file}: ${(error as Error).message}`);
    }
  }
  const secret = randomBytes(32).toString('base64url');
  try {
    mkdirSync(dataDir, { recursive: true, mode: privateDirectoryMode });
    // `wx` keeps the first secret if two processes start at once; the loser re-reads it.
    writeFileSync(file, secret + '\n', { mode: privateFileMode, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      return readOrCreateGeneratedSecret(dataDir);
    throw new ConfigError('DATA_DIR', `cannot write ${file}: ${(error as Error).message}`);
  }
  return { secrets: [secret], source: 'generated' };
}

function parseBoolean(variable: string, value: string | undefined): boolean {
  const raw = nonEmpty(value)?.toLowerCase();
  if (raw === undefined || raw === 'false' || raw === '0' || raw === 'no') return false;
  if (raw === 'true' || raw === '1' || raw === 'yes') return true;
  throw new ConfigError(variable, `"${raw.slice(0, 20)}" is not true or false`);
}

function parseInstructorToken(value: string | undefined): string | null {
  const raw = nonEmpty(value);
  if (raw === undefined) return null;
  if (raw.length < 16) {
    throw new ConfigError(
      'INSTRUCTOR_TOKEN',
      `it has ${raw.length} characters; use at least 16 random ones (for example: openssl rand -base64 24)`,
    );
  }
  return raw;
}

/** "N/S": N requests per S seconds. */
function parseRateLimit(variable: string, value: string | undefined, fallback: string): RateLimit {
  const raw = nonEmpty(value) ?? fallback;
  const match = /^(\d{1,7})\/(\d{1,6})$/.exec(raw);
  const max = Number(match?.[1]);
  const windowSeconds = Number(match?.[2]);
  if (!match || max < 1 || windowSeconds < 1) {
    throw new ConfigError(variable, `"${raw}" is not "requests/seconds", e.g. 120/60`);
  }
  return { max, windowSeconds };
}

/**
 * A limit for many clients together, which must allow at least the rate one of them gets. Unset,
 * it is `ceilingPerClients` times the limit of one (1200/60 for the default 120/60).
 */
function parseCeiling(
  variable: string,
  value: string | undefined,
  each: { variable: string; limit: RateLimit },
): RateLimit {
  const { max, windowSeconds } = each.limit;
  if (nonEmpty(value) === undefined) return { max: max * ceilingPerClients, windowSeconds };
  const ceiling = parseRateLimit(variable, value, '');
  const rate = (limit: RateLimit) => limit.max / limit.windowSeconds;
  if (rate(ceiling) < rate(each.limit)) {
    throw new ConfigError(
      variable,
      `${ceiling.max}/${ceiling.windowSeconds} allows fewer requests than ${each.variable} ` +
        `(${max}/${windowSeconds}) gives one learner; make it higher`,
    );
  }
  return ceiling;
}

/** A whole number from 1 to `max`. */
function parseWholeNumber(
  variable: string,
  value: string | undefined,
  fallback: number,
  max: number,
): number {
  const raw = nonEmpty(value);
  if (raw === undefined) return fallback;
  const number = Number(raw);
  if (!/^\d{1,7}$/.test(raw) || number < 1 || number > max) {
    throw new ConfigError(variable, `"${raw.slice(0, 20)}" is not a whole number from 1 to ${max}`);
  }
  return number;
}

/** Whole seconds, 0 to a day. */
function parseSeconds(variable: string, value: string | undefined, fallback: number): number {
  const raw = nonEmpty(value);
  if (raw === undefined) return fallback;
  const seconds = Number(raw);
  if (!/^\d{1,5}$/.test(raw) || seconds > 86_400) {
    throw new ConfigError(variable, `"${raw.slice(0, 20)}" is not a number of seconds (0–86400)`);
  }
  return seconds;
}

function readSettingsOfStores(env: Env): StoreSettings {
  try {
    return readStoreSettings(env);
  } catch (error) {
    if (error instanceof StoreSettingError) throw new ConfigError(error.variable, error.message);
    throw error;
  }
}
