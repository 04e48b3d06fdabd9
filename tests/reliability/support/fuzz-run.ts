/**
 * Sends generated requests and judges every answer. The property never throws: a run records
 * every broken rule (grouped, with examples) so one run shows every kind of defect, not just the
 * first, and the caller fails with the whole report and the seed that replays it.
 *
 * A request that kills the server is recorded and the server restarted; the same kind of request
 * (same unusual method, or same method on the same route) is not sent again, because one death is
 * enough to report and each restart costs seconds. With several streams (the soak), every request
 * in flight sees the death: the first to notice blames the requests of that process that got no
 * answer (an unusual method among them if there is one), and the rest are not judged.
 */
import fc from 'fast-check';
import { NoResponseError, send, type RawResponse } from './http-client';
import type { LiveSite } from './live-site';
import { judge } from './oracle';
import { unusualMethods, type FuzzCase } from './fuzz-case';
import { Tally } from './tally';

export interface FuzzRunOptions {
  seed: number;
  /** Requests per stream. */
  runs: number;
  /** Parallel streams, each with its own seed (seed + i); 1 in the test suite. */
  streams?: number;
  /** Stop generating after this long, whatever `runs` says. */
  timeLimitMs: number;
  /** Ask /healthz after every request (exact blame) or only after a failed one (more load). */
  probeEveryRequest?: boolean;
  /** Give up restarting after this many deaths. */
  maxDeaths?: number;
  /** Shared by runs that go on at once against one site, so a death is blamed once, rightly. */
  deathWatch?: DeathWatch;
}

/** Which requests killed the server, and which went unanswered, per process generation. */
export class DeathWatch {
  readonly killers = new Set<string>();
  readonly unanswered = new Map<number, FuzzCase[]>();
}

export async function runFuzz(
  site: LiveSite,
  cases: fc.Arbitrary<FuzzCase>,
  options: FuzzRunOptions,
): Promise<Tally> {
  const tally = new Tally();
  const { killers, unanswered } = options.deathWatch ?? new DeathWatch();
  const maxDeaths = options.maxDeaths ?? 4;
  const property = fc.asyncProperty(cases, async (sent) => {
    if (killers.has(killerKey(sent)) || site.deaths.length >= maxDeaths) return;
    await site.ensureRunning();
    const generation = site.generation;
    let response: RawResponse | null = null;
    try {
      response = await send(site.port, sent);
    } catch (error) {
      if (!(error instanceof NoResponseError)) throw error;
      // Closing a CONNECT is a fine answer (see the oracle), not a sign of death.
      if (sent.method !== 'CONNECT')
        unanswered.set(generation, [...(unanswered.get(generation) ?? []), sent]);
    }
    const suspicious = response === null || response.status >= 500;
    const alive = options.probeEveryRequest || suspicious ? await site.alive() : true;
    tally.count(response?.status ?? 'no answer');
    if (alive) {
      tally.record(sent.label, judge(sent, response, true));
      return;
    }
    if (!site.claimDeath(generation)) return;
    // Let the other requests in flight report their broken connections first.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const blamed = blame(unanswered.get(generation) ?? [sent]);
    for (const killer of blamed) {
      tally.record(killer.label, judge(killer, null, false));
      killers.add(killerKey(killer));
    }
    site.recordDeath(blamed.map((killer) => killer.label).join(' or '));
  });
  const streams = Array.from({ length: options.streams ?? 1 }, (_, index) =>
    fc.assert(property, {
      seed: options.seed + index,
      numRuns: options.runs,
      endOnFailure: true,
      plugins: [fc.interruptAfterTimeLimit(options.timeLimitMs)],
    }),
  );
  await Promise.all(streams);
  return tally;
}

/** The likeliest killers among the requests a dead process left unanswered. */
function blame(unanswered: FuzzCase[]): FuzzCase[] {
  const unusual = unanswered.filter((sent) => unusualMethods.includes(sent.method));
  return (unusual.length > 0 ? unusual : unanswered).slice(0, 3);
}

function killerKey(sent: FuzzCase): string {
  return unusualMethods.includes(sent.method)
    ? sent.method
    : `${sent.method} ${sent.route?.pattern ?? sent.path}`;
}

/** A seed from RELIABILITY_SEED (to replay a run) or a fixed default. */
export function fuzzSeed(fallback: number): number {
  const given = Number(process.env.RELIABILITY_SEED);
  return Number.isSafeInteger(given) && process.env.RELIABILITY_SEED ? given : fallback;
}
