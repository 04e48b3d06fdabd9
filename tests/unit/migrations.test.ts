import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, schemaVersion, type Database } from '../../src/server/platform/database';
import { migrations } from '../../src/server/platform/migrations';

const opened: Database[] = [];
const tempDirs: string[] = [];

function open(file: string, list = migrations): Database {
  const db = openDatabase(file, list);
  opened.push(db);
  return db;
}

function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'session-lab-db-'));
  tempDirs.push(dir);
  return join(dir, 'site.sqlite');
}

afterEach(() => {
  for (const db of opened.splice(0)) if (db.open) db.close();
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tableNames(db: Database): string[] {
  return (
    db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").all() as {
      name: string;
    }[]
  ).map((row) => row.name);
}

describe('database and migrations', () => {
  it('brings a fresh database to one version per migration', () => {
    const db = open(':memory:');
    expect(schemaVersion(db)).toBe(migrations.length);
    expect(tableNames(db)).toEqual([
      'classroom',
      'classroom_member',
      'demo_session',
      'demo_session_eviction',
      'instructor_session',
      'learner',
      'learner_session',
      'lesson_progress',
      'prediction',
      'quiz_attempt',
    ]);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
  });

  it('does not re-apply migrations when a file is reopened', () => {
    const file = tempFile();
    const first = open(file);
    first.prepare('INSERT INTO learner (id, created_at) VALUES (?, ?)').run('kept', 1);
    first.close();

    // Re-running the first migration would fail on "table learner already exists".
    const second = open(file);
    expect(schemaVersion(second)).toBe(migrations.length);
    expect(second.prepare('SELECT id FROM learner').pluck().all()).toEqual(['kept']);
  });

  it('applies only the migrations a database lacks', () => {
    const file = tempFile();
    open(file, migrations.slice(0, 1)).close();
    const upgraded = open(file);
    expect(schemaVersion(upgraded)).toBe(migrations.length);
    expect(tableNames(upgraded)).toContain('quiz_attempt');
  });

  it('gives existing learners the time of the latest trace they left as their last activity', () => {
    const file = tempFile();
    const before = open(file, migrations.slice(0, 4));
    const insert = (sql: string, ...values: unknown[]) => before.prepare(sql).run(...values);
    for (const id of ['idle', 'quizzed', 'visited', 'demo', 'joined']) {
      insert('INSERT INTO learner (id, created_at) VALUES (?, ?)', id, 1_000);
    }
    insert(
      `INSERT INTO learner_session (id, secret_hash, learner_id, created_at, expires_at, last_seen_at)
       VALUES ('s', zeroblob(32), 'quizzed', 1000, 9000, 2000)`,
    );
    insert(
      `INSERT INTO quiz_attempt (learner_id, quiz_id, score_percent, passed, answers_json, created_at)
       VALUES ('quizzed', 'q', 50, 0, '{}', 3000)`,
    );
    insert(
      `INSERT INTO lesson_progress (learner_id, lesson_id, first_visited_at, completed_at)
       VALUES ('visited', 'a', 4000, NULL), ('visited', 'b', 1500, 5000)`,
    );
    insert(
      `INSERT INTO demo_session (id, secret_hash, owner, data, bytes, created_at, expires_at, last_seen_at)
       VALUES ('d', zeroblob(32), 'demo', '{}', 2, 1000, 99000, 6000)`,
    );
    insert(`INSERT INTO classroom (id, code, name, created_at) VALUES ('c', 'ACDEFG', 'C', 1)`);
    insert(`INSERT INTO classroom_member VALUES ('c', 'joined', 7000)`);
    before.close();

    const after = open(file);
    const rows = after.prepare('SELECT id, last_active_at FROM learner ORDER BY id').all() as {
      id: string;
      last_active_at: number;
    }[];
    expect(Object.fromEntries(rows.map((row) => [row.id, row.last_active_at]))).toEqual({
      demo: 6000,
      idle: 1000,
      joined: 7000,
      quizzed: 3000,
      visited: 5000,
    });
  });

  it('rolls a failing migration back whole and keeps the last good version', () => {
    const file = tempFile();
    const broken = [
      ...migrations,
      {
        name: 'half broken',
        postgres: null,
        sqlite: 'CREATE TABLE half (id INTEGER); SELECT * FROM missing_table;',
      },
    ];
    expect(() => open(file, broken)).toThrow(
      new RegExp(`migration ${migrations.length + 1} \\("half broken"\\) failed`),
    );
    const db = open(file);
    expect(schemaVersion(db)).toBe(migrations.length);
    expect(tableNames(db)).not.toContain('half');
  });

  it('refuses a database newer than the code', () => {
    const file = tempFile();
    open(file).close();
    expect(() => open(file, migrations.slice(0, 1))).toThrow(/newer than this code knows/);
  });

  it('puts a file database in WAL mode with a busy timeout', () => {
    const db = open(tempFile());
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('busy_timeout', { simple: true })).toBeGreaterThan(0);
  });

  it('lets a second connection to the same file see the migrated schema', () => {
    const file = tempFile();
    const writer = open(file);
    const reader = open(file);
    writer.prepare('INSERT INTO learner (id, created_at) VALUES (?, ?)').run('shared', 1);
    expect(reader.prepare('SELECT count(*) FROM learner').pluck().get()).toBe(1);
  });
});
