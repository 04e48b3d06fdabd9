/**
 * New sessions without cookies, some on `?instance=` spellings of 1–4 with any number of zeros
 * (`001`, `1.000`): what a crawler or an attacker sends. Each one that the server accepted would
 * be a new session in a new simulated instance, so memory would grow with the flood.
 */
import fc from 'fast-check';
import type { FuzzCase } from './fuzz-case';
import { instanceAlias, manyInstanceAliases } from './instance-alias';
import type { Route } from './routes';

/** Demo reads and writes, each without a cookie, half of them on an `?instance=` value. */
export function sessionFlood(demoRoute: Route, stores: readonly string[]): fc.Arbitrary<FuzzCase> {
  return fc
    .record({
      store: fc.constantFrom(...stores),
      instance: fc.option(fc.oneof(instanceAlias, manyInstanceAliases), {
        nil: undefined,
        freq: 2,
      }),
      write: fc.boolean(),
      bytes: fc.nat({ max: 2_000 }),
    })
    .map(({ store, instance, write, bytes }) => {
      const query = instance === undefined ? '' : `?instance=${encodeURIComponent(instance)}`;
      const path = `/api/demo/${store}${query}`;
      const body = write ? JSON.stringify({ action: 'grow', bytes }) : undefined;
      return {
        route: demoRoute,
        canonical: true,
        method: write ? 'POST' : 'GET',
        path,
        headers: {
          Accept: 'application/json',
          ...(write ? { 'Content-Type': 'application/json' } : {}),
        },
        body,
        label: `${write ? `POST grow ${bytes}` : 'GET'} ${path.slice(0, 120)}`,
      };
    });
}
