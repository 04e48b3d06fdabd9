import { describe, expect, it } from 'vitest';
import { burstGapMs, waterfall } from '../../src/components/demo/waterfall';

describe('waterfall', () => {
  it('gives lone requests their own timeline, on one scale', () => {
    const bars = waterfall([
      { seq: 1, startTime: 0, roundTripMs: 10 },
      { seq: 2, startTime: 5000, roundTripMs: 5 },
    ]);
    expect(bars.get(1)).toEqual({ burst: 0, offset: 0, width: 1 });
    expect(bars.get(2)).toEqual({ burst: 1, offset: 0, width: 0.5 });
  });

  it('places overlapping requests along one timeline', () => {
    const bars = waterfall([
      { seq: 1, startTime: 100, roundTripMs: 20 },
      { seq: 2, startTime: 101, roundTripMs: 30 },
      { seq: 3, startTime: 110, roundTripMs: 30 },
    ]);
    // The burst runs from 100 to 140: 40 ms is the full width.
    expect(bars.get(1)).toEqual({ burst: 0, offset: 0, width: 0.5 });
    expect(bars.get(2)).toEqual({ burst: 0, offset: 1 / 40, width: 30 / 40 });
    expect(bars.get(3)).toEqual({ burst: 0, offset: 10 / 40, width: 30 / 40 });
  });

  it(`joins a request that follows within ${burstGapMs} ms, like the read after a race`, () => {
    const bars = waterfall([
      { seq: 1, startTime: 0, roundTripMs: 10 },
      { seq: 2, startTime: 10 + burstGapMs, roundTripMs: 10 },
      { seq: 3, startTime: 20 + 2 * burstGapMs + 1, roundTripMs: 10 },
    ]);
    expect(bars.get(2)?.burst).toBe(0);
    expect(bars.get(3)?.burst).toBe(1);
  });

  it('orders by start time, whatever order the log has', () => {
    const bars = waterfall([
      { seq: 2, startTime: 105, roundTripMs: 5 },
      { seq: 1, startTime: 100, roundTripMs: 5 },
    ]);
    expect(bars.get(1)?.offset).toBe(0);
    expect(bars.get(2)?.offset).toBe(0.5);
  });

  it('copes with an empty log and zero-length requests', () => {
    expect(waterfall([]).size).toBe(0);
    const bars = waterfall([{ seq: 1, startTime: 0, roundTripMs: 0 }]);
    expect(bars.get(1)?.width).toBe(0);
    expect(Number.isFinite(bars.get(1)?.offset)).toBe(true);
  });
});
