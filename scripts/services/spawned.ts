/**
 * Real Redis and Memcached servers, for the tests and for `npm run services`: each runs as a child
 * process on a loopback port (a free one unless given), with no persistence, and can be stopped
 * and started again on the same port to stage an outage. Children are killed when the launching
 * process exits, however it exits.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { delay, freePort, onExit } from './common.ts';
import path from 'node:path';

export type SpawnedKind = 'redis' | 'memcached';

export interface ServiceSpec {
  binary: string;
  install: string;
  args(port: number): string[];
  /** What to send once connected, and how a healthy reply starts. */
  probe: { send: string; expect: string };
}

export const host = '127.0.0.1';

export const specs: Record<SpawnedKind, ServiceSpec> = {
  redis: {
    binary: 'redis-server',
    install: 'apt-get install redis-server',
    // No RDB snapshots and no AOF: the tests must not leave files behind or reload old keys.
    args: (port) => ['--port', String(port), '--bind', host, '--save', '', '--appendonly', 'no'],
    probe: { send: 'PING\r\n', expect: '+PONG' },
  },
  memcached: {
    binary: 'memcached',
    install: 'apt-get install memcached',
    // memcached refuses to start as root unless told which user to run as.
    args: (port) => [
      '-l',
      host,
      '-p',
      String(port),
      '-U',
      '0',
      ...(process.getuid?.() === 0 ? ['-u', 'root'] : []),
    ],
    probe: { send: 'version\r\n', expect: 'VERSION' },
  },
};

const startTimeoutMs = 10_000;
const stopTimeoutMs = 5_000;

export function findBinary(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return null;
}

export interface RunningService {
  readonly kind: SpawnedKind | 'postgres';
  readonly host: string;
  readonly port: number;
  /** `host:port`, as MEMCACHED_SERVERS lists it. */
  readonly address: string;
  readonly running: boolean;
  /** Starts the server again on the same port and waits until it answers. */
  start(): Promise<void>;
  /** Stops the server and waits for the process to exit. */
  stop(): Promise<void>;
  /** Kills the server outright (SIGKILL), as a crash or the OOM killer would, and waits. */
  kill(): Promise<void>;
  /** Freezes the process (SIGSTOP): connections stay open and nothing answers. */
  pause(): Promise<void>;
  /** Lets a paused process run again (SIGCONT). */
  resume(): void;
}

export interface RunningRedis extends RunningService {
  /** As REDIS_URL takes it. */
  readonly url: string;
}

export async function startRedis(port?: number): Promise<RunningRedis> {
  const service = await startService('redis', port);
  return Object.assign(service, { url: `redis://${service.address}` });
}

export function startMemcached(port?: number): Promise<RunningService> {
  return startService('memcached', port);
}

const children = new Set<ChildProcess>();

// `exit` handlers must be synchronous; a signal is all a dying process can still send.
onExit(() => {
  for (const child of children) child.kill('SIGKILL');
});

async function startService(kind: SpawnedKind, fixedPort?: number): Promise<RunningService> {
  const spec = specs[kind];
  const binary = findBinary(spec.binary);
  if (!binary) throw new Error(`${spec.binary} is not installed: ${spec.install}`);
  const port = fixedPort ?? (await freePort());
  let child: ChildProcess | null = null;

  const service: RunningService = {
    kind,
    host,
    port,
    address: `${host}:${port}`,
    get running() {
      return child !== null;
    },
    async start() {
      if (child) return;
      child = await launch(spec, binary, port);
    },
    async stop() {
      const stopping = child;
      child = null;
      if (stopping) await terminate(stopping);
    },
    async kill() {
      const killing = child;
      child = null;
      if (!killing || killing.exitCode !== null || killing.signalCode !== null) return;
      const exited = new Promise((resolve) => killing.once('exit', resolve));
      killing.kill('SIGKILL');
      await exited;
    },
    async pause() {
      if (!child?.pid) return;
      child.kill('SIGSTOP');
      await untilStopped(child.pid);
    },
    resume() {
      child?.kill('SIGCONT');
    },
  };
  await service.start();
  return service;
}

async function launch(spec: ServiceSpec, binary: string, port: number): Promise<ChildProcess> {
  const child = spawn(binary, spec.args(port), { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  // Set from event handlers; an object so the loop below reads the current value.
  const state: { exited: string | null } = { exited: null };
  child.once('error', (error) => {
    state.exited = error.message;
  });
  child.once('exit', (code, signal) => {
    children.delete(child);
    state.exited ??= `exited with ${signal ?? `code ${code}`}`;
  });

  const deadline = Date.now() + startTimeoutMs;
  while (Date.now() < deadline) {
    if (state.exited !== null) {
      throw new Error(`${spec.binary} on port ${port} ${state.exited}:\n${output.trim()}`);
    }
    if (await answers(port, spec.probe)) return child;
    await delay(50);
  }
  child.kill('SIGKILL');
  throw new Error(
    `${spec.binary} on port ${port} did not answer within ${startTimeoutMs} ms:\n${output.trim()}`,
  );
}

function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGCONT');
    child.kill('SIGTERM');
  });
}

/**
 * Signals are asynchronous: wait until Linux reports every thread of the process stopped (state
 * T), so that not even a worker thread that was running can still answer.
 */
async function untilStopped(pid: number): Promise<void> {
  const deadline = Date.now() + stopTimeoutMs;
  while (Date.now() < deadline) {
    try {
      const threads = await readdir(`/proc/${pid}/task`);
      const states = await Promise.all(
        threads.map((tid) => readFile(`/proc/${pid}/task/${tid}/stat`, 'utf8')),
      );
      // The state follows the command name, which is in parentheses.
      if (states.every((stat) => / T /.test(stat.slice(stat.lastIndexOf(')'))))) return;
    } catch {
      // No /proc here (not Linux): give the signal a moment instead.
      await delay(200);
      return;
    }
    await delay(10);
  }
  throw new Error(`process ${pid} did not stop within ${stopTimeoutMs} ms`);
}

/** One probe: connect, send, and see whether the reply starts as a healthy server's does. */
export function answers(port: number, probe: ServiceSpec['probe']): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    let reply = '';
    const finish = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), 500);
    socket.once('connect', () => socket.write(probe.send));
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      if (reply.includes('\n')) finish(reply.startsWith(probe.expect));
    });
    socket.once('error', () => finish(false));
    socket.once('close', () => finish(false));
  });
}
