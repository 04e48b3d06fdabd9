/**
 * A private PostgreSQL cluster, for the tests and for `npm run services`: `initdb` makes it in a
 * temporary directory, `pg_ctl` runs it on a loopback port, listening on 127.0.0.1 only, and it is
 * stopped and its directory removed at the end (or when the launching process exits). A random
 * password guards TCP connections, so other users of the machine cannot use it.
 *
 * PostgreSQL refuses to run as root, so when the launcher is root the cluster belongs to the
 * `postgres` user (which the Debian package creates) and every command runs through
 * `runuser -u postgres --`. `fsync=off`: nothing here must survive a power cut, and tests run
 * faster; a crash of the server itself (`kill`) is still recovered from the write-ahead log.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, chownSync, constants, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, onExit } from './common.ts';
import type { RunningService } from './spawned.ts';

const host = '127.0.0.1';
const user = 'sessionlab';
const startTimeoutSeconds = 15;

export const postgresInstall = 'apt-get install postgresql (Homebrew: brew install postgresql)';

export interface RunningPostgres extends RunningService {
  /** As DATABASE_URL takes it: `postgres://sessionlab:<password>@127.0.0.1:<port>/postgres`. */
  readonly url: string;
  /** The cluster's directory, removed by `remove()`. */
  readonly directory: string;
  /** Stops the server and deletes its directory; the service cannot start again after. */
  remove(): Promise<void>;
}

/** The directory of `initdb` and `pg_ctl`: Debian's newest version, else the PATH. */
export function postgresBinaries(): string | null {
  const root = '/usr/lib/postgresql';
  let versions: string[] = [];
  try {
    versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  } catch {
    // not Debian's layout
  }
  const candidates = [
    ...versions.map((version) => path.join(root, version, 'bin')),
    ...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean),
  ];
  for (const dir of candidates) {
    try {
      accessSync(path.join(dir, 'initdb'), constants.X_OK);
      accessSync(path.join(dir, 'pg_ctl'), constants.X_OK);
      return dir;
    } catch {
      // not here
    }
  }
  return null;
}

/** As root, the `postgres` user's ids; otherwise null (run as ourselves). */
function clusterOwner(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new Error('running as root, PostgreSQL needs the postgres user: ' + postgresInstall);
  }
}

export async function startPostgres(fixedPort?: number): Promise<RunningPostgres> {
  const bin = postgresBinaries();
  if (!bin) throw new Error(`initdb and pg_ctl are not installed: ${postgresInstall}`);
  const owner = clusterOwner();
  const directory = mkdtempSync(path.join(tmpdir(), 'session-lab-postgres-'));
  const data = path.join(directory, 'data');
  const log = path.join(directory, 'server.log');
  const password = randomBytes(18).toString('base64url');
  if (owner) chownSync(directory, owner.uid, owner.gid);

  /** Runs a PostgreSQL program as the cluster's owner; throws with its output on failure. */
  const run = (program: string, args: string[]) => {
    const command = owner
      ? ['runuser', ['-u', 'postgres', '--', path.join(bin, program), ...args]]
      : [path.join(bin, program), args];
    const result = spawnSync(command[0] as string, command[1] as string[], {
      encoding: 'utf8',
      timeout: (startTimeoutSeconds + 5) * 1000,
    });
    if (result.status !== 0) {
      throw new Error(
        `${program} ${args[0] ?? ''} failed (${result.error?.message ?? `code ${result.status}`}):\n` +
          `${result.stdout}${result.stderr}`.trim().slice(-3000),
      );
    }
  };

  const passwordFile = path.join(directory, 'password');
  await writeFile(passwordFile, password, { mode: 0o600 });
  if (owner) chownSync(passwordFile, owner.uid, owner.gid);
  let removed = false;
  const cleanUp = () => {
    if (removed) return;
    removed = true;
    // Immediate: no checkpoint, as fast as a stop can be; the directory goes right after.
    spawnSync(
      owner ? 'runuser' : path.join(bin, 'pg_ctl'),
      [
        ...(owner ? ['-u', 'postgres', '--', path.join(bin, 'pg_ctl')] : []),
        '-D',
        data,
        '-m',
        'immediate',
        '-w',
        'stop',
      ],
      { stdio: 'ignore', timeout: 10_000 },
    );
    rmSync(directory, { recursive: true, force: true });
  };
  const forget = onExit(cleanUp);
  try {
    run('initdb', [
      '-D',
      data,
      '-U',
      user,
      `--pwfile=${passwordFile}`,
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
      '--no-instructions',
    ]);
  } catch (error) {
    forget();
    cleanUp();
    throw error;
  }
  rmSync(passwordFile, { force: true });

  const port = fixedPort ?? (await freePort());
  // pg_ctl hands these to the server through a shell: the paths come from mkdtemp, no spaces.
  const serverOptions = [
    `-p ${port}`,
    `-c listen_addresses=${host}`,
    `-c unix_socket_directories=${directory}`,
    '-c fsync=off',
    '-c full_page_writes=off',
  ].join(' ');
  let running = false;
  const pgCtl = (args: string[]) => run('pg_ctl', ['-D', data, ...args]);

  const service: RunningPostgres = {
    kind: 'postgres',
    host,
    port,
    address: `${host}:${port}`,
    url: `postgres://${user}:${password}@${host}:${port}/postgres`,
    directory,
    get running() {
      return running;
    },
    async start() {
      if (running) return;
      if (removed) throw new Error('this PostgreSQL cluster was removed');
      pgCtl(['-l', log, '-o', serverOptions, '-w', '-t', String(startTimeoutSeconds), 'start']);
      running = true;
    },
    async stop() {
      if (!running) return;
      running = false;
      pgCtl(['-m', 'fast', '-w', 'stop']);
    },
    async kill() {
      // What a crash leaves: no shutdown checkpoint, so the next start replays the WAL.
      if (!running) return;
      running = false;
      pgCtl(['-m', 'immediate', '-w', 'stop']);
    },
    async pause() {
      throw new Error('pausing PostgreSQL is not supported; use stop() or kill()');
    },
    resume() {},
    async remove() {
      forget();
      running = false;
      cleanUp();
    },
  };
  try {
    await service.start();
  } catch (error) {
    await service.remove();
    throw error;
  }
  return service;
}
