/** Starts the built server as a child process on a free loopback port with its own data directory. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

const entry = path.resolve('dist/server/entry.mjs');

export interface SiteExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunningSite {
  baseURL: string;
  port: number;
  /** The server's process id, e.g. to read its memory use from /proc. */
  pid: number;
  dataDir: string;
  output: string[];
  /** Settles when the process exits, however it exits. */
  exited: Promise<SiteExit>;
  /** Sends a signal without waiting, e.g. to stage a shutdown while requests are running. */
  signal(signal: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL after 5 s; removes the data directory unless it was given. */
  stop(): Promise<void>;
}

export interface SiteOptions {
  /**
   * Serve from this data directory, e.g. one another site uses too or one a stopped site left;
   * `stop()` leaves it in place. Without it, the site gets a fresh one that `stop()` removes.
   */
  dataDir?: string;
}

export async function startSite(
  env: Record<string, string> = {},
  options: SiteOptions = {},
): Promise<RunningSite> {
  requireBuild();
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), 'session-lab-e2e-')));
  const port = await freePort();
  const { server, exited, output } = spawnSite({ PORT: String(port), DATA_DIR: dataDir, ...env });
  const baseURL = `http://127.0.0.1:${port}`;
  await waitForServer(baseURL, server, output);
  return {
    baseURL,
    port,
    pid: server.pid!,
    dataDir,
    output,
    exited,
    signal(signal) {
      server.kill(signal);
    },
    async stop() {
      await stop(server);
      if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Runs the built server until it exits by itself, as it does when it cannot start: what it
 * printed and how it exited. Fails if it is still running after 20 s.
 */
export async function runUntilExit(
  env: Record<string, string>,
): Promise<SiteExit & { output: string }> {
  requireBuild();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'session-lab-e2e-'));
  const { server, exited, output } = spawnSite({ DATA_DIR: dataDir, ...env });
  const timer = setTimeout(() => server.kill('SIGKILL'), 20_000);
  try {
    const exit = await exited;
    return { ...exit, output: output.join('') };
  } finally {
    clearTimeout(timer);
    await rm(dataDir, { recursive: true, force: true });
  }
}

function requireBuild(): void {
  if (!existsSync(entry)) {
    throw new Error(`${entry} is missing: run "npm run build" before the browser tests`);
  }
}

function spawnSite(env: Record<string, string>) {
  const server = spawn(process.execPath, [entry], {
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      SESSION_SECRET: '',
      REDIS_URL: '',
      MEMCACHED_SERVERS: '',
      DATABASE_URL: '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<SiteExit>((resolve) =>
    server.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const output: string[] = [];
  server.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  server.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  return { server, exited, output };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(),
      );
    });
  });
}

async function waitForServer(
  baseURL: string,
  server: ChildProcess,
  output: string[],
): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) {
      throw new Error(`the server exited with ${server.exitCode}:\n${output.join('')}`);
    }
    try {
      const response = await fetch(`${baseURL}/`, { signal: AbortSignal.timeout(1_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  server.kill('SIGKILL');
  throw new Error(`the server did not answer within 20 s:\n${output.join('')}`);
}

async function stop(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise((resolve) => server.once('exit', resolve));
  server.kill('SIGTERM');
  const timer = setTimeout(() => server.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
