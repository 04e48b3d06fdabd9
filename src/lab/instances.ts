/**
 * Simulated server instances inside one process (the serverless lesson). Each has its own memory
 * map and its own directory; every other store (cookies, databases, cache servers) is shared by all.
 *
 * There are exactly four long-lived instances, named "1"–"4", and "fresh" ones that live for one
 * request. The name is matched exactly: anything a number parser would also read as 1 ("01",
 * "1.0", "0x1") is refused, so no visitor can make a fifth instance with its own caps.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
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
    if (id === 'fresh') return { ...this.#create(`fresh-${randomUUID()}`), oneRequest: true };
    if (!isNamedInstance(id)) {
      throw new InstanceError(
        `instance must be one of 1–${maxNamedInstances} or "fresh", got "${id.slice(0, 20)}"`,
      );
    }
    return this.#instances.get(id) ?? this.#remember(this.#create(id));
  }

  /**
   * Deletes the directories of one-request instances that outlived their request (a process
   * killed mid-request, or a version of this site that kept them): nothing can ever reach them.
   */
  removeLeftovers(): number {
    let removed = 0;
    let names: string[];
    try {
      names = readdirSync(this.#root);
    } catch {
      return 0;
    }
    for (const name of names) {
      if (!name.startsWith('fresh-')) continue;
      rmSync(path.join(this.#root, name), { recursive: true, force: true });
      removed++;
    }
    return removed;
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

/** "1" … "4", written exactly so. */
export function isNamedInstance(id: string): boolean {
  const number = /^[1-9][0-9]?$/.test(id) ? Number(id) : 0;
  return number >= 1 && number <= maxNamedInstances;
}
