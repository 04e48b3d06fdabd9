/**
 * One request as the demo handler makes it, for the store tests that hand the browser an instance
 * and a time of their own: load, replace the data when there is a change and save it, then let
 * the browser apply the response.
 */
import type { Instance, SessionData, SessionStore } from '../../src/sessions/types';
import type { RequestTime, SimulatedBrowser } from './simulated-browser';

export async function visit(
  store: SessionStore,
  browser: SimulatedBrowser,
  on: Instance,
  time?: RequestTime,
  change?: (data: SessionData) => SessionData,
) {
  const ctx = browser.request(on, time);
  const loaded = await store.load(ctx);
  if (change) await store.save(ctx, change(loaded.data));
  browser.receive(ctx);
  return loaded;
}

/** A session whose serialized JSON is exactly `bytes` long. */
export function sessionOfBytes(bytes: number): SessionData {
  const overhead = JSON.stringify({ pad: '' }).length;
  return { pad: 'x'.repeat(bytes - overhead) };
}
