/**
 * Simulated server instances inside one process (the serverless lesson). Each has its own memory
 * map and its own directory; cookie stores, SQLite, Redis and Memcached are shared by all.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Instance } from '../sessions/types';

export const maxNamedInstances = 4;

export class InstanceError extends Error {}

export class InstanceSimulator {
  readonly #instances = new Map<string, Instance>();
  readonly #root: string;

  constructor(dataDir: string) {
    this.#root = path.join(dataDir, 'instances');
  }

  /**
   * `undefined` or "1".."4" name a long-lived instance; "fresh" is a cold one that nothing else
   * will ever meet again, as a serverless platform may give each request.
   */
  resolve(requested: string | null): Instance {
    const id = requested ?? '1';
    if (id === 'fresh') return this.#create(`fresh-${randomUUID()}`);
    const number = Number(id);
    if (!Number.isInteger(number) || number < 1 || number > maxNamedInstances) {
      throw new InstanceError(
        `instance must be 1–${maxNamedInstances} or "fresh", got "${id.slice(0, 20)}"`,
      );
    }
    return this.#instances.get(id) ?? this.#remember(this.#create(id));
  }

  /** Forgets an instance's memory, as a process restart would. Its directory stays. */
  restart(id: string): void {
    this.#instances.get(id)?.memory.clear();
  }

  #create(id: string): Instance {
    return { id, memory: new Map(), directory: path.join(this.#root, id) };
  }

  #remember(instance: Instance): Instance {
    this.#instances.set(instance.id, instance);
    return instance;
  }
}
