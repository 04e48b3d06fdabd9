import { describe, expect, it } from 'vitest';
import { demoReadStore } from '../../src/server/demo/direct-read';

describe('which GETs skip the framework', () => {
  it('takes the demo read of any store id, leaving the check of the id to the handler', () => {
    expect(demoReadStore('/api/demo/memory')).toBe('memory');
    expect(demoReadStore('/api/demo/signed-cookie')).toBe('signed-cookie');
    expect(demoReadStore('/api/demo/nope')).toBe('nope');
  });

  it('leaves every other path to Astro: sub-routes, encoded ids, trailing slashes', () => {
    for (const path of [
      '/api/demo/',
      '/api/demo/memory/',
      '/api/demo/memory/predictions/memory-restart',
      '/api/demo/%6demory',
      '/api/learner',
      '/demos/memory/',
      `/api/demo/${'a'.repeat(41)}`,
    ]) {
      expect(demoReadStore(path), path).toBeNull();
    }
  });
});
