/**
 * CPU time a server spent, all its processes together (a gunicorn arbiter and its workers, a
 * cluster primary and its workers), read from Linux's /proc. On a machine others share, requests
 * per second move with their load; CPU time per request moves much less, so the table shows both.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's utime and stime (USER_HZ, 100 on Linux). */
const ticksPerSecond = 100;

/** Milliseconds of CPU (user + system) used so far by `pid` and every process under it. */
export function treeCpuMs(pid: number): number {
  return processTree(pid).reduce((sum, each) => sum + cpuMs(each), 0);
}

function processTree(pid: number): number[] {
  const children: number[] = [];
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  for (const task of tasks) {
    try {
      const listed = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      if (listed) children.push(...listed.split(' ').map(Number));
    } catch {
      // the task ended meanwhile
    }
  }
  return [pid, ...children.flatMap(processTree)];
}

function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may contain spaces: state is [0], utime [11], stime [12].
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
  } catch {
    return 0;
  }
}
