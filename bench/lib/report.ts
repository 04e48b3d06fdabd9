/** Plain aligned-text tables: they read the same in a terminal, a CI log and a pasted report. */
import type { Comparison } from './measure';

export const GOAL_RATIO = 1.3;

export interface Row {
  store: string;
  size: string;
  primitive: string;
  times: Comparison;
}

export function micros(value: number): string {
  return value < 10 ? value.toFixed(2) : value.toFixed(1);
}

export function sizeLabel(bytes: number): string {
  return bytes < 1000 ? `${bytes} B` : `${(bytes / 1000).toFixed(1)} kB`;
}

export function table(headers: string[], rows: string[][], rightAligned: Set<number>): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) =>
        rightAligned.has(column) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!),
      )
      .join('  ')
      .trimEnd();
  return [
    line(headers),
    widths.map((width) => '-'.repeat(width)).join('  '),
    ...rows.map(line),
  ].join('\n');
}

export function comparisonTable(rows: Row[]): string {
  const headers = [
    'store',
    'size',
    'store med µs',
    'store p99 µs',
    'primitive',
    'prim med µs',
    'prim p99 µs',
    'ratio',
    'rounds',
    'goal',
    'verdict',
  ];
  const cells = rows.map((row) => {
    const { store, primitive, roundRatios } = row.times;
    const ratio = store.median / primitive.median;
    return [
      row.store,
      row.size,
      micros(store.median),
      micros(store.p99),
      row.primitive,
      micros(primitive.median),
      micros(primitive.p99),
      `${ratio.toFixed(2)}×`,
      `${Math.min(...roundRatios).toFixed(2)}–${Math.max(...roundRatios).toFixed(2)}`,
      `≤ ${GOAL_RATIO}×`,
      ratio <= GOAL_RATIO ? 'meets' : 'MISSES',
    ];
  });
  return table(headers, cells, new Set([2, 3, 5, 6, 7, 8]));
}
