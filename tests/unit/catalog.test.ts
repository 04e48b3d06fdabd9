import { describe, expect, it } from 'vitest';
import { isStoreId, storeIds, storeTitles } from '../../src/sessions/catalog';

describe('store catalog', () => {
  it('gives every store id a title', () => {
    expect(Object.keys(storeTitles).sort()).toEqual([...storeIds].sort());
  });

  it('recognises only catalog ids', () => {
    expect(isStoreId('signed-cookie')).toBe(true);
    expect(isStoreId('cookie')).toBe(false);
  });
});
