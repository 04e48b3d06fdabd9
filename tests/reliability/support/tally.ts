/** Counts answers by status and groups rule violations, for failure messages and soak tables. */
import type { Violation } from './oracle';

export interface Example {
  request: string;
  detail: string;
}

export class Tally {
  requests = 0;
  readonly statuses = new Map<string, number>();
  /** rule → how often, and the first few requests that broke it. */
  readonly violations = new Map<string, { count: number; examples: Example[] }>();

  /** One tally of several, e.g. of the fuzz and the flood. */
  static merge(tallies: readonly Tally[]): Tally {
    const merged = new Tally();
    for (const tally of tallies) {
      merged.requests += tally.requests;
      for (const [status, count] of tally.statuses) {
        merged.statuses.set(status, (merged.statuses.get(status) ?? 0) + count);
      }
      for (const [rule, entry] of tally.violations) {
        const into = merged.violations.get(rule) ?? { count: 0, examples: [] };
        into.count += entry.count;
        into.examples.push(...entry.examples.slice(0, 3 - into.examples.length));
        merged.violations.set(rule, into);
      }
    }
    return merged;
  }

  count(status: number | 'no answer'): void {
    this.requests += 1;
    const key = String(status);
    this.statuses.set(key, (this.statuses.get(key) ?? 0) + 1);
  }

  record(request: string, violations: readonly Violation[]): void {
    for (const { rule, detail } of violations) {
      const entry = this.violations.get(rule) ?? { count: 0, examples: [] };
      entry.count += 1;
      if (entry.examples.length < 3) entry.examples.push({ request, detail });
      this.violations.set(rule, entry);
    }
  }

  /** Statuses in numeric order, e.g. `200×812 303×40 400×97`. */
  statusLine(): string {
    return [...this.statuses.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([status, count]) => `${status}×${count}`)
      .join(' ');
  }

  /** 5xx answers other than the documented Redis/Memcached 503s. */
  undocumented5xx(): number {
    return this.violations.get('5xx')?.count ?? 0;
  }

  /** One paragraph per broken rule, for a failing test's message. */
  report(): string {
    return [...this.violations.entries()]
      .map(
        ([rule, { count, examples }]) =>
          `✖ ${rule} (${count}×)\n` +
          examples.map((example) => `    ${example.request}\n      → ${example.detail}`).join('\n'),
      )
      .join('\n');
  }
}
