/**
 * Requests per second over HTTP on this machine, three servers taking turns in one run:
 *
 * - Flask's own signed-cookie session under gunicorn with 2 sync workers (Debian's python3-flask
 *   and gunicorn), reading the session and answering it as JSON (flask_session_app.py);
 * - this site's signed-cookie demo GET, from the build in dist/, with WORKERS=2;
 * - a bare `node:http` handler in one process, as a ceiling for what Node answers here.
 *
 * Each round measures every server for the same time with the same client (load.ts) on
 * 127.0.0.1; the rounds alternate so a busy moment on the shared machine hits all of them.
 *
 * Run: npm run build, then npm run bench:http
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'vitest';
import { printMachine } from '../lessons/machine';
import { table } from '../lib/report';
import { runLoad, type LoadResult } from './load';
import { treeCpuMs } from './process-cpu';

const ROUNDS = 3;
const WARMUP_MS = 1_000;
const MEASURE_MS = 5_000;
const CONNECTIONS = 16;
const demoPath = '/api/demo/signed-cookie';
const entry = path.resolve('dist/server/entry.mjs');

interface Target {
  name: string;
  url: string;
  headers?: Record<string, string>;
  /** The server's first process, whose tree's CPU time is read around each measurement. */
  pid: number;
  results: (LoadResult & { cpuMicrosPerRequest: number })[];
}

test('HTTP requests per second: Flask under gunicorn, this site with WORKERS=2, bare node:http', async () => {
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run "npm run build" first`);
  printMachine('HTTP: a signed-cookie session read, Flask + gunicorn vs this site vs bare Node');
  const dataDir = await mkdtemp(path.join(tmpdir(), 'session-lab-bench-http-'));
  const servers: ChildProcess[] = [];
  try {
    const flaskPort = await freePort();
    const flaskServer = start('/usr/bin/gunicorn', [
      '-w',
      '2',
      '--chdir',
      path.resolve('bench/http'),
      '--bind',
      `127.0.0.1:${flaskPort}`,
      '--log-level',
      'warning',
      'flask_session_app:app',
    ]);
    const sitePort = await freePort();
    const siteServer = start(process.execPath, [entry], {
      HOST: '127.0.0.1',
      PORT: String(sitePort),
      WORKERS: '2',
      DATA_DIR: dataDir,
      SESSION_SECRET: 'bench-http-secret-0123456789abcdef-0123456789',
      REDIS_URL: '',
      MEMCACHED_SERVERS: '',
      DATABASE_URL: '',
    });
    const barePort = await freePort();
    const bareServerProcess = start(process.execPath, ['-e', bareServer(barePort)]);
    servers.push(flaskServer, siteServer, bareServerProcess);

    const flask = `http://127.0.0.1:${flaskPort}${demoPath}`;
    const site = `http://127.0.0.1:${sitePort}${demoPath}`;
    const bare = `http://127.0.0.1:${barePort}/`;
    await Promise.all([flask, site, bare].map((url) => waitForServer(url)));

    const targets: Target[] = [
      {
        name: 'Flask session, gunicorn -w 2 (sync)',
        url: flask,
        headers: { Cookie: await sessionCookie(flask) },
        pid: flaskServer.pid!,
        results: [],
      },
      {
        name: 'This site, signed-cookie demo GET, WORKERS=2',
        url: site,
        headers: { Cookie: await sessionCookie(site) },
        pid: siteServer.pid!,
        results: [],
      },
      {
        name: 'Bare node:http handler, 1 process',
        url: bare,
        pid: bareServerProcess.pid!,
        results: [],
      },
    ];
    for (const target of targets) await checkSessionRead(target);

    for (let round = 0; round < ROUNDS; round++) {
      for (const target of targets) {
        await runLoad({ ...target, connections: CONNECTIONS, durationMs: WARMUP_MS });
        const cpuBefore = treeCpuMs(target.pid);
        const result = await runLoad({
          ...target,
          connections: CONNECTIONS,
          durationMs: MEASURE_MS,
        });
        const cpuMicrosPerRequest = ((treeCpuMs(target.pid) - cpuBefore) * 1000) / result.requests;
        target.results.push({ ...result, cpuMicrosPerRequest });
      }
    }
    printTable(targets);
  } finally {
    await Promise.all(servers.map(stop));
    await rm(dataDir, { recursive: true, force: true });
  }
});

function printTable(targets: Target[]): void {
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
  const rate = (target: Target) => median(target.results.map((result) => result.requestsPerSecond));
  const cpu = (target: Target) =>
    median(target.results.map((result) => result.cpuMicrosPerRequest));
  const flaskRate = rate(targets[0]!);
  const flaskCpu = cpu(targets[0]!);
  const rows = targets.map((target) => {
    const rates = target.results.map((result) => result.requestsPerSecond);
    const errors = target.results.reduce((sum, result) => sum + result.errors, 0);
    return [
      target.name,
      Math.round(rate(target)).toLocaleString('en'),
      `${Math.round(Math.min(...rates)).toLocaleString('en')}–${Math.round(Math.max(...rates)).toLocaleString('en')}`,
      median(target.results.map((result) => result.p99Ms)).toFixed(1),
      `${(rate(target) / flaskRate).toFixed(2)}×`,
      Math.round(cpu(target)).toLocaleString('en'),
      `${(flaskCpu / cpu(target)).toFixed(2)}×`,
      String(errors),
    ];
  });
  console.log(
    `${ROUNDS} rounds, alternating; each server ${MEASURE_MS / 1000} s per round after ` +
      `${WARMUP_MS / 1000} s of warm-up, ${CONNECTIONS} connections, client on the same cores.\n` +
      "Server CPU µs/req: user + system time of all the server's processes per answered request " +
      '(from /proc); "vs Flask by CPU" is how many requests it answers for one of Flask\'s CPU cost.',
  );
  console.log(
    table(
      [
        'Server',
        'req/s (median)',
        'req/s (range)',
        'p99 ms',
        'vs Flask',
        'server CPU µs/req',
        'vs Flask by CPU',
        'errors',
      ],
      rows,
      new Set([1, 2, 3, 4, 5, 6, 7]),
    ),
  );
}

/** A session with a counter in it, made by the server's own POST, as the cookie to send. */
async function sessionCookie(url: string): Promise<string> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: new URL(url).origin },
    body: 'action=increment',
  });
  if (!response.ok) throw new Error(`POST ${url}: ${response.status} ${await response.text()}`);
  const cookies = response.headers.getSetCookie().map((line) => line.split(';', 1)[0]!);
  if (cookies.length === 0) throw new Error(`POST ${url} set no cookie`);
  return cookies.join('; ');
}

/** Each server must really read the session the cookie carries, or the rows compare nothing. */
async function checkSessionRead(target: Target): Promise<void> {
  if (!target.headers) return;
  const response = await fetch(target.url, { headers: target.headers });
  const body = (await response.json()) as { status?: string; data?: { counter?: number } };
  if (body.status !== 'ok' || body.data?.counter !== 1) {
    throw new Error(`${target.name} did not read the session: ${JSON.stringify(body)}`);
  }
}

function bareServer(port: number): string {
  return `
    const body = JSON.stringify({ status: 'ok', data: { counter: 1 } });
    require('node:http')
      .createServer((request, response) => {
        response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length });
        response.end(body);
      })
      .listen(${port}, '127.0.0.1');
    process.on('SIGTERM', () => process.exit(0));
  `;
}

function start(command: string, args: string[], env: Record<string, string> = {}): ChildProcess {
  const child = spawn(command, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  child.once('error', (error) => console.error(`${command}: ${error.message}`));
  return child;
}

async function waitForServer(url: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      await fetch(url, { signal: AbortSignal.timeout(1_000) });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error(`${url} did not answer within 30 s`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
  await exited;
  clearTimeout(timer);
}

function freePort(): Promise<number> {
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
