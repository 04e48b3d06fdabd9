import type { CookieJar } from './cookie-jar';
import type { Timer } from './timer';
import type { StoreId } from './catalog';
import type { CounterFix } from './counter-fix';

/** What a learner keeps in a demo session: JSON-compatible values. */
export type SessionData = Record<string, unknown>;

/**
 * How a load went. Stores report problems as a status, never as an exception. `evicted`: the
 * server store dropped the session before it expired, to stay within its cap or a visitor's fair
 * share (see `fair-share.ts`); the reason says which.
 */
export type LoadStatus = 'new' | 'ok' | 'tampered' | 'expired' | 'evicted' | 'unavailable';

export interface Loaded {
  status: LoadStatus;
  /** Why the status is what it is, in words a learner can read. */
  reason?: string;
  data: SessionData;
}

/** The properties the course compares stores by. */
export interface StoreFacts {
  sharedAcrossInstances: boolean;
  survivesRestart: boolean;
  revocable: boolean;
  readableByClient: boolean;
  tamperEvident: boolean;
  /** The largest session the store accepts, in bytes, and what that number counts. */
  sizeLimit: { bytes: number; counts: string };
}

export interface StoreInfo {
  id: StoreId;
  title: string;
  where: 'browser' | 'server';
  /** One sentence a learner reads under the title. */
  summary: string;
  facts: StoreFacts;
  /**
   * Server stores: what the number "log out everywhere" reports counts, and why it can differ
   * from another store's for the same steps.
   */
  revokeCounts?: string;
}

/** A simulated server instance (the serverless lesson): its own memory and directory. */
export interface Instance {
  id: string;
  memory: Map<string, unknown>;
  directory: string;
  /** A serverless-style instance that exists for one request: its stores let go of it after. */
  oneRequest?: boolean;
}

/** Everything a store may touch for one request. Stores never see HTTP objects. */
export interface DemoContext {
  cookies: CookieJar;
  instance: Instance;
  timer: Timer;
  /** Milliseconds since the epoch; injected so tests can move time. */
  now(): number;
  /**
   * Who the session belongs to: the site's anonymous learner id, so "log out everywhere" and
   * "your session data" can find every session of one person. Null when the visitor has none.
   */
  owner?: string | null;
  /**
   * The client's network address, as the rate limit sees it (after TRUST_PROXY). Server stores
   * count live sessions per address so one visitor cannot fill a shared store; they record only
   * a hash of it (`sessionVisitor`). Unset when there is no client (the comparison page).
   */
  clientAddress?: string | null;
  /**
   * `send-anyway` lets a cookie store send a cookie over the browser's 4096-byte limit, for the
   * demo that shows the browser dropping it. Server stores ignore it.
   */
  sizeRule?: 'enforce' | 'send-anyway';
  /**
   * Send cookies with `Secure`: true when the browser reached the site over HTTPS (directly or
   * through a trusted proxy). Unset, the store's own `secure` option decides.
   */
  secure?: boolean;
}

/** What the server holds for a session, for the panel's server view. */
export interface ServerView {
  key: string;
  bytes: number;
  expiresAt: number | null;
  location: string;
  /** How many live sessions the same owner has in this store (other devices included). */
  ownerSessions?: number;
}

/** Thrown by `save` when the session breaks the store's size rule. */
export class SessionTooLargeError extends Error {
  constructor(
    message: string,
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(message);
    this.name = 'SessionTooLargeError';
  }
}

/**
 * Thrown by `save`, `destroy` and the other writes when the store's server cannot be reached
 * (`load` reports `unavailable` instead). The message says how to start or configure it.
 */
export class StoreUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreUnavailableError';
  }
}

export interface SessionStore {
  readonly info: StoreInfo;
  load(ctx: DemoContext): Promise<Loaded>;
  save(ctx: DemoContext, data: SessionData): Promise<void>;
  destroy(ctx: DemoContext): Promise<void>;
  /** What the server holds for this request's session; absent for cookie stores. */
  peek?(ctx: DemoContext): Promise<ServerView | null>;
  /**
   * "Log out everywhere": deletes every session of `ctx.owner` this store can reach and returns
   * how many went. Absent on cookie stores, which cannot revoke what the browser holds.
   */
  revokeAll?(ctx: DemoContext): Promise<number>;
  /** Deletes expired sessions the store would otherwise keep; returns how many went. */
  sweep?(now: number): Promise<number>;
  /**
   * The instance is gone (a one-request "fresh" instance whose request ended): drop what the
   * store keeps for it, its files included, so nothing piles up per request.
   */
  releaseInstance?(instance: Instance): Promise<void>;
  /**
   * One bounded round trip to the store's server, for /healthz; throws `StoreUnavailableError`
   * when it does not answer. Only stores that need a service have it.
   */
  ping?(): Promise<void>;
  /**
   * How this store can keep overlapping increments from losing updates (see `counter-fix.ts`);
   * absent on cookie stores, which the server cannot fix.
   */
  readonly counterFixes?: readonly CounterFix[];
  /** Releases connections and handles at shutdown. */
  close?(): Promise<void>;
  /**
   * Why the store cannot run here and how to enable it (its service is not configured); unset
   * or null when it can. Such a store answers every request `unavailable` with this message.
   */
  readonly notConfigured?: string | null;
}
