/**
 * `?instance=` values: the five that name an instance (1–4, fresh) and spellings that only look
 * like them, which the server must refuse rather than treat as new instances.
 */
import fc from 'fast-check';

export const instanceAlias = fc.oneof(
  fc.constantFrom('1', '2', '3', '4', 'fresh'),
  fc.constantFrom('01', '1.0', '0x1', '+1', '1e0', ' 1', '1 ', '%31', '0', '5', '-1', 'FRESH'),
  fc
    .tuple(
      fc.constantFrom('', '0', '00', '+', ' '),
      fc.integer({ min: 1, max: 4 }),
      fc.constantFrom('', '.0', '.00', 'e0', ' '),
    )
    .map(([prefix, n, suffix]) => `${prefix}${n}${suffix}`),
  fc.constantFrom('0x1', '0b1', '0o1', '1n', 'Infinity', 'NaN', ''),
);

/** Endless distinct spellings of 1–4 (`0003`, `2.000`): each accepted one would be a new instance. */
export const manyInstanceAliases = fc
  .tuple(fc.integer({ min: 1, max: 4 }), fc.nat({ max: 60 }), fc.nat({ max: 60 }))
  .map(
    ([n, zeros, decimals]) =>
      `${'0'.repeat(zeros)}${n}${decimals ? `.${'0'.repeat(decimals)}` : ''}`,
  );
