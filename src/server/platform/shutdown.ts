/**
 * Graceful shutdown on SIGTERM (systemd, Docker, `kill`) and SIGINT (Ctrl-C): stop accepting
 * connections, let the requests in progress finish (for at most `graceMs`), then release what the
 * process holds and exit 0. A second signal while waiting exits at once.
 *
 * A worker process (WORKERS=2 or more) is also told to stop by its primary, through the returned
 * function: Ctrl-C in a terminal signals every process of the group, so a worker may hear both
 * the terminal's SIGINT and its primary's word, and the second must not count as "again".
 */
import type { Server } from 'node:http';

export interface ShutdownOptions {
  /** How long requests in progress may take before their connections are cut. */
  graceMs?: number;
  /** Releases the process's resources once no request is running (stores, database, timers). */
  release(): Promise<void>;
  log?: (message: string) => void;
}

const signals = ['SIGTERM', 'SIGINT'] as const;
/** A stuck close (a store that never answers) must not keep a stopping process alive. */
const releaseTimeoutMs = 5_000;
/** Keep-alive connections go idle after their last response; close them as they do. */
const idleSweepMs = 50;

/** Begins the same graceful stop as a first signal; does nothing once stopping. */
export type BeginShutdown = (reason: string) => void;

export function installGracefulShutdown(server: Server, options: ShutdownOptions): BeginShutdown {
  const graceMs = options.graceMs ?? 10_000;
  const log = options.log ?? ((message: string) => console.log(message));
  let stopping = false;

  const stop = async (reason: string): Promise<void> => {
    stopping = true;
    log(`Session Lab: ${reason}; finishing requests in progress (up to ${graceMs / 1000} s).`);
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const sweep = setInterval(() => server.closeIdleConnections(), idleSweepMs);
    const cut = setTimeout(() => {
      log(
        `Session Lab: requests still running after ${graceMs / 1000} s; closing their connections.`,
      );
      server.closeAllConnections();
    }, graceMs);
    await closed;
    clearInterval(sweep);
    clearTimeout(cut);

    let code = 0;
    try {
      await withTimeout(options.release(), releaseTimeoutMs);
    } catch (error) {
      console.error('Session Lab: releasing resources at shutdown failed:', error);
      code = 1;
    }
    log('Session Lab: stopped.');
    process.exit(code);
  };

  for (const signal of signals) {
    process.on(signal, (received) => {
      if (stopping) {
        log(`Session Lab: ${received} again; exiting without waiting.`);
        process.exit(1);
      }
      void stop(`${received} received`);
    });
  }
  return (reason) => {
    if (!stopping) void stop(reason);
  };
}

function withTimeout(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not done within ${ms} ms`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
