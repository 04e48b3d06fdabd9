/**
 * Timing for the store benchmark. Each operation times its own critical section with
 * `performance.now()` and returns microseconds, so per-request set-up (a fresh cookie jar, the
 * untimed load before a save, applying Set-Cookie) stays outside the number.
 */

/** One timed run of an operation: the microseconds its critical section took. */
export type TimedOp = () => Promise<number> | number;

export interface Summary {
  median: number;
  p99: number;
  samples: number;
}

export interface Plan {
  warmup: number;
  iterations: number;
  /**
   * Store and primitive alternate in blocks of this many runs (which one goes first alternates
   * too), so that a noisy neighbour or a CPU frequency change hits both sides alike.
   */
  block: number;
  /** The runs are also cut into this many consecutive rounds, each with its own ratio. */
  rounds: number;
}

export interface Comparison {
  store: Summary;
  primitive: Summary;
  /** Store median ÷ primitive median in each round: how much the ratio itself wanders. */
  roundRatios: number[];
}

/** Microseconds between two `performance.now()` readings. */
export function since(start: number): number {
  return (performance.now() - start) * 1000;
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) throw new Error('no samples to summarize');
  const middle = Math.floor(n / 2);
  const median = n % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  // Nearest rank: the smallest sample at or above 99 % of all samples.
  const p99 = sorted[Math.ceil(0.99 * n) - 1]!;
  return { median, p99, samples: n };
}

/** Gives every measurement the same clean heap, when Node runs with --expose-gc. */
export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

async function repeat(op: TimedOp, times: number, into?: number[]): Promise<void> {
  for (let i = 0; i < times; i++) {
    const micros = await op();
    into?.push(micros);
  }
}

/** Warms both operations up, then times them interleaved block by block. */
export async function compare(store: TimedOp, primitive: TimedOp, plan: Plan): Promise<Comparison> {
  await repeat(store, plan.warmup);
  await repeat(primitive, plan.warmup);
  collectGarbage();
  const storeSamples: number[] = [];
  const primitiveSamples: number[] = [];
  for (let done = 0, round = 0; done < plan.iterations; done += plan.block, round++) {
    const count = Math.min(plan.block, plan.iterations - done);
    const order: [TimedOp, number[]][] = [
      [store, storeSamples],
      [primitive, primitiveSamples],
    ];
    if (round % 2 === 1) order.reverse();
    for (const [op, samples] of order) await repeat(op, count, samples);
  }
  // Both sides get the same number of runs per block, so index i is the same moment on each.
  const perRound = Math.ceil(plan.iterations / plan.rounds);
  const roundRatios: number[] = [];
  for (let from = 0; from < plan.iterations; from += perRound) {
    const round = (samples: number[]) => summarize(samples.slice(from, from + perRound)).median;
    roundRatios.push(round(storeSamples) / round(primitiveSamples));
  }
  return {
    store: summarize(storeSamples),
    primitive: summarize(primitiveSamples),
    roundRatios,
  };
}

/** Times one operation on its own (the reference costs table). */
export async function measureAlone(op: TimedOp, plan: Plan): Promise<Summary> {
  await repeat(op, plan.warmup);
  const samples: number[] = [];
  await repeat(op, plan.iterations, samples);
  return summarize(samples);
}

/** What an empty timed section reads: the floor under every sub-microsecond number. */
export function timerOverhead(): number {
  const samples: number[] = [];
  for (let i = 0; i < 10_000; i++) {
    const start = performance.now();
    samples.push(since(start));
  }
  return summarize(samples).median;
}
