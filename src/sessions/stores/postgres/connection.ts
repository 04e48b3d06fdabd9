/**
 * The PostgreSQL store's connection pool: made on first use, small and bounded, every wait
 * limited. While PostgreSQL is down or not configured, queries fail with `StoreUnavailableError`
 * saying how to fix it, and an outage is logged once, not per query. The store and its admin face
 * share one pool, so the site never holds a second set of connections to the same server.
 *
 * Each process has a pool of its own, so `max` × processes must stay under the server's
 * `max_connections` (100 by default). Connections that die while idle (the server restarted, an
 * administrator ended them) raise an 'error' event on the pool; the listener below keeps that from
 * crashing the process, and the pool replaces them on the next query.
 */
import pg from 'pg';
import { StoreUnavailableError } from '../../types';
import { describeError } from '../common/remote-service';
import { ensureSchema } from './schema';

export interface PostgresLinkOptions {
  /** DATABASE_URL; `null` when not configured. */
  url: string | null;
  /** What to say when `url` is null. */
  notConfigured: string;
  /** Connections this process may hold at once. */
  maxConnections: number;
  /** How long a query may wait for a free connection, or for a new one to open. */
  connectTimeoutMs: number;
  /** How long one statement may run before the server cancels it. */
  statementTimeoutMs: number;
  /** An unused connection is closed after this long. */
  idleTimeoutMs: number;
  log: (message: string) => void;
}

/** What a query runs on: the pool for one statement, a checked-out client inside a transaction. */
export type Queryable = Pick<pg.PoolClient, 'query'>;

/**
 * SQLSTATE classes that mean "the server is not there or not usable right now": connection
 * exceptions (08), insufficient resources (53, e.g. too many connections), operator intervention
 * (57: shutdown, and 57014, a statement cancelled by `statement_timeout`).
 */
const unavailableClasses = ['08', '53', '57'];

export class PostgresLink {
  readonly address: string | null;
  readonly #options: PostgresLinkOptions;
  #pool: pg.Pool | null = null;
  /** The table and indexes, created once per pool; forgotten after a failure, so it is retried. */
  #schema: Promise<void> | null = null;
  #outageLogged = false;

  constructor(options: PostgresLinkOptions) {
    this.#options = options;
    this.address = options.url === null ? null : postgresAddress(options.url);
  }

  notAnswering(why: string): string {
    return (
      `PostgreSQL at ${this.address} is not answering (${why}); start PostgreSQL or check ` +
      'DATABASE_URL'
    );
  }

  /** One statement on a pooled connection, after the schema exists. */
  async query<R extends pg.QueryResultRow>(
    text: string,
    values: unknown[] = [],
  ): Promise<pg.QueryResult<R>> {
    return this.#run(async (pool) => pool.query<R>(text, values));
  }

  /** `work` inside BEGIN … COMMIT on one connection; rolled back if it throws. */
  async transaction<T>(work: (client: Queryable) => Promise<T>): Promise<T> {
    return this.#run(async (pool) => {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch((rollbackError: unknown) => {
          // A connection that cannot even roll back is not given back to the pool.
          broken =
            rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
        });
        throw error;
      } finally {
        client.release(broken);
      }
    });
  }

  /**
   * Throws when the store cannot work right now: not configured, or down since the last query
   * (then one `SELECT 1` checks whether it is back). Costs nothing while the server answers, so a
   * first visit without a cookie learns of an outage too.
   */
  async reachable(): Promise<void> {
    if (this.#outageLogged || this.#options.url === null) await this.ping();
  }

  /** One bounded round trip, for /healthz. */
  async ping(): Promise<void> {
    await this.#run(async (pool) => pool.query('SELECT 1'), false);
  }

  async close(): Promise<void> {
    const closing = this.#pool;
    this.#pool = null;
    this.#schema = null;
    this.#outageLogged = false;
    await closing?.end().catch(() => {});
  }

  async #run<T>(work: (pool: pg.Pool) => Promise<T>, needsSchema = true): Promise<T> {
    try {
      return await this.#attempt(work, needsSchema);
    } catch (error) {
      // A pooled connection the server ended (a restart) fails only when next used. Every
      // statement here is safe to repeat, and a transaction cut off never committed: try once
      // more, on a fresh connection.
      if (!isStaleConnection(error)) throw this.#unavailable(error);
    }
    try {
      return await this.#attempt(work, needsSchema);
    } catch (error) {
      throw this.#unavailable(error);
    }
  }

  async #attempt<T>(work: (pool: pg.Pool) => Promise<T>, needsSchema: boolean): Promise<T> {
    const pool = this.#connection();
    if (needsSchema) {
      this.#schema ??= ensureSchema(pool).catch((error: unknown) => {
        this.#schema = null;
        throw error;
      });
      await this.#schema;
    }
    const result = await work(pool);
    this.#reportRecovery();
    return result;
  }

  #unavailable(error: unknown): StoreUnavailableError {
    if (error instanceof StoreUnavailableError) return error;
    const code = (error as { code?: unknown }).code;
    if (
      error instanceof pg.DatabaseError &&
      typeof code === 'string' &&
      !unavailableClasses.includes(code.slice(0, 2))
    ) {
      return new StoreUnavailableError(
        `PostgreSQL at ${this.address} refused the query (${error.message}); check the database ` +
          'and the permissions of the DATABASE_URL user',
      );
    }
    const why = describeError(error);
    this.#reportOutage(why);
    return new StoreUnavailableError(this.notAnswering(why));
  }

  #connection(): pg.Pool {
    const { url, notConfigured } = this.#options;
    if (url === null) throw new StoreUnavailableError(notConfigured);
    if (this.#pool) return this.#pool;
    const { maxConnections, connectTimeoutMs, statementTimeoutMs, idleTimeoutMs } = this.#options;
    // #region pool
    const pool = new pg.Pool({
      connectionString: url,
      max: maxConnections,
      // The default, 0, lets a query wait for a free connection for ever.
      connectionTimeoutMillis: connectTimeoutMs,
      idleTimeoutMillis: idleTimeoutMs,
      // The server cancels a statement past this; the client gives up a little later, for a
      // server that stopped answering altogether.
      statement_timeout: statementTimeoutMs,
      query_timeout: statementTimeoutMs + 500,
      application_name: 'session-lab demo store',
    });
    // Without a listener, an idle connection dying would crash the process.
    pool.on('error', (error) => {
      if (this.#pool === pool) this.#reportOutage(describeError(error));
    });
    // #endregion pool
    this.#pool = pool;
    return pool;
  }

  #reportOutage(why: string): void {
    if (this.#outageLogged) return;
    this.#outageLogged = true;
    this.#options.log(`[session-lab] ${this.notAnswering(why)}.`);
  }

  #reportRecovery(): void {
    if (!this.#outageLogged) return;
    this.#outageLogged = false;
    this.#options.log(`[session-lab] PostgreSQL at ${this.address} is answering again.`);
  }
}

/** An error of a connection that died under the query, not of the query or of a timeout. */
function isStaleConnection(error: unknown): boolean {
  if (error instanceof pg.DatabaseError || error instanceof StoreUnavailableError) return false;
  const code = (error as NodeJS.ErrnoException).code;
  const message = error instanceof Error ? error.message : '';
  return (
    code === 'ECONNRESET' ||
    code === 'EPIPE' ||
    /Connection terminated unexpectedly|not queryable/.test(message)
  );
}

/** `host:port/database` for messages; never the password a URL may carry. */
export function postgresAddress(url: string): string {
  const parsed = new URL(url);
  const database = decodeURIComponent(parsed.pathname.slice(1)) || '(default database)';
  return `${parsed.hostname || 'localhost'}:${parsed.port || '5432'}/${database}`;
}
