/**
 * Keeps a demo result for a moment so a form post (no JavaScript) can redirect to a page that
 * shows it: post, redirect, get. A result holds a demo session's data, so it is bound to the
 * browser that made it: the post gets a random nonce (the caller puts it in an HttpOnly cookie)
 * and the result is given out only with that nonce, once. Whoever else opens the `?result=` link
 * (a shared screen, a pasted URL, a proxy log) gets nothing. Bounded in count, bytes and time.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { DemoResponse } from './demo-api';

export type StashedResult =
  { ok: true; body: DemoResponse } | { ok: false; status: number; error: string };

/** What the caller hands out: the id goes in the link, the nonce to the browser alone. */
export interface StashTicket {
  id: string;
  nonce: string;
}

export interface ResultStashOptions {
  maxResults?: number;
  /** Bytes of results (as JSON) kept at most, plus the one being added. */
  maxBytes?: number;
  lifetimeMs?: number;
}

interface Entry {
  result: StashedResult;
  nonce: Buffer;
  bytes: number;
  expiresAt: number;
}

export const resultLifetimeMs = 5 * 60 * 1000;

export class ResultStash {
  // Insertion order is expiry order: every entry lives equally long.
  readonly #entries = new Map<string, Entry>();
  readonly #maxResults: number;
  readonly #maxBytes: number;
  readonly #lifetimeMs: number;
  #bytes = 0;

  constructor({
    maxResults = 1_000,
    maxBytes = 16 * 1024 * 1024,
    lifetimeMs = resultLifetimeMs,
  }: ResultStashOptions = {}) {
    this.#maxResults = maxResults;
    this.#maxBytes = maxBytes;
    this.#lifetimeMs = lifetimeMs;
  }

  /** How many results, and how many bytes of them, are kept now. */
  get size(): { results: number; bytes: number } {
    return { results: this.#entries.size, bytes: this.#bytes };
  }

  stash(result: StashedResult, now = Date.now()): StashTicket {
    const bytes = Buffer.byteLength(JSON.stringify(result), 'utf8');
    // Expired results go, and at a cap the oldest go, not the newcomer.
    for (const [id, entry] of this.#entries) {
      const fits = this.#entries.size < this.#maxResults && this.#bytes + bytes <= this.#maxBytes;
      if (entry.expiresAt > now && fits) break;
      this.#remove(id, entry);
    }
    const id = randomBytes(16).toString('base64url');
    const nonce = randomBytes(16);
    this.#entries.set(id, { result, nonce, bytes, expiresAt: now + this.#lifetimeMs });
    this.#bytes += bytes;
    return { id, nonce: nonce.toString('base64url') };
  }

  /**
   * The result, if the nonce is the one it was stashed with; it is then gone. A wrong or missing
   * nonce leaves it for the browser that made it.
   */
  take(id: string | null, nonce: string | undefined, now = Date.now()): StashedResult | null {
    if (!id || !nonce) return null;
    const entry = this.#entries.get(id);
    if (!entry) return null;
    if (entry.expiresAt <= now) {
      this.#remove(id, entry);
      return null;
    }
    const given = Buffer.from(nonce, 'base64url');
    if (given.length !== entry.nonce.length || !timingSafeEqual(given, entry.nonce)) return null;
    this.#remove(id, entry);
    return entry.result;
  }

  #remove(id: string, entry: Entry): void {
    this.#entries.delete(id);
    this.#bytes -= entry.bytes;
  }
}

const shared = new ResultStash();

export function stashResult(result: StashedResult, now = Date.now()): StashTicket {
  return shared.stash(result, now);
}

export function takeResult(
  id: string | null,
  nonce: string | undefined,
  now = Date.now(),
): StashedResult | null {
  return shared.take(id, nonce, now);
}
