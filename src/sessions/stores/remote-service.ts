/** What the Redis and Memcached stores share: bounded waits and readable connection errors. */

/** Enough of the id to recognise it in the panel; the whole id is a bearer secret. */
export function shortenId(id: string): string {
  return `${id.slice(0, 8)}…`;
}

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

/** Settles as `work` does, or rejects after `ms`; a late failure of `work` is then ignored. */
export function withDeadline<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  work.catch(() => {});
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
