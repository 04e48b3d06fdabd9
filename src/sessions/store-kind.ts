/**
 * A storage kind is one module: what it is called and where it keeps sessions, the settings it
 * reads from the environment (and what to say when they are missing), how to build its store, and
 * the admin face the instructor's reset, the store figures, /healthz and the learner's data page
 * use. The registry lists the kinds; nothing else in the site names one.
 */
import type { Database } from 'better-sqlite3';
import type { Instance, SessionStore } from './types';

/** The process environment, or a test's stand-in for it. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** A kind's setting in the environment is unusable: start-up stops and names the variable. */
export class StoreSettingError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(problem);
    this.name = 'StoreSettingError';
  }
}

/** What the site hands every kind when it builds the stores. */
export interface SiteResources {
  /** The first signs or seals, all verify. */
  secrets: readonly string[];
  /** Send cookies with `Secure` unless a request says otherwise. */
  secureCookies: boolean;
  dataDir: string;
  /** The site's own SQLite database. */
  db: Database;
  /** Live sessions one network address may keep in each server store (the stores' default if unset). */
  maxSessionsPerVisitor?: number;
}

/** What the admin face works over: the simulated instances and the site's view of its learners. */
export interface AdminScope {
  /** The long-lived simulated instances ("1"–"4"): stores kept per instance are searched in each. */
  instances: readonly Instance[];
  now: number;
  /**
   * Learners seen since `since`, newest first, at most `limit`: for a store that cannot list its
   * own keys, the owners it may hold sessions for.
   */
  ownersSeenSince(since: number, limit: number): Promise<string[]>;
}

/** Live sessions a store holds right now, for the instructor's figures. */
export type StoreCount =
  | { sessions: number; bytes: number; note: string | null }
  /** The store cannot be counted from the server; `why` says so in words. */
  | { uncountable: string };

/** What emptying a store did, for the instructor's reset report. */
export interface EmptyReport {
  /** `signed-out`: the store cannot delete what it cannot list, so its owners were signed out. */
  outcome: 'emptied' | 'signed-out' | 'incomplete';
  deleted: number;
  detail: string;
}

/** One of a learner's sessions in a store, for their data page. */
export interface OwnedSession {
  bytes: number;
  createdAt: number | null;
  expiresAt: number | null;
}

/**
 * The instructor's and the learner's view of a server store. Writes that cannot reach the store's
 * service throw `StoreUnavailableError`.
 */
export interface StoreAdmin {
  count(scope: AdminScope): Promise<StoreCount>;
  /** Deletes every demo session the store holds, for a class that starts over. */
  empty(scope: AdminScope): Promise<EmptyReport>;
  /** The sessions one learner owns here, newest first; absent when the store cannot list them. */
  listOwned?(owner: string, scope: AdminScope): Promise<OwnedSession[]>;
}

/** A store as the site runs it: the store and, for server stores, its admin face. */
export interface RunningStore extends SessionStore {
  readonly admin?: StoreAdmin;
}

/** The settings of a kind that reads none. */
export function noSettings(): Record<string, never> {
  return {};
}

/** Text from the environment, trimmed; undefined when unset or blank. */
export function settingText(env: Environment, variable: string): string | undefined {
  const trimmed = env[variable]?.trim();
  return trimmed ? trimmed : undefined;
}

export interface StoreKind<Id extends string = string, Settings = unknown> {
  readonly id: Id;
  readonly title: string;
  readonly where: 'browser' | 'server';
  /** Reads this kind's settings; throws `StoreSettingError` for a value it cannot use. */
  readSettings(env: Environment): Settings;
  /** Builds the store; one that lacks a service says so in `notConfigured`, it never throws. */
  create(site: SiteResources, settings: Settings): RunningStore;
}

/** Declares a kind with its id kept as a literal type, so the catalog can list the ids exactly. */
export function defineStoreKind<Id extends string, Settings>(
  kind: StoreKind<Id, Settings>,
): StoreKind<Id, Settings> {
  return kind;
}
