/** A process's resident memory, as Linux reports it, to see whether a long run leaks. */
import { readFile } from 'node:fs/promises';

/** VmRSS in KiB from /proc/PID/status, or null where there is no /proc (not Linux). */
export async function residentKiB(pid: number): Promise<number | null> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

export function formatKiB(kib: number | null): string {
  return kib === null ? 'n/a' : `${(kib / 1024).toFixed(1)} MiB`;
}
