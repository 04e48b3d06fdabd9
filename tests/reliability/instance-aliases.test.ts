/**
 * `?instance=` names one of four simulated server instances, or `fresh`. Spellings that parse to
 * the same number (`01`, `1.0`, `0x1`, `+1`, `1e0`) must be refused, not become a fifth, sixth …
 * instance: each new instance is new memory, so aliases would let anyone grow the server.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, send } from './support/http-client';
import { fuzzSeed } from './support/fuzz-run';
import { generousLimits, LiveSite } from './support/live-site';
import { jsonError } from './support/oracle';
import { instanceAlias } from './support/instance-alias';
import { demoRead, demoWrite, type DemoBody } from './support/site-requests';

const seed = fuzzSeed(4_2024);
const valid = new Set(['1', '2', '3', '4', 'fresh']);
const stores = ['memory', 'filesystem', 'sqlite', 'signed-cookie'];

let site: LiveSite;

beforeAll(async () => {
  site = await LiveSite.start(generousLimits);
});

afterAll(() => site?.stop());

describe('?instance=', () => {
  it.each(['01', '1.0', '0x1', '+1', '1e0'])(
    'refuses the alias %s of instance 1 with 400',
    async (alias) => {
      const response = await send(
        site.port,
        demoRead('memory', '', `?instance=${encodeURIComponent(alias)}`),
      );
      expect(response.status, `?instance=${alias}`).toBe(400);
      expect(jsonError(response)).toMatch(/instance/);
    },
  );

  it(`answers 200 for 1–4 and fresh, 400 for anything else (seed ${seed})`, async () => {
    await fc.assert(
      fc.asyncProperty(
        instanceAlias,
        fc.constantFrom(...stores),
        fc.boolean(),
        async (alias, store, write) => {
          const query = `?instance=${encodeURIComponent(alias)}`;
          const request = write
            ? demoWrite(store, { action: 'increment' }, '', query)
            : demoRead(store, '', query);
          const response = await send(site.port, request);
          if (valid.has(alias)) {
            expect(response.status).toBe(200);
            const { instance } = json<DemoBody>(response);
            expect(alias === 'fresh' ? instance.startsWith('fresh-') : instance === alias).toBe(
              true,
            );
          } else {
            expect(response.status, `?instance=${JSON.stringify(alias)} on ${store}`).toBe(400);
            expect(jsonError(response)).not.toBeNull();
          }
        },
      ),
      { seed, numRuns: 80 },
    );
  });
});
