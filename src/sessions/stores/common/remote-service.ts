/** What the Redis and Memcached stores share: bounded waits and readable connection errors. */

/** Socket errors can be AggregateErrors with an empty message (one per address tried). */
export function describeError(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return [...new Set(error.errors.map(describeError))].join('; ');
  }
  if (error instanceof Error) {
    return error.message || (error as NodeJS.ErrnoException).code || error.name;
  }
  return String(error);
}

/**
 * Settles as `work` does, or rejects after `ms`; a late failure of `work` is then ignored. One
 * promise and one timer per command: racing a deadline promise, then `finally`, took four promises.
 */
export function withDeadline<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(message)), ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
