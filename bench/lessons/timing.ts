/**
 * Repeated medians for the lesson benchmarks: a lesson quotes the range of the run medians, so
 * each benchmark runs the same measurement several times in one process and reports each run.
 */
import { since, summarize, type Summary } from '../lib/measure';
import { keep } from '../lib/bench-case';
import { micros, table } from '../lib/report';

export interface Runs {
  /** One summary per run, in order. */
  runs: Summary[];
  /** Lowest and highest run median, in microseconds. */
  low: number;
  high: number;
}

/** Times `work` `iterations` times per run after `warmup` untimed calls, `runs` times over. */
export async function timeRuns(
  work: () => unknown,
  { warmup, iterations, runs }: { warmup: number; iterations: number; runs: number },
): Promise<Runs> {
  for (let i = 0; i < warmup; i++) keep(await work());
  const results: Summary[] = [];
  for (let run = 0; run < runs; run++) {
    (globalThis as { gc?: () => void }).gc?.();
    const samples: number[] = [];
    for (let i = 0; i < iterations; i++) {
      const start = performance.now();
      keep(await work());
      samples.push(since(start));
    }
    results.push(summarize(samples));
  }
  const medians = results.map((result) => result.median);
  return { runs: results, low: Math.min(...medians), high: Math.max(...medians) };
}

/** One row per measured operation: each run's median, the range of medians, the worst p99. */
export function runsTable(rows: { name: string; result: Runs }[]): string {
  const runCount = Math.max(...rows.map((row) => row.result.runs.length));
  const headers = [
    'Operation',
    ...Array.from({ length: runCount }, (_, i) => `run ${i + 1} median µs`),
    'medians µs',
    'worst p99 µs',
  ];
  const body = rows.map(({ name, result }) => [
    name,
    ...result.runs.map((run) => micros(run.median)),
    `${micros(result.low)} to ${micros(result.high)}`,
    micros(Math.max(...result.runs.map((run) => run.p99))),
  ]);
  const numeric = new Set(Array.from({ length: runCount + 2 }, (_, i) => i + 1));
  return table(headers, body, numeric);
}
