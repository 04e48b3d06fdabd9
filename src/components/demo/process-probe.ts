/**
 * The real-process check beside the instance simulation: save a marked value in the demo
 * session, then read it back a bounded number of times and note which server process answered
 * each read and whether it found the value. Pure logic, so it is tested without a browser.
 */
import type { DemoResponse, ServedBy } from '../../lab/demo-api';

/** Reads after the save: enough for two or four processes to each answer several times. */
export const probeReads = 8;

export interface ProbeAnswer {
  /** 0 for the save, 1… for the reads. */
  seq: number;
  pid: number;
  host: string;
  /** The marked value was in the session this process loaded. */
  found: boolean;
}

export interface ProbeSummary {
  processes: number;
  /** The process that saved the value. */
  savedBy: ServedBy;
  /** Per process that answered a read: how many reads it answered and how many found the value. */
  byProcess: { pid: number; host: string; reads: number; found: number }[];
}

export function probeAnswer(seq: number, report: DemoResponse, marker: string): ProbeAnswer {
  return {
    seq,
    pid: report.servedBy.pid,
    host: report.servedBy.host,
    found: report.data['probe'] === marker,
  };
}

export function summarize(saved: DemoResponse, reads: ProbeAnswer[]): ProbeSummary {
  const byProcess = new Map<string, ProbeSummary['byProcess'][number]>();
  for (const read of reads) {
    const key = `${read.host}:${read.pid}`;
    const entry = byProcess.get(key) ?? { pid: read.pid, host: read.host, reads: 0, found: 0 };
    entry.reads++;
    if (read.found) entry.found++;
    byProcess.set(key, entry);
  }
  return {
    processes: saved.servedBy.processes,
    savedBy: saved.servedBy,
    byProcess: [...byProcess.values()],
  };
}

/** A value no earlier press left behind, so "found" means this press's save. */
export function newMarker(): string {
  return `probe-${Math.random().toString(36).slice(2, 10)}`;
}
