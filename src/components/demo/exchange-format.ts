/**
 * How the demo shows what it measured: byte counts, milliseconds, instance names and the label
 * each request gets in the log. Pure functions, so they run under Node for unit tests.
 */
import type { DemoAction } from '../../lab/demo-api';
import type { DemoMethod } from './exchange';

/**
 * How the panel names an instance: "1"–"4" as they are; a serverless one as "fresh" and the start
 * of its random id, because each of those exists for one request only.
 */
export function instanceLabel(id: string): string {
  const fresh = /^fresh-(.+)$/.exec(id);
  return fresh ? `fresh ${fresh[1]?.slice(0, 8)}` : id;
}

/** The label a request gets in the log. */
export function describeAction(method: DemoMethod, body?: DemoAction): string {
  if (method === 'GET') return 'Read';
  if (method === 'DELETE') return 'Clear';
  switch (body?.action) {
    case 'set':
      return `Set ${body.key}`;
    case 'grow':
      return `Grow to ${formatBytes(body.bytes)}${body.sendAnyway ? ', send anyway' : ''}`;
    case 'increment':
      return `Increment ${body.key ?? 'counter'}${body.workMs ? `, ${body.workMs} ms work` : ''}${body.fix ? `, ${body.fix}` : ''}`;
    case 'clear':
      return 'Clear';
    case 'revoke-all':
      return 'Log out everywhere';
    case 'second-session':
      return 'Sign in from another device';
    case 'restart-instance':
      return 'Restart instance';
    case 'tamper':
      return `Forge ${body.cookie}`;
    default:
      return method;
  }
}

/**
 * "812 B" below 1 KiB; above it the rounded size and the exact count, "3.9 KB (3994 B)",
 * because the limits this course teaches are exact byte counts. KB here means 1024 bytes.
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return 'unknown';
  const exact = Math.round(bytes);
  if (Math.abs(exact) < 1024) return `${exact} B`;
  const units = ['KB', 'MB', 'GB'] as const;
  let scaled = exact / 1024;
  let unit = 0;
  while (Math.abs(Number(scaled.toFixed(1))) >= 1024 && unit < units.length - 1) {
    scaled /= 1024;
    unit++;
  }
  const rounded = scaled.toFixed(1).replace(/\.0$/, '');
  return `${rounded} ${units[unit]} (${exact} B)`;
}

/** Milliseconds with microsecond precision, as `Server-Timing` carries them. */
export function formatMs(ms: number): string {
  return Number.isFinite(ms) ? ms.toFixed(3) : 'unknown';
}
