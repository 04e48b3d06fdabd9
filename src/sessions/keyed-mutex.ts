/**
 * One queue per key: `run(key, work)` starts `work` once every earlier `run` with the same key has
 * finished. Within one process only, which is exactly what it can promise: another process (or
 * another machine) has its own queues and never waits for these.
 */
export class KeyedMutex {
  /** The tail of each key's queue; a key leaves the map when its queue empties. */
  readonly #tails = new Map<string, Promise<void>>();

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const before = this.#tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = before.then(() => mine);
    this.#tails.set(key, tail);
    await before;
    try {
      return await work();
    } finally {
      release();
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }

  /** Keys with a request running or waiting; for tests and to show the map stays bounded. */
  get size(): number {
    return this.#tails.size;
  }
}
