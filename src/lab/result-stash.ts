/**
 * Keeps a demo result for a moment so a form post (no JavaScript) can redirect to a page that
 * shows it: post, redirect, get. Bounded in count and time; ids are unguessable.
 */
import { randomBytes } from 'node:crypto';
import type { DemoResponse } from './demo-api';

const maxResults = 1_000;
const lifetimeMs = 5 * 60 * 1000;

export type StashedResult =
  { ok: true; body: DemoResponse } | { ok: false; status: number; error: string };

const results = new Map<string, { result: StashedResult; expiresAt: number }>();

export function stashResult(result: StashedResult, now = Date.now()): string {
  for (const [id, entry] of results) {
    if (entry.expiresAt > now && results.size < maxResults) break;
    results.delete(id);
  }
  const id = randomBytes(16).toString('base64url');
  results.set(id, { result, expiresAt: now + lifetimeMs });
  return id;
}

export function takeResult(id: string | null, now = Date.now()): StashedResult | null {
  if (!id) return null;
  const entry = results.get(id);
  if (!entry || entry.expiresAt <= now) return null;
  return entry.result;
}
