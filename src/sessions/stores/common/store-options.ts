/** Checks shared by the stores' factories: a bad limit fails when the store is made, not later. */

export function positiveInteger(store: string, name: string, value: number): number {
  return wholeNumberBetween(store, name, value, 1, Number.MAX_SAFE_INTEGER);
}

export function wholeNumberBetween(
  store: string,
  name: string,
  value: number,
  min: number,
  max: number,
): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const range =
      max === Number.MAX_SAFE_INTEGER
        ? 'a positive whole number'
        : `a whole number from ${min} to ${max}`;
    throw new Error(`the ${store} store's ${name} must be ${range}, got ${value}`);
  }
  return value;
}
