/** What the benchmark needs from each store: the store driven for real, and its raw primitive. */
import type { Database } from '../../src/server/platform/database';
import type { StoreId } from '../../src/sessions/catalog';
import type { SessionData } from '../../src/sessions/types';
import type { RunningRedis, RunningService } from '../../scripts/services/index.ts';
import type { StoreDriver } from './driver';
import type { TimedOp } from './measure';

export interface Primitive {
  /** What was measured, in a few words, for the table. */
  name: string;
  op: TimedOp;
}

export interface CaseRun {
  driver: StoreDriver;
  load: Primitive;
  save: Primitive;
  /** A fact about this run the reader needs (e.g. whether Flask compressed the payload). */
  note?: string;
  teardown?(): Promise<void>;
}

/** Shared by every case: one temporary directory, one SQLite file, the running services. */
export interface Resources {
  directory: string;
  db: Database;
  redis: RunningRedis | null;
  memcached: RunningService | null;
}

export interface BenchCase {
  id: StoreId;
  /** Network stores get fewer iterations: each one is a round trip. */
  network: boolean;
  /** `owner`: the learner id the requests name, or null for an anonymous visitor. */
  setup(session: SessionData, resources: Resources, owner: string | null): Promise<CaseRun>;
}

/** Results go here so the engine cannot skip work whose value nobody reads. */
export const sink: { value: unknown } = { value: undefined };

export function keep(value: unknown): void {
  sink.value = value;
}

/** One secret for every signing store; the primitives derive or draw their own keys. */
export const benchSecret = 'bench-secret-0123456789abcdef-0123456789';
