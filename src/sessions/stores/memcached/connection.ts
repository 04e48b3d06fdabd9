/**
 * The Memcached store's client: made on first use, one attempt per command with no failover (a
 * down server answers within the timeout, and the next command simply connects again), every
 * command racing a deadline, and an outage logged once rather than per failed command.
 */
import { Client } from 'memjs';
import { StoreUnavailableError } from '../../types';
import { describeError, withDeadline } from '../common/remote-service';

export const memcachedNotConfiguredMessage =
  'Memcached is not configured: set MEMCACHED_SERVERS=127.0.0.1:11211 and start memcached ' +
  '(npm run services starts one locally)';

export interface MemcachedLinkOptions {
  servers: readonly string[];
  timeoutMs: number;
  /** The default expiry memjs gives a write that names none. */
  ttlSeconds: number;
  log: (message: string) => void;
}

export class MemcachedLink {
  readonly #options: MemcachedLinkOptions;
  readonly #where: string;
  #client: Client | null = null;
  /** Whether the last command failed; only then does a first visit's load ask the server. */
  outage = false;

  constructor(options: MemcachedLinkOptions) {
    this.#options = options;
    this.#where = options.servers.join(', ');
  }

  async command<T>(work: (memcached: Client) => Promise<T>): Promise<T> {
    const { timeoutMs, log } = this.#options;
    const memcached = this.#connection();
    try {
      const result = await withDeadline(
        work(memcached),
        timeoutMs,
        `no reply within ${timeoutMs} ms`,
      );
      if (this.outage) log(`[session-lab] Memcached at ${this.#where} is answering again.`);
      this.outage = false;
      return result;
    } catch (error) {
      const message = `Memcached at ${this.#where} is not answering (${describeError(error)}); start memcached or check MEMCACHED_SERVERS`;
      if (!this.outage) log(`[session-lab] ${message}.`);
      this.outage = true;
      throw new StoreUnavailableError(message);
    }
  }

  /** Throws the how-to-enable message when no server is configured; otherwise nothing. */
  assertConfigured(): void {
    if (this.#options.servers.length === 0) {
      throw new StoreUnavailableError(memcachedNotConfiguredMessage);
    }
  }

  close(): void {
    const closing = this.#client;
    this.#client = null;
    this.outage = false;
    closing?.close();
  }

  #connection(): Client {
    const { servers, timeoutMs, ttlSeconds } = this.#options;
    if (servers.length === 0) throw new StoreUnavailableError(memcachedNotConfiguredMessage);
    this.#client ??= Client.create(servers.join(','), {
      retries: 1,
      failover: false,
      timeout: timeoutMs / 1000,
      conntimeout: timeoutMs / 1000,
      expires: ttlSeconds,
      // memjs logs every failed command; the link logs once per outage instead.
      logger: { log: () => {} },
    });
    return this.#client;
  }
}
