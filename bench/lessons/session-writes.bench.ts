/**
 * What writing one 3.9 KB session costs the server: an atomic file replace as the filesystem
 * store does it (temporary file, then rename, no fsync) and a one-row UPDATE in SQLite (WAL,
 * synchronous NORMAL), the figures the filesystem and SQLite lessons quote.
 *
 * Run: npm run bench -- bench/lessons/session-writes.bench.ts
 */
import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'vitest';
import { parseSessionToken } from '../../src/sessions/lucia-token';
import { CHANGED_KEY } from '../lib/sessions';
import {
  LESSON_SESSION_BYTES,
  lessonSession,
  scratchDirectory,
  sessionTable,
  writeSessionFile,
} from './fixtures';
import { printMachine } from './machine';
import { runsTable, timeRuns, type Runs } from './timing';

const RUNS = 5;
const plan = { warmup: 500, iterations: 5_000, runs: RUNS };
const STORED_SESSIONS = 10_000;

test('session writes', async () => {
  printMachine('Writing one session of 3.9 KB of JSON: atomic file replace and SQLite UPDATE');
  const session = lessonSession();
  const directory = scratchDirectory();
  const rows: { name: string; result: Runs }[] = [];
  let visits = 0;
  const changed = () => JSON.stringify({ ...session, [CHANGED_KEY]: ++visits });

  // As src/sessions/stores/filesystem.ts writes: a fresh temporary name, 'wx', 0600, rename.
  const file = writeSessionFile(directory, session);
  rows.push({
    name: 'file: write temporary file + rename (no fsync)',
    result: await timeRuns(async () => {
      const temp = path.join(directory, `.tmp-${randomBytes(8).toString('hex')}`);
      await writeFile(temp, changed(), { mode: 0o600, flag: 'wx' });
      await rename(temp, file);
    }, plan),
  });

  const { db, tokens } = sessionTable(directory, session, STORED_SESSIONS);
  const update = db.prepare('UPDATE demo_session SET data = ?, expires_at = ? WHERE id = ?');
  let pick = 0;
  rows.push({
    name: 'SQLite UPDATE of one row (WAL, synchronous NORMAL)',
    result: await timeRuns(() => {
      const { id } = parseSessionToken(tokens[pick++ % tokens.length])!;
      const result = update.run(changed(), Date.now() + 86_400_000, id);
      if (result.changes !== 1) throw new Error('no row updated');
    }, plan),
  });

  db.close();
  await rm(directory, { recursive: true, force: true });
  console.log(
    `Session: ${LESSON_SESSION_BYTES} B of JSON; each write changes one key. Files on ${directory.split(path.sep).slice(0, 2).join(path.sep) || '/'} (os.tmpdir()).`,
  );
  console.log(
    `Runs: ${RUNS}, each ${plan.iterations} writes after ${plan.warmup} untimed warm-up writes.\n`,
  );
  console.log(runsTable(rows));
});
