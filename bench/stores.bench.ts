/**
 * `npm run bench`: every session store's load and save beside the raw primitive it is built on,
 * measured in the same run with the same payload. Not part of `npm test`: speed goals live here
 * and nowhere in a test assertion.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'vitest';
import { openDatabase } from '../src/server/platform/database';
import { randomTokenPart } from '../src/sessions/lucia-token';
import {
  serviceSkipReason,
  startMemcached,
  startRedis,
  type RunningRedis,
  type RunningService,
  type ServiceKind,
} from '../scripts/services/index.ts';
import type { BenchCase, Resources } from './lib/bench-case';
import { cookieCases } from './lib/cookie-cases';
import { collectGarbage, compare, measureAlone, timerOverhead, type Plan } from './lib/measure';
import { fixedCosts, sizedCosts } from './lib/reference-costs';
import { GOAL_RATIO, comparisonTable, micros, sizeLabel, table, type Row } from './lib/report';
import { serverCases } from './lib/server-cases';
import { makeSession } from './lib/sessions';

/**
 * JSON bytes of the two sessions. The larger is the biggest round size every cookie store can
 * still send: the JWT store refuses more than about 2,920 bytes and the sealed cookie more than
 * about 2,980, because base64url adds a third and the cookie may not pass 4,096 bytes.
 */
const SESSION_BYTES = [200, 2_900];
const inProcessPlan: Plan = { warmup: 500, iterations: 3_000, block: 10, rounds: 5 };
const networkPlan: Plan = { warmup: 200, iterations: 1_500, block: 10, rounds: 5 };
const referencePlan: Plan = { warmup: 500, iterations: 2_000, block: 2_000, rounds: 1 };

const print = (text = '') => console.log(text);

function serviceVersion(binary: string, flag: string): string {
  try {
    return execFileSync(binary, [flag], { encoding: 'utf8' }).trim().split('\n')[0] ?? binary;
  } catch {
    return `${binary} (version unknown)`;
  }
}

/** The running service, or why its rows are skipped. */
async function startService<T>(kind: ServiceKind, start: () => Promise<T>): Promise<T | string> {
  let reason: string | null;
  try {
    reason = serviceSkipReason(kind);
  } catch (error) {
    reason = error instanceof Error ? error.message : String(error);
  }
  if (reason) return reason;
  try {
    return await start();
  } catch (error) {
    return `${kind} did not start: ${error instanceof Error ? error.message : String(error)}`;
  }
}

function header(overhead: number, services: string[]): void {
  const cpus = os.cpus();
  print('Session store benchmark: each store beside its raw primitive, same run, same payload');
  print(`Date:     ${new Date().toISOString()}`);
  print(`Node:     ${process.version} (${process.platform} ${process.arch})`);
  print(`CPU:      ${cpus[0]?.model.trim() ?? 'unknown'} × ${cpus.length}`);
  if (services.length > 0) print(`Services: ${services.join('; ')}`);
  print(
    `Sessions: ${SESSION_BYTES.map(sizeLabel).join(' and ')} of JSON (random base64url text; zlib saves only about a quarter)`,
  );
  print(
    '          2.9 kB, not 3 kB: the largest round size the JWT and sealed cookies still fit in a 4096-byte cookie',
  );
  print(
    `Runs:     ${inProcessPlan.iterations} per store and per primitive in-process, ${networkPlan.iterations} over the network, after ${inProcessPlan.warmup}/${networkPlan.warmup} warm-up runs; interleaved in blocks of ${inProcessPlan.block}`,
  );
  print(
    `          "rounds" = lowest–highest ratio among ${inProcessPlan.rounds} consecutive rounds of those runs: a verdict whose range straddles ${GOAL_RATIO} is within this machine's noise`,
  );
  print(
    '          load = a request carrying the existing session (store.load timed); save = a request changing one key (its load untimed, store.save timed)',
  );
  print(
    "          '+owner' rows: each request names its learner (ctx.owner), as the site's demo requests do once a visitor has a learner id, so the server store keeps its owner index too",
  );
  print(
    `Timer:    an empty timed section reads ${micros(overhead)} µs (the floor under sub-microsecond numbers)`,
  );
  print(
    'Keys:     primitives hold keys prepared once (KeyObject for node:crypto, CryptoKey for jose); stores use their key rings as they are',
  );
  print(
    'Memory:   its primitive is Map get + JSON.parse and JSON.stringify + Map set, not a bare get or set: the store keeps each session',
  );
  print(
    '          as a JSON string (exact byte counts, no mutable object shared between requests), so parsing and serializing are work it cannot skip',
  );
  print(`Goal:     store median ≤ ${GOAL_RATIO} × primitive median`);
}

async function runCase(
  benchCase: BenchCase,
  bytes: number,
  resources: Resources,
  owner: string | null,
): Promise<{ load: Row; save: Row; note?: string }> {
  const plan = benchCase.network ? networkPlan : inProcessPlan;
  const run = await benchCase.setup(makeSession(bytes), resources, owner);
  try {
    collectGarbage();
    const load = await compare(run.driver.load, run.load.op, plan);
    collectGarbage();
    const save = await compare(run.driver.save, run.save.op, plan);
    await run.driver.verify();
    const row = (primitive: string, times: typeof load): Row => ({
      store: owner === null ? benchCase.id : `${benchCase.id} +owner`,
      size: sizeLabel(bytes),
      primitive,
      times,
    });
    return {
      load: row(run.load.name, load),
      save: row(run.save.name, save),
      note: run.note && `${benchCase.id}, ${sizeLabel(bytes)}: ${run.note}`,
    };
  } finally {
    await run.teardown?.();
  }
}

async function referenceTable(): Promise<string> {
  const rows: string[][] = [];
  for (const bytes of SESSION_BYTES) {
    for (const cost of sizedCosts(makeSession(bytes))) {
      const time = await measureAlone(cost.op, referencePlan);
      rows.push([cost.name, sizeLabel(bytes), micros(time.median), micros(time.p99)]);
    }
  }
  for (const cost of await fixedCosts(makeSession(SESSION_BYTES[0]!))) {
    const time = await measureAlone(cost.op, referencePlan);
    rows.push([cost.name, '', micros(time.median), micros(time.p99)]);
  }
  return table(['reference cost', 'size', 'median µs', 'p99 µs'], rows, new Set([2, 3]));
}

async function runBenchmark(): Promise<void> {
  const began = performance.now();
  const directory = await mkdtemp(path.join(os.tmpdir(), 'session-lab-bench-'));
  const db = openDatabase(path.join(directory, 'bench.sqlite'));
  const redis = await startService<RunningRedis>('redis', startRedis);
  const memcached = await startService<RunningService>('memcached', startMemcached);
  const skipped = [redis, memcached].filter((service) => typeof service === 'string');
  const resources: Resources = {
    directory,
    db,
    redis: typeof redis === 'string' ? null : redis,
    memcached: typeof memcached === 'string' ? null : memcached,
  };
  const versions = [
    ...(resources.redis ? [serviceVersion('redis-server', '--version')] : []),
    ...(resources.memcached ? [serviceVersion('memcached', '-V')] : []),
  ];

  try {
    header(timerOverhead(), versions);
    // Cookie stores ignore the owner; server stores run for an anonymous visitor and a learner.
    const learner = randomTokenPart();
    const cases: [BenchCase, (string | null)[]][] = [
      ...cookieCases.map((benchCase): [BenchCase, (string | null)[]] => [benchCase, [null]]),
      ...serverCases
        .filter(
          (benchCase) =>
            (benchCase.id !== 'redis' || resources.redis) &&
            (benchCase.id !== 'memcached' || resources.memcached),
        )
        .map((benchCase): [BenchCase, (string | null)[]] => [benchCase, [null, learner]]),
    ];
    const loads: Row[] = [];
    const saves: Row[] = [];
    const notes: string[] = [];
    for (const [benchCase, owners] of cases) {
      for (const bytes of SESSION_BYTES) {
        for (const owner of owners) {
          const result = await runCase(benchCase, bytes, resources, owner);
          loads.push(result.load);
          saves.push(result.save);
          if (result.note) notes.push(result.note);
        }
      }
    }

    print();
    print('LOAD: a request carrying an existing session');
    print(comparisonTable(loads));
    print();
    print('SAVE: a request changing one key');
    print(comparisonTable(saves));
    for (const note of notes) print(`  note: ${note}`);
    print();
    print('Reference costs (what the gaps are made of)');
    print(await referenceTable());
    for (const reason of skipped) print(`\nSkipped: ${reason}`);
    print(`\nTotal benchmark time: ${((performance.now() - began) / 1000).toFixed(1)} s`);
  } finally {
    db.close();
    await resources.redis?.stop();
    await resources.memcached?.stop();
    await rm(directory, { recursive: true, force: true });
  }
}

test('session stores against their primitives', runBenchmark, 20 * 60_000);
