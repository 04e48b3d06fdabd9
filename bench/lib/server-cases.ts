/**
 * The five stores that keep the session on the server, each beside a raw read and write of the
 * same bytes in the same place: a Map (with the JSON.parse and JSON.stringify the memory store
 * cannot skip, since it keeps strings), a file in the same temporary directory, a table in the
 * same SQLite file (WAL), and the same Redis and Memcached servers through the same client
 * libraries.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Client } from 'memjs';
import { createClient } from 'redis';
import { newSessionId } from '../../src/sessions/server-session-id';
import { createFilesystemStore } from '../../src/sessions/stores/filesystem/store';
import { createMemcachedStore } from '../../src/sessions/stores/memcached/store';
import { createMemoryStore } from '../../src/sessions/stores/memory/store';
import { createRedisStore } from '../../src/sessions/stores/redis/store';
import { createSqliteStore } from '../../src/sessions/stores/sqlite/store';
import { testInstance } from '../../tests/support/simulated-browser';
import { keep, type BenchCase } from './bench-case';
import { driveStore } from './driver';
import { since } from './measure';

const ttlSeconds = 24 * 60 * 60;

const memory: BenchCase = {
  id: 'memory',
  network: false,
  async setup(session, { directory }, owner) {
    const store = createMemoryStore({ secure: false });
    const driver = await driveStore(store, testInstance('bench-memory', directory), session, owner);
    // The store keeps each session as its JSON string, not as the object: byte counts are exact
    // and no two requests share a mutable object. So the primitive parses and serializes too; a
    // bare Map get or set of a string would leave out work the store cannot skip.
    const sessions = new Map<string, string>();
    const id = newSessionId();
    sessions.set(id, JSON.stringify(session));
    return {
      driver,
      load: {
        name: 'Map get + JSON.parse',
        op: () => {
          const start = performance.now();
          keep(JSON.parse(sessions.get(id)!));
          return since(start);
        },
      },
      save: {
        name: 'JSON.stringify + Map set',
        op: () => {
          const start = performance.now();
          sessions.set(id, JSON.stringify(session));
          return since(start);
        },
      },
    };
  },
};

const filesystem: BenchCase = {
  id: 'filesystem',
  network: false,
  async setup(session, { directory }, owner) {
    const store = createFilesystemStore({ secure: false, dataDir: directory });
    const instance = testInstance('bench-fs', path.join(directory, 'instances', 'fs'));
    const driver = await driveStore(store, instance, session, owner);
    // Same disk, same kind of name, same bytes as the store's file.
    const primitiveDirectory = path.join(directory, 'primitive-files');
    await mkdir(primitiveDirectory, { recursive: true });
    const file = path.join(primitiveDirectory, `${randomBytes(32).toString('hex')}.json`);
    const temp = `${file.slice(0, -'.json'.length)}.tmp`;
    const content = JSON.stringify({ expiresAt: Date.now() + ttlSeconds * 1000, data: session });
    await writeFile(file, content, { mode: 0o600 });
    return {
      driver,
      load: {
        name: 'readFile (utf8)',
        op: async () => {
          const start = performance.now();
          keep(await readFile(file, 'utf8'));
          return since(start);
        },
      },
      save: {
        name: 'writeFile temp + rename',
        op: async () => {
          const start = performance.now();
          await writeFile(temp, content, { mode: 0o600 });
          await rename(temp, file);
          return since(start);
        },
      },
    };
  },
};

const sqlite: BenchCase = {
  id: 'sqlite',
  network: false,
  async setup(session, { db }, owner) {
    const store = createSqliteStore({ db, secure: false });
    const driver = await driveStore(
      store,
      testInstance('bench-sqlite', '/nonexistent'),
      session,
      owner,
    );
    // The demo_session table's shape, constraints and indexes, beside it in the same file.
    db.exec(`
      CREATE TABLE IF NOT EXISTS bench_session (
        id TEXT PRIMARY KEY,
        secret_hash BLOB NOT NULL CHECK (length(secret_hash) = 32),
        owner TEXT,
        data TEXT NOT NULL,
        bytes INTEGER NOT NULL CHECK (bytes >= 0),
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX IF NOT EXISTS bench_session_by_expiry ON bench_session (expires_at);
      CREATE INDEX IF NOT EXISTS bench_session_by_owner ON bench_session (owner)
        WHERE owner IS NOT NULL;`);
    const select = db.prepare<[string]>(
      `SELECT id, secret_hash, data, bytes, expires_at, last_seen_at
       FROM bench_session WHERE id = ?`,
    );
    const update = db.prepare<[string, number, number, number, string, number]>(
      `UPDATE bench_session SET data = ?, bytes = ?, expires_at = ?, last_seen_at = ?
       WHERE id = ? AND expires_at > ?`,
    );
    const id = randomBytes(20).toString('hex').slice(0, 32);
    const json = JSON.stringify(session);
    const bytes = Buffer.byteLength(json, 'utf8');
    const now = Date.now();
    const expiresAt = now + ttlSeconds * 1000;
    db.prepare(
      `INSERT INTO bench_session
         (id, secret_hash, owner, data, bytes, created_at, expires_at, last_seen_at)
       VALUES (?, ?, NULL, ?, ?, ?, ?, ?)`,
    ).run(id, randomBytes(32), json, bytes, now, expiresAt, now);
    return {
      driver,
      load: {
        name: 'prepared SELECT by primary key',
        op: () => {
          const start = performance.now();
          keep(select.get(id));
          return since(start);
        },
      },
      save: {
        name: 'prepared UPDATE by primary key',
        op: () => {
          // As the store's save between sliding renewals: the expiry is written back unchanged.
          const at = Date.now();
          const start = performance.now();
          update.run(json, bytes, expiresAt, at, id, at);
          return since(start);
        },
      },
      async teardown() {
        db.exec('DROP TABLE bench_session');
      },
    };
  },
};

const redis: BenchCase = {
  id: 'redis',
  network: true,
  async setup(session, { directory, redis: service }, owner) {
    if (!service) throw new Error('redis-server is not running');
    const store = createRedisStore({ url: service.url, secure: false });
    const driver = await driveStore(store, testInstance('bench-redis', directory), session, owner);
    // The store's own client settings, on a second connection to the same server.
    const client = createClient({
      url: service.url,
      disableOfflineQueue: true,
      maintNotifications: 'disabled',
    });
    client.on('error', () => {});
    await client.connect();
    const key = `bench:primitive:${newSessionId()}`;
    const json = JSON.stringify(session);
    const set = () => client.set(key, json, { expiration: { type: 'EX', value: ttlSeconds } });
    await set();
    return {
      driver,
      load: {
        name: 'redis GET',
        op: async () => {
          const start = performance.now();
          keep(await client.get(key));
          return since(start);
        },
      },
      save: {
        name: 'redis SET EX',
        op: async () => {
          const start = performance.now();
          keep(await set());
          return since(start);
        },
      },
      async teardown() {
        await store.close?.();
        client.destroy();
      },
    };
  },
};

const memcached: BenchCase = {
  id: 'memcached',
  network: true,
  async setup(session, { directory, memcached: service }, owner) {
    if (!service) throw new Error('memcached is not running');
    const store = createMemcachedStore({ servers: [service.address], secure: false });
    const driver = await driveStore(
      store,
      testInstance('bench-memcached', directory),
      session,
      owner,
    );
    // The store's own client settings, on a second connection to the same server.
    const client = Client.create(service.address, {
      retries: 1,
      failover: false,
      timeout: 0.5,
      conntimeout: 0.5,
      logger: { log: () => {} },
    });
    const key = `bench:primitive:${newSessionId()}`;
    // The store's item: the data inside an expiry envelope.
    const item = JSON.stringify({ expiresAt: Date.now() + ttlSeconds * 1000, data: session });
    const set = () => client.set(key, item, { expires: ttlSeconds });
    await set();
    return {
      driver,
      load: {
        name: 'memjs get',
        op: async () => {
          const start = performance.now();
          keep(await client.get(key));
          return since(start);
        },
      },
      save: {
        name: 'memjs set',
        op: async () => {
          const start = performance.now();
          keep(await set());
          return since(start);
        },
      },
      async teardown() {
        await store.close?.();
        client.close();
      },
    };
  },
};

export const serverCases: BenchCase[] = [memory, filesystem, sqlite, redis, memcached];
