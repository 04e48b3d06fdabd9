/**
 * The race demo's arithmetic: how many of the overlapping increments the counter kept.
 *
 * Each increment answers with the session it saved, so its counter minus one is what that
 * request loaded. The lowest of those is where the counter started; the read afterwards says
 * where it ended. Everything comes from the server's answers, nothing is assumed.
 */
import type { CounterFixReport, DemoResponse } from '../../lab/demo-api';

/** How a race was run: the work each increment simulated, and the store's fix if it was used. */
export interface RaceSettings {
  workMs: number;
  fix: CounterFixReport | null;
}

export interface RaceSummary {
  sent: number;
  /** Increments the server carried out (answered with a report). */
  applied: number;
  /** Increments refused or failed (429, network …). */
  refused: number;
  /** The counter the earliest request loaded; null when no increment succeeded. */
  from: number | null;
  /** The counter the read found afterwards (0 when it found none); null without a read. */
  to: number | null;
  /** Increments that left no trace in the counter. */
  lost: number | null;
  /** The value most requests loaded, and how many loaded it. */
  commonStart: { value: number; requests: number } | null;
  /** The read's session status: `new` means the session itself was gone. */
  readStatus: DemoResponse['status'] | null;
  /**
   * Server stores: how many different sessions the increments saved to. More than one means the
   * requests carried no session cookie yet, so each started its own.
   */
  sessions: number;
  settings: RaceSettings;
}

export const raceSize = 20;
/** Simulated work between load and save the learner can pick, in milliseconds. */
export const raceWorkChoices = [0, 20, 50, 100, 200] as const;
/** Enough for requests to overlap between load and save, as a database round trip would. */
export const defaultRaceWorkMs = 50;

function counterOf(response: DemoResponse | null, key: string): number | null {
  if (!response) return null;
  const value = response.data[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

export function summarizeRace(
  increments: readonly (DemoResponse | null)[],
  read: DemoResponse | null,
  settings: RaceSettings = { workMs: 0, fix: null },
  key = 'counter',
): RaceSummary {
  const loaded = increments
    .map((response) => counterOf(response, key))
    .filter((value): value is number => value !== null)
    .map((saved) => saved - 1);
  const applied = loaded.length;
  const from = applied > 0 ? Math.min(...loaded) : null;
  const to = counterOf(read, key);

  const tally = new Map<number, number>();
  for (const value of loaded) tally.set(value, (tally.get(value) ?? 0) + 1);
  let commonStart: RaceSummary['commonStart'] = null;
  for (const [value, requests] of tally) {
    if (!commonStart || requests > commonStart.requests) commonStart = { value, requests };
  }

  return {
    sent: increments.length,
    applied,
    refused: increments.length - applied,
    from,
    to,
    lost: from === null || to === null ? null : Math.max(0, applied - (to - from)),
    commonStart,
    readStatus: read?.status ?? null,
    sessions: new Set(increments.map((response) => response?.server?.key).filter(Boolean)).size,
    settings,
  };
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** "20 sent, counter went from 3 to 4: 19 updates lost" */
export function raceHeadline(summary: RaceSummary): string {
  const sent =
    summary.refused > 0
      ? `${summary.sent} sent (${summary.refused} refused)`
      : `${summary.sent} sent`;
  if (summary.from === null) return `${sent}, none applied: the counter did not move`;
  if (summary.to === null || summary.lost === null) {
    return `${sent}; the read afterwards failed, so the final counter is unknown`;
  }
  const ofRan = summary.refused > 0 ? ` of the ${summary.applied} that ran` : '';
  return `${sent}, counter went from ${summary.from} to ${summary.to}: ${plural(summary.lost, 'update', 'updates')} lost${ofRan}`;
}

/** One line on why, from what the requests actually loaded. */
export function raceExplanation(summary: RaceSummary): string {
  if (summary.from === null || summary.lost === null) {
    return summary.sent > 0 && summary.refused === summary.sent
      ? 'Every increment was refused (too many requests, or the store could not be reached), so none ran and there is nothing to compare. Wait a moment and press again.'
      : 'Without applied increments there is nothing to compare.';
  }
  if (summary.readStatus === 'new') {
    return 'The read found no session at all: the saves went somewhere this request could not see (a fresh instance, or the session was cleared).';
  }
  if (summary.sessions > 1) {
    return `The requests carried no session cookie yet, so the server started ${summary.sessions} separate sessions; the browser kept the cookie that arrived last, and the other sessions are orphans.`;
  }
  const { fix, workMs } = summary.settings;
  if (summary.lost === 0) {
    // A refused request never loaded or saved anything: it is not an update the race kept.
    const refused =
      summary.refused > 0
        ? `${plural(summary.refused, 'increment was', 'increments were')} refused and never ran. Of the ${summary.applied} that ran, none was lost: `
        : fix
          ? 'None lost: '
          : 'Nothing lost this time: ';
    if (fix) {
      return `${refused}${fixSentence(fix)}`;
    }
    return `${refused}the server finished each load-and-save before the next request loaded, so every load saw the previous save. Overlap allows lost updates; it does not force them${workMs === 0 ? '. Give each increment some work between load and save, as a real handler’s database or API call takes, and they overlap' : ''}.`;
  }
  const common = summary.commonStart;
  const same =
    common && common.requests > 1 ? ` (${common.requests} of them loaded ${common.value})` : '';
  const work = workMs > 0 ? ` during their ${workMs} ms of work` : '';
  const despite =
    fix?.processOnly === true
      ? ' The lock holds only within one process: requests answered by different processes do not wait for each other.'
      : '';
  return `Requests loaded the same counter before any of them had saved${same}${work}; each added one to its own copy and saved the whole session, so the last write wins.${despite}`;
}

/** Why the fix kept every increment, in the store's own terms. */
function fixSentence(fix: CounterFixReport): string {
  if (fix.kind === 'atomic') {
    return `the store added one itself (${fix.how}), so no request read the counter between another’s read and write.`;
  }
  if (fix.kind === 'version') {
    return 'each save went through only if the session was still the one its request had loaded; a request that found it changed loaded again and redid its increment, so no save overwrote another’s.';
  }
  const scope = fix.processOnly
    ? ' It works only within one process: on several processes or machines the requests would not wait for each other.'
    : '';
  return `the requests took turns from load to save (${fix.how}), so each loaded the previous one’s save.${scope}`;
}
