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

  /**
   * Adds to the entry for the same part doing the same thing, so repeated work (two HMACs, two
   * Redis GETs) shows as one total. The same part doing something else (a Memcached GET, then a
   * SET) gets an entry of its own, numbered (`store`, `store-2`), so each entry's description says
   * exactly what its time was spent on.
   */
  record(name: string, description: string | undefined, durationMs: number): void {
    const same = this.entries.find(
      (entry) => baseName(entry.name) === name && entry.description === description,
    );
    if (same) {
      same.durationMs += durationMs;
      return;
    }
    const siblings = this.entries.filter((entry) => baseName(entry.name) === name).length;
    this.entries.push({
      name: siblings === 0 ? name : `${name}-${siblings + 1}`,
      description,
      durationMs,
    });
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

/** `store-2` is another `store` entry. */
function baseName(name: string): string {
  return name.replace(/-\d+$/, '');
}

function roundMicro(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
