/** The soak's one table: what was sent, what came back, and what broke. */
import type { KillReport } from '../../tests/reliability/support/kill-scenario';
import type { Death } from '../../tests/reliability/support/live-site';
import type { OutageReport } from '../../tests/reliability/support/outage-scenario';
import { formatKiB } from '../../tests/reliability/support/rss';
import { Tally } from '../../tests/reliability/support/tally';
import { table } from './report';

export interface SoakResults {
  seconds: number;
  seed: number;
  tallies: Record<string, Tally>;
  deaths: Death[];
  rssBefore: number | null;
  rssAfter: number | null;
  /** Restarts before the "after" reading: then it is a younger process's memory. */
  restartsDuringLoad: number;
  outage: OutageReport | null;
  kill: KillReport;
}

export function soakTable(results: SoakResults): string {
  const all = Tally.merge(Object.values(results.tallies));
  const rows: string[][] = [
    ['duration', `${results.seconds} s (seed ${results.seed})`],
    ...Object.entries(results.tallies).map(([name, tally]) => [
      `requests: ${name}`,
      String(tally.requests),
    ]),
    ['requests: outage load', String(results.outage?.requests ?? 'skipped')],
    ...[...all.statuses.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([status, count]) => [`  status ${status}`, String(count)]),
    ['5xx other than documented 503', String(all.undocumented5xx())],
    [
      'instance aliases accepted',
      String(all.violations.get('instance alias accepted')?.count ?? 0),
    ],
    ['other rule breaks (see below)', String(otherBreaks(all))],
    ['server deaths', String(results.deaths.length)],
    ['RSS before', formatKiB(results.rssBefore)],
    [
      'RSS after',
      formatKiB(results.rssAfter) +
        (results.restartsDuringLoad > 0 ? ` (after ${results.restartsDuringLoad} restarts)` : ''),
    ],
    ['Redis recovery after restart', recovery(results.outage, 'redis')],
    ['Memcached recovery after restart', recovery(results.outage, 'memcached')],
    ['outage rule breaks', String(results.outage?.violations.length ?? 'skipped')],
    ['acknowledged writes before kill -9', String(results.kill.acknowledged)],
    ['acknowledged writes lost', String(results.kill.lost.length)],
    ['restart after kill -9', `${results.kill.restartMs} ms`],
  ];
  const deaths = results.deaths.map(
    (death) =>
      `  died on: ${death.during.slice(0, 140)}\n    ${firstError(death.exit) ?? '(no error printed)'}`,
  );
  return [table(['measure', 'value'], rows, new Set()), ...deaths].join('\n');
}

/** Answers that broke a rule other than the two counted on their own lines. */
function otherBreaks(tally: Tally): number {
  return [...tally.violations.entries()]
    .filter(([rule]) => rule !== '5xx' && rule !== 'instance alias accepted')
    .reduce((sum, [, { count }]) => sum + count, 0);
}

function recovery(outage: OutageReport | null, kind: string): string {
  if (!outage) return 'skipped';
  const ms = outage.recoveryMs[kind];
  return ms === null || ms === undefined ? 'never' : `${ms} ms`;
}

/** The line of a dying process's output that names the error, e.g. "TypeError: …". */
function firstError(output: string): string | undefined {
  return output
    .split('\n')
    .find((line) => /^\w*Error\b|^Error:|FATAL|heap out of memory/.test(line));
}
