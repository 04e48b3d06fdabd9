/**
 * The comparison as the page shows it: exact numbers in words and the bars of the two charts.
 * Pure, so the page and the tests read the same values.
 */
import type { CompareRow, SessionSize, SizeMeasurement } from '../../lab/compare';
import { sessionSizes } from '../../lab/compare';

export const sizeNames: Record<SessionSize, string> = {
  small: `${sessionSizes.small}-byte session`,
  large: `${(sessionSizes.large / 1024).toString()} KB session`,
};

export const formatNumber = (value: number): string => value.toLocaleString('en');
export const formatBytes = (bytes: number): string => `${formatNumber(bytes)} B`;
/** Milliseconds to the microsecond, as `Server-Timing` reports them. */
export const formatMs = (ms: number): string => `${ms.toFixed(3)} ms`;
export const yesNo = (value: boolean): string => (value ? 'Yes' : 'No');

export function formatTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

export interface Bar {
  series: string;
  /** Null: nothing to draw, `text` says why. */
  value: number | null;
  text: string;
}

export interface ChartRow {
  label: string;
  bars: Bar[];
}

export function wireBytes(size: Extract<SizeMeasurement, { outcome: 'measured' }>): number {
  return size.cookieHeaderBytes + size.setCookieBytes;
}

function rowNote(row: CompareRow): string {
  return row.status === 'not-configured'
    ? 'not configured'
    : row.status === 'unreachable'
      ? 'unreachable'
      : 'not measured';
}

function chart(
  rows: readonly CompareRow[],
  measure: (size: Extract<SizeMeasurement, { outcome: 'measured' }>) => [number, string],
): ChartRow[] {
  return rows.map((row) => ({
    label: row.title,
    bars: (Object.keys(sizeNames) as SessionSize[]).map((size) => {
      const series = sizeNames[size];
      const measured = row.sizes?.[size];
      if (!measured) return { series, value: null, text: rowNote(row) };
      if (measured.outcome === 'too-big') {
        return { series, value: null, text: 'too big for a cookie' };
      }
      const [value, text] = measure(measured);
      return { series, value, text };
    }),
  }));
}

/** Bytes a request carries for the session: its `Cookie` header plus the save's `Set-Cookie`. */
export function wireChart(rows: readonly CompareRow[]): ChartRow[] {
  return chart(rows, (size) => {
    const total = wireBytes(size);
    return [
      total,
      `${formatBytes(total)} (Cookie ${formatBytes(size.cookieHeaderBytes)} + Set-Cookie ${formatBytes(size.setCookieBytes)})`,
    ];
  });
}

/** Server time of one request: median load plus median save. */
export function timeChart(rows: readonly CompareRow[]): ChartRow[] {
  return chart(rows, (size) => {
    // Summed as shown, to the microsecond, so the parts in the label add up to the total.
    const total = (Math.round(size.loadMs * 1000) + Math.round(size.saveMs * 1000)) / 1000;
    return [
      total,
      `${formatMs(total)} (load ${formatMs(size.loadMs)} + save ${formatMs(size.saveMs)})`,
    ];
  });
}
