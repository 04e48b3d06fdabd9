/**
 * What reading one 3.9 KB session costs the server, store by store: the figures the memory,
 * filesystem, SQLite and cookie-size lessons quote. Each row is the operation the lesson names,
 * nothing more (no HTTP, no cookie parsing), so the rows compare like with like.
 *
 * Run: npm run bench -- bench/lessons/session-reads.bench.ts
 */
import { readFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { test } from 'vitest';
import { createClient } from 'redis';
import {
  decodeFlaskSession,
  encodeFlaskSession,
} from '../../src/sessions/codecs/flask-session-cookie';
import { parseSessionToken, verifySecret } from '../../src/sessions/lucia-token';
import { newSessionId } from '../../src/sessions/server-session-id';
import { serviceSkipReason, startRedis } from '../../scripts/services/index.ts';
import { benchSecret } from '../lib/bench-case';
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
const inProcess = { warmup: 2_000, iterations: 20_000, runs: RUNS };
const network = { warmup: 500, iterations: 5_000, runs: RUNS };
/** Sessions already in each store, so a lookup searches a realistic index, not a single entry. */
const STORED_SESSIONS = 10_000;

test('session reads', async () => {
  printMachine('Reading one session of 3.9 KB of JSON: each lesson operation, timed alone');
  const session = lessonSession();
  const json = JSON.stringify(session);
  const directory = scratchDirectory();
  const rows: { name: string; result: Runs }[] = [];
  let pick = 0;

  // Memory store: a Map from id to the session's JSON, as src/sessions/stores/memory.ts keeps it.
  const map = new Map<string, string>();
  const ids: string[] = [];
  for (let i = 0; i < STORED_SESSIONS; i++) {
    const id = newSessionId();
    map.set(id, json);
    ids.push(id);
  }
  rows.push({
    name: 'Map.get + JSON.parse',
    result: await timeRuns(() => JSON.parse(map.get(ids[pick++ % ids.length]!)!), inProcess),
  });

  // Filesystem store: one file, read again and again, so it sits in the page cache.
  const file = writeSessionFile(directory, session);
  rows.push({
    name: 'file read + JSON.parse (readFileSync, cached)',
    result: await timeRuns(() => JSON.parse(readFileSync(file, 'utf8')), inProcess),
  });
  rows.push({
    name: 'file read + JSON.parse (await readFile, cached)',
    result: await timeRuns(async () => JSON.parse(await readFile(file, 'utf8')), inProcess),
  });

  // SQLite store: select by id, hash and compare the secret, parse (better-sqlite3, WAL).
  const { db, tokens } = sessionTable(directory, session, STORED_SESSIONS);
  const select = db.prepare<[string], { secret_hash: Uint8Array; data: string }>(
    'SELECT secret_hash, data FROM demo_session WHERE id = ?',
  );
  rows.push({
    name: 'SQLite select + SHA-256 compare + JSON.parse',
    result: await timeRuns(() => {
      const { id, secret } = parseSessionToken(tokens[pick++ % tokens.length])!;
      const row = select.get(id);
      if (!verifySecret(secret, row?.secret_hash ?? null)) throw new Error('secret mismatch');
      return JSON.parse(row!.data);
    }, inProcess),
  });

  // Signed cookies: this site's Flask-format codec, verify + (inflate) + parse.
  const largeCookie = encodeFlaskSession(session, benchSecret);
  const smallCookie = encodeFlaskSession({ user_id: 42 }, benchSecret);
  const decode = (cookie: string) => {
    const result = decodeFlaskSession(cookie, [benchSecret], { maxAgeSeconds: 86_400 });
    if (result.status !== 'ok') throw new Error(result.reason);
    return result.data;
  };
  rows.push({
    name: `Flask signed cookie, 3.9 KB (${largeCookie.length} B): verify + inflate + parse`,
    result: await timeRuns(() => decode(largeCookie), inProcess),
  });
  rows.push({
    name: `Flask signed cookie, {user_id: 42} (${smallCookie.length} B): verify + parse`,
    result: await timeRuns(() => decode(smallCookie), inProcess),
  });

  // Redis on this machine: GET over a local TCP connection + parse.
  const skip = serviceSkipReason('redis');
  if (skip) {
    console.log(`Redis row skipped: ${skip}`);
  } else {
    const redis = await startRedis();
    const client = createClient({ url: redis.url });
    await client.connect();
    const keys = ids.slice(0, 1_000).map((id) => `session:${id}`);
    for (const key of keys) await client.set(key, json, { EX: 3_600 });
    rows.push({
      name: 'Redis GET on 127.0.0.1 + JSON.parse',
      result: await timeRuns(
        async () => JSON.parse((await client.get(keys[pick++ % keys.length]!))!),
        network,
      ),
    });
    await client.quit();
    await redis.stop();
  }

  db.close();
  await rm(directory, { recursive: true, force: true });
  console.log(
    `Session: ${LESSON_SESSION_BYTES} B of JSON (random base64url text). ${STORED_SESSIONS} sessions stored in the Map and the table.`,
  );
  console.log(
    `Runs: ${RUNS}, each ${inProcess.iterations} reads (Redis ${network.iterations}) after ${inProcess.warmup} (${network.warmup}) untimed warm-up reads.\n`,
  );
  console.log(runsTable(rows));
});
