#!/usr/bin/env node
// `npm run services`: starts a local Redis (127.0.0.1:6379), Memcached (127.0.0.1:11211) and a
// private PostgreSQL cluster (127.0.0.1:5432, or a free port if that one is taken) for the
// service demos, prints the variables to export, and stops them on Ctrl-C. Nothing is persisted:
// Redis runs without RDB snapshots or AOF, and the PostgreSQL cluster's directory is deleted.
// The services come from the launcher the tests use too (scripts/services/), which Node runs as
// TypeScript directly.
import {
  answers,
  host,
  missingService,
  portIsFree,
  specs,
  startMemcached,
  startPostgres,
  startRedis,
} from './services/index.ts';

const services = [
  {
    name: 'Redis',
    kind: 'redis',
    port: 6379,
    start: startRedis,
    env: (service) => `REDIS_URL=redis://${service.address}`,
    install: [
      'Debian/Ubuntu: sudo apt-get install redis-server',
      'macOS (Homebrew): brew install redis',
      'or Docker: docker run --rm -p 6379:6379 redis:7',
    ],
  },
  {
    name: 'Memcached',
    kind: 'memcached',
    port: 11211,
    start: startMemcached,
    env: (service) => `MEMCACHED_SERVERS=${service.address}`,
    install: [
      'Debian/Ubuntu: sudo apt-get install memcached',
      'macOS (Homebrew): brew install memcached',
      'or Docker: docker run --rm -p 11211:11211 memcached:1.6',
    ],
  },
  {
    name: 'PostgreSQL',
    kind: 'postgres',
    port: 5432,
    start: startPostgres,
    env: (service) => `DATABASE_URL=${service.url}`,
    install: [
      'Debian/Ubuntu: sudo apt-get install postgresql',
      'macOS (Homebrew): brew install postgresql',
    ],
  },
];

const running = [];
const exports = [];
let stopping = false;

async function start(service) {
  const probe = specs[service.kind]?.probe;
  if (probe && (await answers(service.port, probe))) {
    console.log(`• ${service.name} is already running at ${host}:${service.port}; using it.`);
    exports.push(service.env({ address: `${host}:${service.port}` }));
    return;
  }
  const missing = missingService(service.kind);
  if (missing) {
    console.log(`• ${service.name}: ${missing}. Install it with one of:`);
    for (const line of service.install) console.log(`    ${line}`);
    return;
  }
  // A PostgreSQL already on 5432 is someone else's, with its own users: run ours beside it.
  const port = (await portIsFree(service.port)) ? service.port : undefined;
  try {
    const started = await service.start(port);
    running.push({ service, started });
    exports.push(service.env(started));
    console.log(`• ${service.name} started at ${started.address}.`);
  } catch (error) {
    console.error(`• ${service.name} did not start: ${error.message}`);
  }
}

async function stopAll() {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping…');
  await Promise.all(
    running.map(async ({ service, started }) => {
      await (started.remove ?? started.stop)();
      console.log(`• ${service.name} stopped.`);
    }),
  );
  process.exit(0);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, stopAll);

for (const service of services) await start(service);

if (exports.length === 0) {
  console.log(
    '\nNothing to run: install Redis, Memcached or PostgreSQL (see above) and try again.',
  );
  process.exit(1);
}

console.log('\nIn the shell that runs the site, export:');
for (const line of exports) console.log(`  export ${line}`);
if (running.length > 0) {
  console.log('\nSessions live only as long as these servers (no persistence). Ctrl-C stops them.');
  // The launcher's children keep the event loop alive; PostgreSQL runs apart, so wait here.
  setInterval(() => {}, 1 << 30);
} else {
  console.log('\nThe servers above were already running; nothing to stop here.');
  process.exit(0);
}
