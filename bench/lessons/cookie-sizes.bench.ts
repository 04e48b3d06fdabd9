/**
 * Cookie sizes the lessons quote, from this site's own stores and codec: the name + value bytes
 * each store sets for `{ user_id: 42 }`, how large a Flask-format cookie grows from 3.9 KB of
 * session JSON, and how far zlib shrinks a repetitive cart. Sizes, not timings: they only change
 * when a store's format changes. Real Flask's figure comes from flask-cookie-size.py beside this.
 *
 * Run: npm run bench -- bench/lessons/cookie-sizes.bench.ts
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'vitest';
import { applyDemoAction } from '../../src/lab/demo-actions';
import { openDatabase } from '../../src/server/platform/database';
import { encodeFlaskSession } from '../../src/sessions/codecs/flask-session-cookie';
import { encodeTaggedJson } from '../../src/sessions/codecs/flask-tagged-json';
import { createEncryptedCookieStore } from '../../src/sessions/stores/encrypted-cookie/store';
import { createJwtStore } from '../../src/sessions/stores/jwt/store';
import { createMemoryStore } from '../../src/sessions/stores/memory/store';
import { createPlainCookieStore } from '../../src/sessions/stores/plain-cookie/store';
import { createSignedCookieStore } from '../../src/sessions/stores/signed-cookie/store';
import { createSqliteStore } from '../../src/sessions/stores/sqlite/store';
import type { SessionStore } from '../../src/sessions/types';
import { SimulatedBrowser, testInstance } from '../../tests/support/simulated-browser';
import { benchSecret } from '../lib/bench-case';
import { summarize } from '../lib/measure';
import { table } from '../lib/report';
import { LESSON_SESSION_BYTES, scratchDirectory } from './fixtures';
import { printMachine } from './machine';

const FLASK_RUNS = 500;
const CART_ITEMS = 200;

/** The one cookie a store sets when it saves `data`, as name + value bytes (no '='). */
async function cookieBytes(store: SessionStore, directory: string): Promise<[string, number]> {
  const browser = new SimulatedBrowser();
  const ctx = browser.request(testInstance('sizes', directory), () => Date.now());
  await store.save(ctx, { user_id: 42 });
  browser.receive(ctx);
  const [cookie, ...others] = [...browser.cookies];
  if (!cookie || others.length > 0) throw new Error('expected exactly one session cookie');
  const [name, value] = cookie;
  return [name, Buffer.byteLength(name + value)];
}

test('cookie sizes', async () => {
  printMachine("Cookie sizes from this site's stores and Flask-format codec");
  const directory = scratchDirectory();
  const db = openDatabase(path.join(directory, 'sizes.sqlite'));
  const stores: [string, SessionStore][] = [
    ['Plain JSON cookie', createPlainCookieStore({ secure: false })],
    ['Flask signed cookie', createSignedCookieStore({ secrets: [benchSecret], secure: false })],
    ['Encrypted cookie', createEncryptedCookieStore({ secrets: [benchSecret], secure: false })],
    ['JWT', createJwtStore({ secrets: [benchSecret], secure: false })],
    ['Server memory', createMemoryStore({ secure: false })],
    ['SQLite, id.secret', createSqliteStore({ db, secure: false })],
  ];
  const sizeRows: string[][] = [];
  for (const [label, store] of stores) {
    const [name, bytes] = await cookieBytes(store, directory);
    sizeRows.push([label, name, String(bytes)]);
  }
  console.log('\nName + value bytes of the cookie each store sets for { user_id: 42 }:\n');
  console.log(table(['Store', 'Cookie', 'Name + value bytes'], sizeRows, new Set([2])));

  const lengths: number[] = [];
  let compressed = 0;
  for (let run = 0; run < FLASK_RUNS; run++) {
    // What the cookie-size demo's "grow" button does: pad an empty session with random text.
    const grown = applyDemoAction({}, { action: 'grow', bytes: LESSON_SESSION_BYTES });
    const cookie = encodeFlaskSession(grown, benchSecret);
    if (cookie.startsWith('.')) compressed++;
    lengths.push(Buffer.byteLength(`session${cookie}`));
  }
  const spread = summarize(lengths);
  console.log(
    `\n${LESSON_SESSION_BYTES} B of session JSON padded by the demo's grow action, as a Flask-format cookie, ${FLASK_RUNS} sessions:`,
  );
  console.log(
    `name + value ${Math.min(...lengths)} to ${Math.max(...lengths)} B, median ${spread.median} B; zlib used in ${compressed} of ${FLASK_RUNS}`,
  );

  const cart = {
    cart: Array.from({ length: CART_ITEMS }, (_, n) => ({
      sku: `SKU-${String(n + 1).padStart(4, '0')}`,
      qty: 1,
    })),
  };
  const cartCookie = encodeFlaskSession(cart, benchSecret);
  console.log(
    `\nA cart of ${CART_ITEMS} nearly identical items: ${Buffer.byteLength(encodeTaggedJson(cart))} B of Flask's JSON, a cookie value of ${cartCookie.length} characters (zlib ${cartCookie.startsWith('.') ? 'used' : 'not used'}).`,
  );
  db.close();
  await rm(directory, { recursive: true, force: true });
});
