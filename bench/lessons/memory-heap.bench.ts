/**
 * How much heap a memory store spends per session: a Map from a 43-character id to 92 bytes of
 * session JSON, the smallest realistic logged-in session. The figure the memory lesson quotes.
 * Needs --expose-gc (vitest.bench.config.ts passes it) so each reading follows a full collection.
 *
 * Run: npm run bench -- bench/lessons/memory-heap.bench.ts
 */
import { test } from 'vitest';
import { newSessionId } from '../../src/sessions/server-session-id';
import { table } from '../lib/report';
import { printMachine } from './machine';

const COUNTS = [10_000, 100_000, 1_000_000];
const RUNS = 2;

function heapUsed(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc (npm run bench does)');
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** A small session whose JSON is 92 bytes, different for every visitor as real ones are. */
function smallSession(n: number): string {
  // JSON.stringify, as the store does: one flat string per session, no shared or cons parts.
  return JSON.stringify({
    user_id: 100_000 + (n % 900_000),
    theme: 'dark',
    locale: 'en-GB',
    visits: 1,
    csrf: String(n).padStart(21, 'c'),
  });
}

test('memory per session', () => {
  printMachine('Heap per session in a Map of small sessions (92 B of JSON, 43-character ids)');
  if (smallSession(7).length !== 92) throw new Error(`session is ${smallSession(7).length} B`);
  const rows: string[][] = [];
  for (const count of COUNTS) {
    for (let run = 1; run <= RUNS; run++) {
      const before = heapUsed();
      const map = new Map<string, string>();
      for (let i = 0; i < count; i++) map.set(newSessionId(), smallSession(i));
      const after = heapUsed();
      const bytes = after - before;
      rows.push([
        count.toLocaleString('en'),
        String(run),
        `${(bytes / 1024 ** 2).toFixed(1)} MiB`,
        `${Math.round(bytes / count)} B`,
        String(map.size === count),
      ]);
      map.clear();
    }
  }
  console.log(
    `Runs: ${RUNS} per count; heapUsed after two gc() calls, before and after filling.\n`,
  );
  console.log(
    table(
      ['Sessions', 'Run', 'Heap growth', 'Per session', 'All kept'],
      rows,
      new Set([0, 1, 2, 3]),
    ),
  );
});
