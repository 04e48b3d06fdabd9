/**
 * Every store measured live, in this process, with the real store objects: for a small and a 3 KB
 * session, what a browser sends and receives per request and how long the server spends loading
 * and saving. Each measurement runs as a browser would: one request creates the session (not
 * timed) and makes a few untimed requests, then `rounds` requests each load it, change one counter and save it, carrying the
 * cookies forward. Every session made is destroyed afterwards, so nothing is left in any store.
 */
import type { StoreId } from '../sessions/catalog';
import type { StoreRegistry } from '../sessions/registry';
import {
  SessionTooLargeError,
  StoreUnavailableError,
  type Instance,
  type SessionStore,
  type StoreFacts,
} from '../sessions/types';
import { CookieCarrier } from './compare-browser';
import { nextVisit, sizedSession } from './sized-session';
import { utf8Bytes } from './wire';

export const compareRounds = 30;
/** Untimed requests first, so the first timed ones do not pay for the JIT warming up. */
export const warmupRounds = 3;
/** Bytes of session JSON: a login and a few preferences, and a session that has grown. */
export const sessionSizes = { small: 200, large: 3 * 1024 } as const;
export type SessionSize = keyof typeof sessionSizes;

export type SizeMeasurement =
  | {
      outcome: 'measured';
      /** Median value bytes of the `Cookie` request header (0: the browser sends none). */
      cookieHeaderBytes: number;
      /** Median bytes of the `Set-Cookie` lines of a save (0: the save sent none). */
      setCookieBytes: number;
      /** `Set-Cookie` bytes of the save that created the session. */
      firstSetCookieBytes: number;
      /** Median milliseconds. */
      loadMs: number;
      saveMs: number;
    }
  /** The store refused: the cookie would pass the browser's 4096-byte limit. */
  | { outcome: 'too-big'; cookieBytes: number; message: string };

export interface CompareRow {
  id: StoreId;
  title: string;
  where: 'browser' | 'server';
  facts: StoreFacts;
  status: 'measured' | 'not-configured' | 'unreachable' | 'failed';
  /** Why the row has no numbers. */
  message: string | null;
  sizes: Record<SessionSize, SizeMeasurement> | null;
}

export interface Comparison {
  /** Milliseconds since the epoch, when the measurement finished. */
  measuredAt: number;
  rounds: number;
  durationMs: number;
  rows: CompareRow[];
}

export interface CompareDeps {
  stores: StoreRegistry;
  /** A throwaway instance nothing else uses, so memory and filesystem start empty. */
  instance: Instance;
  rounds?: number;
}

class StoreNotAvailable extends Error {}

export async function measureStores(deps: CompareDeps): Promise<Comparison> {
  const started = performance.now();
  const rows: CompareRow[] = [];
  for (const store of deps.stores.values()) rows.push(await measureRow(deps, store));
  return {
    measuredAt: Date.now(),
    rounds: deps.rounds ?? compareRounds,
    durationMs: performance.now() - started,
    rows,
  };
}

async function measureRow(deps: CompareDeps, store: SessionStore): Promise<CompareRow> {
  const { id, title, where, facts } = store.info;
  const row: CompareRow = {
    id,
    title,
    where,
    facts,
    status: 'measured',
    message: null,
    sizes: null,
  };
  const reason = store.notConfigured ?? null;
  if (reason !== null) return { ...row, status: 'not-configured', message: reason };
  try {
    const small = await measureSize(deps, store, sessionSizes.small);
    const large = await measureSize(deps, store, sessionSizes.large);
    return { ...row, sizes: { small, large } };
  } catch (error) {
    if (error instanceof StoreNotAvailable || error instanceof StoreUnavailableError) {
      return { ...row, status: 'unreachable', message: error.message };
    }
    if (error instanceof SessionTooLargeError) {
      return { ...row, status: 'failed', message: error.message };
    }
    throw error;
  }
}

async function measureSize(
  deps: CompareDeps,
  store: SessionStore,
  bytes: number,
): Promise<SizeMeasurement> {
  const browser = new CookieCarrier();
  const rounds = deps.rounds ?? compareRounds;
  try {
    const first = browser.request(deps.instance);
    const loaded = await store.load(first);
    if (loaded.status === 'unavailable') {
      throw new StoreNotAvailable(loaded.reason ?? `${store.info.title} is not reachable`);
    }
    try {
      await store.save(first, sizedSession(bytes));
    } catch (error) {
      if (!(error instanceof SessionTooLargeError) || store.info.where !== 'browser') throw error;
      return { outcome: 'too-big', cookieBytes: error.bytes, message: error.message };
    }
    const firstSetCookieBytes = browser.receive(first);

    const cookieHeader: number[] = [];
    const setCookie: number[] = [];
    const loads: number[] = [];
    const saves: number[] = [];
    for (let round = -warmupRounds; round < rounds; round++) {
      const timed = round >= 0;
      const ctx = browser.request(deps.instance);
      if (timed) cookieHeader.push(utf8Bytes(browser.cookieHeader()));
      const loadStart = performance.now();
      const session = await store.load(ctx);
      if (timed) loads.push(performance.now() - loadStart);
      if (session.status !== 'ok') {
        throw new StoreNotAvailable(
          `${store.info.title}: the session did not come back (${session.status}${session.reason ? `: ${session.reason}` : ''})`,
        );
      }
      const next = nextVisit(session.data);
      const saveStart = performance.now();
      await store.save(ctx, next);
      if (timed) saves.push(performance.now() - saveStart);
      const lineBytes = browser.receive(ctx);
      if (timed) setCookie.push(lineBytes);
    }
    return {
      outcome: 'measured',
      cookieHeaderBytes: median(cookieHeader),
      setCookieBytes: median(setCookie),
      firstSetCookieBytes,
      loadMs: median(loads),
      saveMs: median(saves),
    };
  } finally {
    // No residue: the session this measurement made goes, whatever happened above.
    await store.destroy(browser.request(deps.instance)).catch(() => undefined);
  }
}

export function median(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return 0;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
