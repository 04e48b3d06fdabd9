/**
 * The comparison page's measurement, one for everyone. A run keeps the server busy for 80–550 ms,
 * so no new one starts sooner than `minIntervalMs` after the last one started, whoever asks and
 * however often: a request to measure again within it is shown the last measurement instead.
 * Requests that arrive while a run is going share it. A plain page view measures only when the
 * last measurement is older than `maxAgeMs` (or there is none).
 */
import type { Comparison } from './compare';

export const defaultComparisonMaxAgeMs = 5 * 60 * 1000;

export interface ComparisonRunsOptions {
  measure: () => Promise<Comparison>;
  /** The least time between the starts of two runs; 0 lets every request to re-measure run. */
  minIntervalMs: number;
  maxAgeMs?: number;
}

export type RemeasureOutcome =
  /** A run started for this request, or one that was already going is shared. */
  | { measured: true; comparison: Comparison }
  /** Too soon after the last run: its result, and when a new run may start. */
  | { measured: false; comparison: Comparison; nextRunAt: number };

interface Run {
  startedAt: number;
  running: boolean;
  comparison: Promise<Comparison>;
}

export class ComparisonRuns {
  readonly #measure: () => Promise<Comparison>;
  readonly #minIntervalMs: number;
  readonly #maxAgeMs: number;
  #latest: Run | undefined;

  constructor({ measure, minIntervalMs, maxAgeMs }: ComparisonRunsOptions) {
    this.#measure = measure;
    this.#minIntervalMs = minIntervalMs;
    this.#maxAgeMs = Math.max(maxAgeMs ?? defaultComparisonMaxAgeMs, minIntervalMs);
  }

  get minIntervalMs(): number {
    return this.#minIntervalMs;
  }

  /** For a page view: the last measurement while it is fresh enough, else a new one. */
  latest(now = Date.now()): Promise<Comparison> {
    const latest = this.#latest;
    if (latest && (latest.running || now - latest.startedAt < this.#maxAgeMs)) {
      return latest.comparison;
    }
    return this.#start(now).comparison;
  }

  /** For "measure again": a new run unless the last one started less than the interval ago. */
  async remeasure(now = Date.now()): Promise<RemeasureOutcome> {
    const latest = this.#latest;
    if (latest?.running) return { measured: true, comparison: await latest.comparison };
    const nextRunAt = this.nextRunAt();
    if (latest && nextRunAt !== null && now < nextRunAt) {
      return { measured: false, comparison: await latest.comparison, nextRunAt };
    }
    return { measured: true, comparison: await this.#start(now).comparison };
  }

  /** From when a request to measure again may start a run; null before the first run. */
  nextRunAt(): number | null {
    const latest = this.#latest;
    return latest ? latest.startedAt + this.#minIntervalMs : null;
  }

  #start(now: number): Run {
    const run: Run = { startedAt: now, running: true, comparison: this.#measure() };
    run.comparison.then(
      () => {
        run.running = false;
      },
      () => {
        // A failed measurement is not kept: the next request tries again.
        if (this.#latest === run) this.#latest = undefined;
      },
    );
    this.#latest = run;
    return run;
  }
}
