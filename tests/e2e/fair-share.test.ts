/**
 * The per-address share as an instructor sets it: with DEMO_SESSIONS_PER_ADDRESS=2, a third
 * cookieless visitor from the same address evicts the first one's session, and that visitor's
 * next read says so; nobody is refused.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSite, type RunningSite } from './server';
import { embeddedServerStores } from './stores';

let site: RunningSite;
beforeAll(async () => {
  site = await startSite({ DEMO_SESSIONS_PER_ADDRESS: '2', RATE_LIMIT_DEMO_WRITES: '1000/60' });
});
afterAll(() => site.stop());

async function demo(store: string, cookie: string | null, body?: unknown) {
  const response = await fetch(`${site.baseURL}/api/demo/${store}`, {
    method: body ? 'POST' : 'GET',
    headers: {
      ...(body ? { 'Content-Type': 'application/json' } : {}),
      ...(cookie ? { Cookie: cookie } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const cookies = response.headers
    .getSetCookie()
    .map((line) => line.split(';', 1)[0])
    .join('; ');
  return {
    status: response.status,
    cookies,
    body: (await response.json()) as { status: string; reason: string | null },
  };
}

it.each(embeddedServerStores)(
  'evicts the oldest session of an address past its configured share (%s)',
  async (store) => {
    const visitors: string[] = [];
    for (let visitor = 0; visitor < 3; visitor++) {
      const saved = await demo(store, null, {
        action: 'set',
        key: 'visitor',
        value: String(visitor),
      });
      expect(saved.status).toBe(200);
      visitors.push(saved.cookies);
    }
    const first = await demo(store, visitors[0]!);
    expect(first.status).toBe(200);
    expect(first.body.status).toBe('evicted');
    expect(first.body.reason).toMatch(/2/);
    for (const later of visitors.slice(1)) {
      expect((await demo(store, later)).body.status).toBe('ok');
    }
  },
);
