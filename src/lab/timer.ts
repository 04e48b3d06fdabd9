/**
 * Measures the parts of a request and reports them as a `Server-Timing` header, in milliseconds
 * with microsecond precision.
 */
export interface TimingEntry {
  name: string;
  description?: string;
  durationMs: number;
}

export class Timer {
  readonly entries: TimingEntry[] = [];

  async measure<T>(
    name: string,
    description: string | undefined,
    work: () => Promise<T>,
  ): Promise<T> {
    const start = performance.now();
    try {
      return await work();
    } finally {
      this.record(name, description, performance.now() - start);
    }
  }

  measureSync<T>(name: string, description: string | undefined, work: () => T): T {
    const start = performance.now();
    try {
      return work();
    } finally {
      this.record(name, description, performance.now() - start);
    }
  }

  /** Adds to an entry of the same name, so repeated parts (two HMACs) show as one total. */
  record(name: string, description: string | undefined, durationMs: number): void {
    const existing = this.entries.find((entry) => entry.name === name);
    if (existing) existing.durationMs += durationMs;
    else this.entries.push({ name, description, durationMs });
  }

  toJSON(): Record<string, number> {
    return Object.fromEntries(
      this.entries.map((entry) => [entry.name, roundMicro(entry.durationMs)]),
    );
  }

  toHeader(): string {
    return this.entries
      .map((entry) => {
        const desc = entry.description ? `;desc="${entry.description.replace(/["\\]/g, '')}"` : '';
        return `${entry.name}${desc};dur=${roundMicro(entry.durationMs).toFixed(3)}`;
      })
      .join(', ');
  }
}

function roundMicro(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
