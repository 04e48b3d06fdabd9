/**
 * WORKERS=N (N > 1, or `auto`): this process becomes a primary that forks N worker processes of
 * the same entry, each a whole server (src/server/platform/serve-process.ts) with its own memory,
 * database connection and stores, all listening on one HOST and PORT.
 *
 * Why `node:cluster` rather than `listen({ reusePort: true })`: reusePort needs Node 23.1 or newer
 * (the site supports 22.12) and leaves each process alone, so something would still have to
 * start them, pass on a stop and replace one that crashes, which is what the cluster primary is.
 * And with reusePort Linux picks a process by hashing each connection's addresses and ports, so
 * a handful of connections from one client can all land on one process; the cluster primary
 * hands connections out in turn (round-robin, the default on every platform but Windows):
 * https://nodejs.org/api/cluster.html#how-it-works
 *
 * The primary serves nothing itself and opens no database: the settings were checked once
 * before it forked (a bad one exits 1 before anything listens). It then:
 *
 * - stops all workers gracefully on SIGTERM or SIGINT, and exits after the last one (a second
 *   signal kills them at once);
 * - stops everything, exit 1, when a worker dies before it ever listened (a port already taken,
 *   an unreadable build): a replacement would fail the same way;
 * - replaces a worker that crashes while serving, at most `maxRestarts` in `restartWindowMs`;
 *   past that it stops everything, exit 1, rather than fork forever.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Config } from './config';

/** The primary's word to a worker to stop as a first SIGTERM would (see shutdown.ts for why not a signal). */
export const stopMessage = 'session-lab:stop';

const maxRestarts = 5;
const restartWindowMs = 60_000;
/**
 * A worker finishes its requests for up to 10 s and releases its stores for up to 5 s
 * (shutdown.ts); one still running well after that is killed.
 */
const stopDeadlineMs = 20_000;

export function runWorkers(config: Pick<Config, 'host' | 'port' | 'workers'>): void {
  const log = (message: string) => console.log(`Session Lab: ${message}`);
  const listened = new Set<number>();
  const restarts: number[] = [];
  let announced = false;
  let stopping = false;
  let exitCode = 0;

  const fork = (): Worker => cluster.fork();

  const stopAll = (reason: string, code: number): void => {
    exitCode = Math.max(exitCode, code);
    if (stopping) return;
    stopping = true;
    log(`${reason}; stopping ${liveWorkers().length} worker processes.`);
    for (const worker of liveWorkers()) tell(worker);
    setTimeout(() => {
      log(`workers still running after ${stopDeadlineMs / 1000} s; killing them.`);
      for (const worker of liveWorkers()) worker.process.kill('SIGKILL');
      process.exit(1);
    }, stopDeadlineMs).unref();
    exitWhenNoneLeft();
  };

  const exitWhenNoneLeft = (): void => {
    if (liveWorkers().length > 0) return;
    log(`all worker processes stopped.`);
    process.exit(exitCode);
  };

  cluster.on('listening', (worker) => {
    listened.add(worker.id);
    if (announced || listened.size < config.workers) return;
    announced = true;
    const shown = config.host.includes(':') ? `[${config.host}]` : config.host;
    const pids = liveWorkers().map((live) => live.process.pid);
    log(
      `listening on http://${shown}:${config.port} with ${config.workers} worker processes ` +
        `(pids ${pids.join(', ')}; primary ${process.pid}).`,
    );
  });

  cluster.on('exit', (worker, code, signal) => {
    const how = signal ? `signal ${signal}` : `status ${code}`;
    if (stopping) {
      if (code !== 0) exitCode = 1;
      exitWhenNoneLeft();
      return;
    }
    if (!listened.has(worker.id)) {
      stopAll(`worker ${worker.process.pid} exited (${how}) before it could serve`, 1);
      return;
    }
    const now = Date.now();
    while (restarts.length > 0 && restarts[0]! <= now - restartWindowMs) restarts.shift();
    if (restarts.length >= maxRestarts) {
      stopAll(
        `worker ${worker.process.pid} exited (${how}), the ${maxRestarts + 1}th in ` +
          `${restartWindowMs / 1000} s; not replacing it`,
        1,
      );
      return;
    }
    restarts.push(now);
    const replacement = fork();
    log(
      `worker ${worker.process.pid} exited (${how}); started ${replacement.process.pid} ` +
        `in its place (${restarts.length} of at most ${maxRestarts} in ${restartWindowMs / 1000} s).`,
    );
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (!stopping) {
        stopAll(`${signal} received`, 0);
        return;
      }
      log(`${signal} again; killing the workers without waiting.`);
      for (const worker of liveWorkers()) worker.process.kill('SIGKILL');
      process.exit(1);
    });
  }

  for (let started = 0; started < config.workers; started++) fork();
}

function liveWorkers(): Worker[] {
  return Object.values(cluster.workers ?? {}).filter(
    (worker): worker is Worker => worker !== undefined && !worker.isDead(),
  );
}

/** A worker whose channel is already closed is on its way out anyway. */
function tell(worker: Worker): void {
  if (worker.isConnected()) worker.send(stopMessage);
}
