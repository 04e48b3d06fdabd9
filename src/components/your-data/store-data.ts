/**
 * The data page's requests to the demo API and the learner API, and the pure reading of their
 * answers. Each store's cookie is scoped to `/api/demo/{store}`, so only a request there carries
 * it: the page itself never sees cookie-held data, the browser has to ask each store.
 */
import type { DemoError, DemoResponse } from '../../lab/demo-api';
import type { LoadStatus, ServerView } from '../../sessions/types';

/** One store as the page describes it to the island. */
export interface StoreEntry {
  id: string;
  title: string;
  where: 'browser' | 'server';
  /** Every simulated instance sees the same sessions (false for memory and filesystem). */
  shared: boolean;
  /** The server can delete every session of the learner ("sign out everywhere"). */
  canRevokeAll: boolean;
  /** Why the store does not run on this server, or null. */
  notConfigured: string | null;
}

export interface StoreReport {
  status: LoadStatus;
  reason: string | null;
  /** Nothing at all: no cookie for this store, no data, nothing on the server. */
  empty: boolean;
  dataJson: string;
  dataBytes: number;
  cookies: { name: string; bytes: number }[];
  server: ServerView | null;
  instance: string;
}

export type Outcome<T> =
  { ok: true; value: T } | { ok: false; status: number | null; error: string };

const requestTimeoutMs = 10_000;
const encoder = new TextEncoder();

export const utf8Bytes = (text: string): number => encoder.encode(text).length;

/** `ignoredCookies`: cookies every path receives (the site's own learner cookie). */
export function readReport(body: DemoResponse, ignoredCookies: readonly string[]): StoreReport {
  const cookies = body.wire.request.cookies
    .filter((cookie) => !ignoredCookies.includes(cookie.name))
    .map((cookie) => ({ name: cookie.name, bytes: cookie.nameValueBytes }));
  const dataJson = JSON.stringify(body.data, null, 2);
  const hasData = Object.keys(body.data).length > 0;
  return {
    status: body.status,
    reason: body.reason,
    empty: cookies.length === 0 && !hasData && body.server === null,
    dataJson,
    dataBytes: utf8Bytes(JSON.stringify(body.data)),
    cookies,
    server: body.server,
    instance: body.instance,
  };
}

export function demoUrl(storeId: string, instance?: string): string {
  const path = `/api/demo/${encodeURIComponent(storeId)}`;
  return instance ? `${path}?instance=${encodeURIComponent(instance)}` : path;
}

/** Sends one request and reads a JSON answer; never throws. */
export async function requestJson<T>(
  url: string,
  method: 'GET' | 'POST' | 'DELETE',
  body?: unknown,
): Promise<Outcome<T>> {
  try {
    const reply = await fetch(url, {
      method,
      credentials: 'same-origin',
      cache: 'no-store',
      signal: AbortSignal.timeout(requestTimeoutMs),
      headers: {
        Accept: 'application/json',
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const parsed: unknown = await reply.json().catch(() => null);
    if (reply.ok && parsed !== null) return { ok: true, value: parsed as T };
    const error =
      typeof (parsed as DemoError | null)?.error === 'string'
        ? (parsed as DemoError).error
        : `HTTP ${reply.status}`;
    return { ok: false, status: reply.status, error };
  } catch (failure) {
    const timedOut = failure instanceof DOMException && failure.name === 'TimeoutError';
    return {
      ok: false,
      status: null,
      error: timedOut
        ? `no answer within ${requestTimeoutMs / 1000} s`
        : `the request failed: ${failure instanceof Error ? failure.message : String(failure)}`,
    };
  }
}

export function readStore(storeId: string): Promise<Outcome<DemoResponse>> {
  return requestJson<DemoResponse>(demoUrl(storeId), 'GET');
}

/**
 * Ends this browser's session in the store, then, for server stores, every session of this
 * learner on every instance that keeps its own (other devices' sessions go too). Returns what
 * the server said it did, in words.
 */
export async function deleteStoreData(
  store: StoreEntry,
  instanceIds: readonly string[],
): Promise<Outcome<string[]>> {
  const notices: string[] = [];
  const destroyed = await requestJson<DemoResponse>(demoUrl(store.id), 'DELETE');
  if (!destroyed.ok) return destroyed;
  if (destroyed.value.notice) notices.push(destroyed.value.notice);
  if (!store.canRevokeAll) return { ok: true, value: notices };
  for (const instance of store.shared ? [undefined] : instanceIds) {
    const revoked = await requestJson<DemoResponse>(demoUrl(store.id, instance), 'POST', {
      action: 'revoke-all',
    });
    if (!revoked.ok) return revoked;
    if (revoked.value.notice) {
      notices.push(
        instance ? `Instance ${instance}: ${revoked.value.notice}` : revoked.value.notice,
      );
    }
  }
  return { ok: true, value: notices };
}

export function formatBytes(bytes: number): string {
  return `${bytes.toLocaleString('en')} B`;
}

/** A fixed, unambiguous form (UTC), the same on the server and in every browser. */
export function formatTime(time: number | string): string {
  const iso = new Date(time).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** What the island knows about one store at the moment. */
export type StoreView =
  | { phase: 'loading' }
  | { phase: 'deleting' }
  | { phase: 'failed'; error: string }
  | { phase: 'loaded'; report: StoreReport; notices: string[] };
