/**
 * The Redis store's one connection: made on first use, reconnecting by itself with a bounded
 * backoff, every command racing a deadline. While Redis is down, commands fail at once with
 * `StoreUnavailableError` saying how to fix it, and an outage is logged once, not per retry. The
 * store and its admin face share it, so the site never opens a second client to the same Redis.
 */
import { createClient, ErrorReply, type RedisClientType } from 'redis';
import { StoreUnavailableError } from '../../types';
import { describeError, withDeadline } from '../common/remote-service';

export type RedisClient = RedisClientType;

/** Reconnect delays double from 50 ms up to this cap, plus jitter, for as long as Redis is down. */
const maxReconnectDelayMs = 2000;

export interface RedisLinkOptions {
  /** REDIS_URL; `null` when not configured. */
  url: string | null;
  /** What to say when `url` is null. */
  notConfigured: string;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
  log: (message: string) => void;
}

export class RedisLink {
  readonly address: string | null;
  readonly commandTimeoutMs: number;
  readonly #options: RedisLinkOptions;
  #client: RedisClient | null = null;
  /** The first connection attempt, which a request may wait for (bounded). */
  #firstAttempt: Promise<void> | null = null;
  /** Why the connection is down; `null` while connected or before the first attempt ends. */
  #down: string | null = null;
  /** Whether the current outage has been logged, so reconnect attempts do not flood the log. */
  #outageLogged = false;

  constructor(options: RedisLinkOptions) {
    this.#options = options;
    this.commandTimeoutMs = options.commandTimeoutMs;
    this.address = options.url === null ? null : redisAddress(options.url);
  }

  notAnswering(why: string): string {
    return `Redis at ${this.address} is not answering (${why}); start redis-server or check REDIS_URL`;
  }

  /** Runs commands on a ready client with a hard deadline (the command timeout unless given). */
  async command<T>(
    work: (redis: RedisClient) => Promise<T>,
    deadlineMs = this.commandTimeoutMs,
  ): Promise<T> {
    const redis = await this.connected();
    try {
      const result = await withDeadline(
        work(redis),
        deadlineMs,
        `no reply within ${deadlineMs} ms`,
      );
      this.#reportRecovery();
      return result;
    } catch (error) {
      if (error instanceof ErrorReply) {
        throw new StoreUnavailableError(
          `Redis at ${this.address} refused the command (${error.message}); check the Redis server`,
        );
      }
      const why = describeError(error);
      this.#reportOutage(why);
      throw new StoreUnavailableError(this.notAnswering(why));
    }
  }

  /** A ready client, or `StoreUnavailableError` without waiting longer than the connect timeout. */
  async connected(): Promise<RedisClient> {
    const { url, connectTimeoutMs } = this.#options;
    if (url === null) throw new StoreUnavailableError(this.#options.notConfigured);
    const current = this.#connection(url);
    if (current.isReady) return current;
    if (this.#down !== null) throw new StoreUnavailableError(this.notAnswering(this.#down));
    try {
      await withDeadline(
        this.#firstAttempt ?? Promise.resolve(),
        connectTimeoutMs + 50,
        `no connection within ${connectTimeoutMs} ms`,
      );
    } catch (error) {
      throw new StoreUnavailableError(this.notAnswering(describeError(error)));
    }
    if (current.isReady) return current;
    throw new StoreUnavailableError(this.notAnswering(this.#down ?? 'not connected'));
  }

  async ping(): Promise<void> {
    const redis = await this.connected();
    try {
      await withDeadline(
        redis.ping(),
        this.commandTimeoutMs,
        `no reply within ${this.commandTimeoutMs} ms`,
      );
    } catch (error) {
      throw new StoreUnavailableError(this.notAnswering(describeError(error)));
    }
  }

  async close(): Promise<void> {
    const closing = this.#client;
    this.#client = null;
    this.#firstAttempt = null;
    this.#down = null;
    this.#outageLogged = false;
    if (!closing) return;
    try {
      if (closing.isReady) {
        await withDeadline(closing.close(), this.commandTimeoutMs, 'close timed out');
      }
    } catch {
      // Going away regardless; destroy() below drops the socket.
    }
    closing.destroy();
  }

  #reportOutage(why: string): void {
    if (this.#outageLogged) return;
    this.#outageLogged = true;
    this.#options.log(`[session-lab] ${this.notAnswering(why)}. Retrying in the background.`);
  }

  #reportRecovery(): void {
    if (!this.#outageLogged) return;
    this.#outageLogged = false;
    this.#options.log(`[session-lab] Redis at ${this.address} is answering again.`);
  }

  #connection(configuredUrl: string): RedisClient {
    if (this.#client) return this.#client;
    const created: RedisClient = createClient({
      url: configuredUrl,
      socket: {
        connectTimeout: this.#options.connectTimeoutMs,
        reconnectStrategy: (retries) =>
          Math.min(50 * 2 ** retries, maxReconnectDelayMs) + Math.floor(Math.random() * 100),
      },
      // While disconnected, commands fail at once instead of queueing until Redis returns.
      disableOfflineQueue: true,
      // Plain Redis has no maintenance notifications; asking costs a round trip per connect.
      maintNotifications: 'disabled',
    });
    // Without a listener an 'error' event would crash the process; each failed reconnect
    // attempt emits one, so only the first of an outage is logged.
    created.on('error', (error: unknown) => {
      if (this.#client !== created || created.isReady) return;
      this.#down = describeError(error);
      this.#reportOutage(this.#down);
    });
    created.on('ready', () => {
      if (this.#client !== created) return;
      this.#down = null;
      this.#reportRecovery();
    });
    this.#firstAttempt = new Promise<void>((resolve, reject) => {
      const settle = (error?: unknown) => {
        created.off('ready', settle);
        created.off('error', settle);
        if (error === undefined) resolve();
        else reject(error);
      };
      created.on('ready', settle);
      created.on('error', settle);
    });
    this.#firstAttempt.catch(() => {});
    this.#client = created;
    // Resolves once connected; rejects only when the client is closed. Errors on the way arrive
    // as 'error' events above, and the client keeps reconnecting.
    created.connect().catch(() => {});
    return created;
  }
}

/** `host:port` for messages; never the password a URL may carry. */
function redisAddress(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`the redis store needs a redis:// URL, got "${url.slice(0, 80)}"`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new Error(`the redis store needs a redis:// or rediss:// URL, got ${parsed.protocol}`);
  }
  return `${parsed.hostname || 'localhost'}:${parsed.port || '6379'}`;
}
