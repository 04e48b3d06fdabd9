/**
 * DATA_DIR and everything the site makes in it are private to the server's user whatever the
 * umask: run under 022, the common default that leaves new files readable by everyone.
 */
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CookieJar } from '../../src/sessions/cookie-jar';
import { InstanceSimulator } from '../../src/lab/instances';
import { Timer } from '../../src/sessions/timer';
import { createFilesystemStore } from '../../src/sessions/stores/filesystem/store';
import { loadConfig } from '../../src/server/platform/config';
import { securePrivateDirectory } from '../../src/server/platform/data-dir';
import { openDatabase } from '../../src/server/platform/database';

const modeOf = (target: string) => statSync(target).mode & 0o777;

let previousUmask: number;
let root: string;

beforeAll(() => {
  previousUmask = process.umask(0o022);
});
afterAll(() => {
  process.umask(previousUmask);
});
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'session-lab-data-dir-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('a new DATA_DIR under umask 022', () => {
  it('is 0700, with the secret, the database, its WAL and a demo session file 0600', async () => {
    const dataDir = path.join(root, 'data');
    const config = loadConfig({ DATA_DIR: dataDir });
    expect(securePrivateDirectory(config.dataDir)).toBeNull();
    const databaseFile = path.join(dataDir, 'session-lab.sqlite');
    const db = openDatabase(databaseFile);
    try {
      db.exec('CREATE TABLE probe (value TEXT); INSERT INTO probe VALUES (1)');
      const instance = new InstanceSimulator(dataDir).resolve('1');
      const store = createFilesystemStore({ secure: false, dataDir });
      await store.save(
        { cookies: new CookieJar(), instance, timer: new Timer(), now: Date.now, owner: null },
        { answer: 'private' },
      );

      expect(modeOf(dataDir)).toBe(0o700);
      expect(modeOf(path.join(dataDir, 'session-secret'))).toBe(0o600);
      for (const suffix of ['', '-wal', '-shm']) {
        expect(modeOf(databaseFile + suffix), `session-lab.sqlite${suffix}`).toBe(0o600);
      }
      expect(modeOf(path.join(dataDir, 'instances'))).toBe(0o700);
      expect(modeOf(instance.directory)).toBe(0o700);
      const files = readdirSync(instance.directory);
      expect(files).toHaveLength(1);
      expect(modeOf(path.join(instance.directory, files[0]!))).toBe(0o600);
    } finally {
      db.close();
    }
  });

  it('is made with its missing parents even when the secret comes from the environment', () => {
    const dataDir = path.join(root, 'a', 'b');
    const config = loadConfig({ DATA_DIR: dataDir, SESSION_SECRET: 'x'.repeat(32) });
    securePrivateDirectory(config.dataDir);
    expect(modeOf(dataDir)).toBe(0o700);
    expect(readdirSync(dataDir)).toEqual([]);
  });
});

describe('an existing DATA_DIR open to other users', () => {
  it('is tightened to 0700 with a line for the log, and its files to 0600', () => {
    const dataDir = path.join(root, 'data');
    mkdirSync(dataDir);
    chmodSync(dataDir, 0o755);
    const secretFile = path.join(dataDir, 'session-secret');
    writeFileSync(secretFile, 's'.repeat(43) + '\n', { mode: 0o644 });
    const databaseFile = path.join(dataDir, 'session-lab.sqlite');
    openDatabase(databaseFile).close();
    chmodSync(databaseFile, 0o644);

    const config = loadConfig({ DATA_DIR: dataDir });
    expect(config.sessionSecretSource).toBe('data-dir');
    expect(securePrivateDirectory(dataDir)).toMatch(
      /was open to other users \(mode 0755\); made it 0700/,
    );
    openDatabase(databaseFile).close();

    expect(modeOf(dataDir)).toBe(0o700);
    expect(modeOf(secretFile)).toBe(0o600);
    expect(modeOf(databaseFile)).toBe(0o600);
    // Already private: nothing to say the next time.
    expect(securePrivateDirectory(dataDir)).toBeNull();
  });
});
