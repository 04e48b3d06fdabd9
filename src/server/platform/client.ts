/**
 * Who sent a request, and how it reached us: the client's address (for rate limits) and whether
 * the browser spoke HTTPS (for `Secure` cookies and the same-origin check). Behind a reverse proxy
 * (TRUST_PROXY=true) both come from the proxy's X-Forwarded-For and X-Forwarded-Proto; otherwise
 * from the connection itself, because without a proxy in front any client can send those headers.
 */
import { isIP } from 'node:net';
import { getAppContext } from './app-context';

/** What Astro gives both endpoints (`APIContext`) and pages (`Astro`). */
export interface RequestContext {
  readonly request: Request;
  readonly url: URL;
  readonly clientAddress: string;
}

/** Longer X-Forwarded-For headers are not parsed; a proxy never needs this many bytes. */
const maxForwardedLength = 1024;

/**
 * The client's address: with a trusted proxy, the left-most X-Forwarded-For entry, which the
 * proxy must set itself rather than append to (see docs/hosting.md); otherwise the peer address.
 * A missing or malformed header falls back to the peer, the proxy, so such requests share one
 * rate-limit bucket instead of each getting a fresh one.
 */
export function clientAddress(context: RequestContext, trustProxy = trustsProxy()): string {
  if (trustProxy) {
    const forwarded = forwardedClient(context.request.headers.get('x-forwarded-for'));
    if (forwarded !== null) return forwarded;
  }
  return context.clientAddress;
}

/** Whether the browser reached the site over HTTPS. */
export function isHttps(context: RequestContext, trustProxy = trustsProxy()): boolean {
  if (trustProxy) {
    const proto = firstEntry(context.request.headers.get('x-forwarded-proto'))?.toLowerCase();
    if (proto === 'https' || proto === 'http') return proto === 'https';
  }
  return context.url.protocol === 'https:';
}

/**
 * The request with the URL the browser used: `https:` when a trusted proxy says so. Code that
 * compares the `Origin` header with the request URL, or reads the protocol from it, takes this
 * one; the Node adapter builds `request.url` from the plain-HTTP connection to the proxy.
 */
export function requestAsSent(context: RequestContext, trustProxy = trustsProxy()): Request {
  const { request } = context;
  const url = new URL(request.url);
  if (url.protocol === 'https:' || !isHttps(context, trustProxy)) return request;
  url.protocol = 'https:';
  const init: RequestInit & { duplex?: 'half' } = {
    method: request.method,
    headers: request.headers,
    signal: request.signal,
  };
  if (request.body !== null) {
    init.body = request.body;
    init.duplex = 'half';
  }
  return new Request(url, init);
}

function trustsProxy(): boolean {
  return getAppContext().config.trustProxy;
}

function firstEntry(header: string | null): string | undefined {
  if (header === null || header.length > maxForwardedLength) return undefined;
  return header.split(',', 1)[0]?.trim();
}

/** An IP address, from `203.0.113.7`, `203.0.113.7:4711`, `2001:db8::1` or `[2001:db8::1]:4711`. */
function forwardedClient(header: string | null): string | null {
  let entry = firstEntry(header);
  if (!entry) return null;
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(entry);
  if (bracketed) entry = bracketed[1]!;
  else if (/^[\d.]+:\d{1,5}$/.test(entry)) entry = entry.slice(0, entry.lastIndexOf(':'));
  return isIP(entry) === 0 ? null : entry;
}
