/**
 * The Network pane's waterfall: where each request's bar starts and how long it is.
 *
 * A log spans minutes while a request takes milliseconds, so one time axis for the whole log
 * would shrink every bar to a sliver. Requests are instead grouped into bursts: a request joins
 * the burst before it when it starts while that burst is still running or within `burstGapMs` of
 * its end (the read after a race does). Bars are placed within their burst, and one scale, the
 * longest burst, serves every row, so lengths stay comparable across the log.
 */

export interface TimedRequest {
  seq: number;
  /** Start on the page's performance timeline, in milliseconds. */
  startTime: number;
  roundTripMs: number;
}

export interface WaterfallBar {
  /** 0, 1, 2 … in time order; rows of one burst share a number. */
  burst: number;
  /** Where the bar starts, as a fraction of the scale (0–1). */
  offset: number;
  /** How long the bar is, as a fraction of the scale (0–1). */
  width: number;
}

export const burstGapMs = 50;

export function waterfall(requests: readonly TimedRequest[]): Map<number, WaterfallBar> {
  const ordered = [...requests]
    .filter((item) => Number.isFinite(item.startTime) && Number.isFinite(item.roundTripMs))
    .sort((a, b) => a.startTime - b.startTime || a.seq - b.seq);

  interface Burst {
    start: number;
    end: number;
    members: TimedRequest[];
  }
  const bursts: Burst[] = [];
  for (const item of ordered) {
    const end = item.startTime + Math.max(0, item.roundTripMs);
    const current = bursts.at(-1);
    if (current && item.startTime <= current.end + burstGapMs) {
      current.end = Math.max(current.end, end);
      current.members.push(item);
    } else {
      bursts.push({ start: item.startTime, end, members: [item] });
    }
  }

  const scale = Math.max(Number.EPSILON, ...bursts.map((burst) => burst.end - burst.start));
  const bars = new Map<number, WaterfallBar>();
  bursts.forEach((burst, index) => {
    for (const item of burst.members) {
      bars.set(item.seq, {
        burst: index,
        offset: (item.startTime - burst.start) / scale,
        width: Math.max(0, item.roundTripMs) / scale,
      });
    }
  });
  return bars;
}
