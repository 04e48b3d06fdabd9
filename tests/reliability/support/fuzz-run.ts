/**
 * Sends generated requests and judges every answer. The property never throws: a run records
 * every broken rule (grouped, with examples) so one run shows every kind of defect, not just the
 * first, and the caller fails with the whole report and the seed that replays it.
 *
 * A request that kills the server is recorded and the server restarted; the same kind of request
 * (same unusual method, or same method on the same route) is not sent again, because one death is
 * enough to report and each restart costs seconds.
 */
import fc from 'fast-check';
import { NoResponseError, send, type RawResponse } from './http-client';
import type { LiveSite } from './live-site';
import { judge } from './oracle';
import { unusualMethods, type FuzzCase } from './request-arbitraries';
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
}

export async function runFuzz(
  site: LiveSite,
  cases: fc.Arbitrary<FuzzCase>,
  options: FuzzRunOptions,
): Promise<Tally> {
  const tally = new Tally();
  const killers = new Set<string>();
  const maxDeaths = options.maxDeaths ?? 4;
  const property = fc.asyncProperty(cases, async (sent) => {
    if (killers.has(killerKey(sent)) || site.deaths.length >= maxDeaths) return;
    await site.ensureRunning();
    let response: RawResponse | null = null;
    try {
      response = await send(site.port, sent);
    } catch (error) {
      if (!(error instanceof NoResponseError)) throw error;
    }
    const suspicious = response === null || response.status >= 500;
    const alive = options.probeEveryRequest || suspicious ? await site.alive() : true;
    tally.count(response?.status ?? 'no answer');
    tally.record(sent.label, judge(sent, response, alive));
    if (!alive) {
      site.recordDeath(sent.label);
      killers.add(killerKey(sent));
    }
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
