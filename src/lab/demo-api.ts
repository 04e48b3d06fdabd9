/**
 * The JSON the demo API answers with. Instructors script it with curl, so these names are a
 * stable contract: add fields, never rename them.
 */
import type { LoadStatus, SessionData, ServerView, StoreInfo } from '../sessions/types';

export interface RequestCookieBytes {
  name: string;
  /** UTF-8 bytes of `name=value`, the quantity browsers limit to 4096. */
  nameValueBytes: number;
}

export interface SetCookieBytes {
  name: string;
  /** UTF-8 bytes of the whole `Set-Cookie` header value. */
  lineBytes: number;
  nameValueBytes: number;
  attributes: Record<string, string | true>;
  /** The value sent, so the panel can show it even when HttpOnly hides it from page scripts. */
  value: string;
}

export interface WireReport {
  request: {
    method: string;
    /** UTF-8 bytes of the `Cookie` header value as received (0 when absent). */
    cookieHeaderBytes: number;
    /** The request line and every header, as the server received them. */
    headerBytes: number;
    cookies: RequestCookieBytes[];
    bodyBytes: number;
  };
  response: {
    setCookies: SetCookieBytes[];
    bodyBytes: number;
  };
}

export interface DemoResponse {
  store: StoreInfo;
  /** What the action did, in words, when it did more than load and save (revoke-all, tamper …). */
  notice: string | null;
  status: LoadStatus;
  reason: string | null;
  data: SessionData;
  instance: string;
  /** Milliseconds, microsecond precision; the same numbers as the `Server-Timing` header. */
  timings: Record<string, number>;
  wire: WireReport;
  server: ServerView | null;
  /**
   * The store's fixes for lost updates, which `increment` takes as `fix` (see the concurrency
   * lesson); empty for cookie stores, which the server cannot fix.
   */
  counterFixes: CounterFixReport[];
  /** The server process that answered: with several, each keeps its own memory sessions. */
  servedBy: ServedBy;
}

export interface ServedBy {
  /** The machine's host name (`os.hostname()`). */
  host: string;
  /** The answering process's id. */
  pid: number;
  /** How many server processes this machine runs for the site (WORKERS); 1 for a single one. */
  processes: number;
}

export interface CounterFixReport {
  kind: 'atomic' | 'lock' | 'version';
  /** What the store runs, in a few words. */
  how: string;
  /** A lock that only requests served by the same process wait for. */
  processOnly: boolean;
}

export interface DemoError {
  error: string;
}

/** The most simulated work one increment may ask for. */
export const maxWorkMs = 200;
/** `none`: load, change, save as session libraries do; the others: the store's fix, by kind. */
export const incrementFixes = ['none', 'atomic', 'lock', 'version'] as const;
export type IncrementFix = (typeof incrementFixes)[number];

/** Preset payload sizes for the `grow` action, in bytes of session JSON. */
export const growPresets = [100, 1024, 3900, 5120] as const;
/** The largest payload `grow` accepts: past every cookie limit, small enough for a public server. */
export const maxGrowBytes = 64 * 1024;

export type DemoAction =
  | { action: 'set'; key: string; value: string }
  /** `sendAnyway`: cookie stores send even a cookie the browser will drop (the "too big" demo). */
  | { action: 'grow'; bytes: number; sendAnyway?: boolean }
  /**
   * `workMs`: simulated work between load and save (0–200 ms), as a real handler's database or
   * API call would take; overlapping increments then lose updates on every store. `fix`: run the
   * increment with the store's own fix for that (see `sessions/counter-fix.ts`).
   */
  | { action: 'increment'; key?: string; workMs?: number; fix?: IncrementFix }
  | { action: 'clear' }
  /** End the session: the same as `DELETE`, for forms, which can only post. */
  | { action: 'destroy' }
  /** Server stores: delete every session of this learner in the store ("log out everywhere"). */
  | { action: 'revoke-all' }
  /** Server stores: start a second session for this learner, as if from another device. */
  | { action: 'second-session' }
  /** Forget the simulated instance's memory, as a process restart would. */
  | { action: 'restart-instance' }
  /**
   * Put an edited value in one of this demo's cookies, as a learner would in DevTools; the
   * session is not loaded or saved. The next request shows how the store reacts to the forgery.
   */
  | { action: 'tamper'; cookie: string; value: string };
