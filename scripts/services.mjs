#!/usr/bin/env node
// `npm run services`: starts a local Redis (127.0.0.1:6379) and Memcached (127.0.0.1:11211) for
// the Redis and Memcached demos, prints the variables to export, and stops both on Ctrl-C.
// Nothing is persisted: Redis runs without RDB snapshots or AOF, as the lesson on restarts says.
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createConnection } from 'node:net';
import path from 'node:path';

const host = '127.0.0.1';
const startTimeoutMs = 10_000;
const stopTimeoutMs = 5_000;

const services = [
  {
    name: 'Redis',
    binary: 'redis-server',
    port: 6379,
    args: (port) => [
      '--port',
      String(port),
      '--bind',
      host,
      '--save',
      '',
      '--appendonly',
      'no',
      '--loglevel',
      'warning',
    ],
    probe: { send: 'PING\r\n', expect: '+PONG' },
    env: (port) => `REDIS_URL=redis://${host}:${port}`,
    install: [
      'Debian/Ubuntu: sudo apt-get install redis-server',
      'macOS (Homebrew): brew install redis',
      'or Docker: docker run --rm -p 6379:6379 redis:7',
    ],
  },
  {
    name: 'Memcached',
    binary: 'memcached',
    port: 11211,
    // memcached refuses to run as root unless told which user to be.
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
    env: (port) => `MEMCACHED_SERVERS=${host}:${port}`,
    install: [
      'Debian/Ubuntu: sudo apt-get install memcached',
      'macOS (Homebrew): brew install memcached',
      'or Docker: docker run --rm -p 11211:11211 memcached:1.6',
    ],
  },
];

function findBinary(name) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/** Connects, sends the probe and checks how the reply starts. */
function answers(port, probe) {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    let reply = '';
    const finish = (ok) => {
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

const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const running = [];
let stopping = false;

async function start(service) {
  if (await answers(service.port, service.probe)) {
    console.log(`• ${service.name} is already running at ${host}:${service.port}; using it.`);
    return true;
  }
  const binary = findBinary(service.binary);
  if (!binary) {
    console.log(`• ${service.name}: ${service.binary} is not installed. Install it with one of:`);
    for (const line of service.install) console.log(`    ${line}`);
    return false;
  }
  // Own process group: Ctrl-C reaches only this script, which then stops the servers in order.
  const child = spawn(binary, service.args(service.port), {
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: true,
  });
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  child.once('error', (error) => console.error(`• ${service.name}: ${error.message}`));

  const deadline = Date.now() + startTimeoutMs;
  let ready = false;
  while (!ready && Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) break;
    ready = await answers(service.port, service.probe);
    if (!ready) await delay(100);
  }
  if (!ready) {
    child.kill('SIGKILL');
    console.error(
      `• ${service.name} did not start on ${host}:${service.port} ` +
        '(is the port taken by something else?). See its output above.',
    );
    return false;
  }
  console.log(`• ${service.name} started at ${host}:${service.port} (pid ${child.pid}).`);
  running.push({ service, child, exited });
  exited.then(({ code, signal }) => {
    if (stopping) return;
    console.error(`• ${service.name} exited (${signal ?? `code ${code}`}).`);
    const index = running.findIndex((entry) => entry.child === child);
    if (index >= 0) running.splice(index, 1);
    if (running.length === 0) process.exit(1);
  });
  return true;
}

async function stopAll() {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping…');
  await Promise.all(
    running.map(async ({ service, child, exited }) => {
      const force = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(force);
      console.log(`• ${service.name} stopped.`);
    }),
  );
  process.exit(0);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, stopAll);
// If this script dies some other way, do not leave servers behind.
process.on('exit', () => {
  for (const { child } of running) child.kill('SIGKILL');
});

const available = [];
for (const service of services) {
  if (await start(service)) available.push(service);
}

if (available.length === 0) {
  console.log('\nNothing to run: install Redis or Memcached (see above) and try again.');
  process.exit(1);
}

console.log('\nIn the shell that runs the site, export:');
for (const service of available) console.log(`  export ${service.env(service.port)}`);
if (running.length > 0) {
  console.log('\nSessions live only as long as these servers (no persistence). Ctrl-C stops them.');
} else {
  console.log('\nThe servers above were already running; nothing to stop here.');
  process.exit(0);
}
