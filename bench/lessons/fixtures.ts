/**
 * The 3.9 KB session the lessons talk about, and the places it is kept: a file the way the
 * filesystem store writes one, and a SQLite table shaped like the SQLite store's, in WAL mode.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { generateSessionToken, hashSecret } from '../../src/sessions/lucia-token';
import type { SessionData } from '../../src/sessions/types';
import { makeSession } from '../lib/sessions';

/** Bytes of session JSON in the lessons' "3.9 KB session". */
export const LESSON_SESSION_BYTES = 3_900;

export function lessonSession(): SessionData {
  return makeSession(LESSON_SESSION_BYTES);
}

export function scratchDirectory(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'lesson-bench-'));
}

/** A session file as the filesystem store writes one: expiry, owner and data as JSON. */
export function writeSessionFile(directory: string, session: SessionData): string {
  const file = path.join(directory, `${randomBytes(32).toString('hex')}.json`);
  const content = JSON.stringify({
    expiresAt: Date.now() + 86_400_000,
    owner: null,
    data: session,
  });
  writeFileSync(file, content, { mode: 0o600 });
  return file;
}

export interface SessionTable {
  db: Database.Database;
  /** `id.secret` tokens of the rows, as cookies would carry them. */
  tokens: string[];
}

/** A WAL-mode SQLite file with `rows` sessions, each holding `session`. */
export function sessionTable(directory: string, session: SessionData, rows: number): SessionTable {
  const db = new Database(path.join(directory, 'sessions.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`CREATE TABLE demo_session (
    id TEXT PRIMARY KEY,
    secret_hash BLOB NOT NULL,
    data TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  ) STRICT`);
  const insert = db.prepare('INSERT INTO demo_session VALUES (?, ?, ?, ?)');
  const json = JSON.stringify(session);
  const tokens: string[] = [];
  db.transaction(() => {
    for (let i = 0; i < rows; i++) {
      const { id, secret, token } = generateSessionToken();
      insert.run(id, hashSecret(secret), json, Date.now() + 86_400_000);
      tokens.push(token);
    }
  })();
  return { db, tokens };
}
