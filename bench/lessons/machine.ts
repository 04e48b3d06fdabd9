/**
 * The machine line every lesson benchmark prints first, so a table pasted anywhere still says
 * where it was measured. The course quotes these lines on /benchmarks/.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';

function osName(): string {
  try {
    const release = readFileSync('/etc/os-release', 'utf8');
    return /^PRETTY_NAME="?([^"\n]+)"?/m.exec(release)?.[1] ?? os.type();
  } catch {
    return `${os.type()} ${os.release()}`;
  }
}

/** Prints the benchmark's title, the date and the machine it ran on. */
export function printMachine(title: string): void {
  const cpus = os.cpus();
  const gib = (os.totalmem() / 1024 ** 3).toFixed(1);
  console.log(`\n${title}`);
  console.log(`Date:    ${new Date().toISOString()}`);
  console.log(
    `Machine: ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} cores, ${gib} GiB RAM`,
  );
  console.log(`OS:      ${osName()} (Linux ${os.release()}), Node ${process.version}`);
}
