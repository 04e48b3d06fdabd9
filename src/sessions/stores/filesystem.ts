/**
 * One file per session on the server's disk, as Flask-Session's filesystem backend keeps them:
 * the browser holds only a random id. Sessions survive a restart, but each instance has its own
 * directory, as separate servers or serverless functions have their own disks.
 *
 * File names are the SHA-256 of the id, in hex (as cachelib names its files by a hash of the key):
 * nothing from the cookie reaches a path, a directory listing or a backup does not reveal live ids,
 * and names cannot collide on case-insensitive filesystems, where two base64url ids could.
 *
 * Writes are atomic: a temporary file in the same directory, then `rename`, so a reader sees the
 * old session or the new one, never half of one.
 *
 * Bounded: per directory at most `maxFiles` sessions and `maxTotalBytes` of files. The directory is
 * scanned once, when this process first writes to it or finds a session in it; after that the
 * count and bytes are running totals in memory, kept exact by this process's own writes and
 * deletes. That costs no I/O per request (statting 10 000 files would) and is exact as long as one
 * process owns the directory, which is the design: one directory per instance. A full directory is
 * swept of expired files first (at most once a minute, so a visitor who keeps it full cannot make
 * every request read every file); if it is still full, the save is refused with StoreFullError.
 *
 * Concurrency: `load` reads the file and `save` replaces it whole, so overlapping requests lose
 * updates: 20 load + increment + save sequences fired together at one session all read the old
 * file (their reads are queued before any write), and the counter ends at 1, not 20 (last rename
 * wins; measured in tests/unit/filesystem-store.test.ts). The atomic rename means no request ever
 * reads a torn file, only a stale one.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { storeTitles } from '../catalog';
import { StoreFullError } from '../types';
import { assertSessionFits, defaultMaxSessionBytes } from '../limits';
import {
  clearSessionId,
  newSessionId,
  readSessionId,
  writeSessionId,
  type SessionIdCookie,
} from '../server-session-id';
import type {
  DemoContext,
  Loaded,
  ServerView,
  SessionData,
  SessionStore,
  StoreInfo,
} from '../types';

export interface FilesystemStoreOptions {
  secure: boolean;
  /** Idle lifetime; every save starts it again (sliding). 24 hours unless set. */
  ttlSeconds?: number;
  /** Session files one directory holds before saves of new sessions are refused. 10 000 unless set. */
  maxFiles?: number;
  /** Bytes of session files one directory holds before saves are refused. 64 MiB unless set. */
  maxTotalBytes?: number;
  /** Largest session accepted, in bytes of serialized JSON. 64 KiB unless set. */
  maxSessionBytes?: number;
  cookieName?: string;
  /**
   * What the panel's locations are relative to (DATA_DIR). Unless set, the grandparent of each
   * instance directory, which is DATA_DIR in the instance simulator's `DATA_DIR/instances/<id>`.
   */
  dataDir?: string;
}

const defaultTtlSeconds = 24 * 60 * 60;
const defaultMaxFiles = 10_000;
const defaultMaxTotalBytes = 64 * 1024 * 1024;
const defaultCookieName = 'fs_sid';
/** A temporary file older than this was left by a crashed write; a live write takes milliseconds. */
const staleTempMs = 60_000;
const fullSweepIntervalMs = 60_000;
const sessionSuffix = '.json';
const tempSuffix = '.tmp';
const unreadable = 'the session file was unreadable';

interface SessionFile {
  expiresAt: number;
  data: SessionData;
}

/** The running totals of one directory: every session file's size, by file name. */
interface DirectoryTotals {
  files: Map<string, number>;
  bytes: number;
}

type FileRead =
  | { kind: 'missing' }
  | { kind: 'unreadable' }
  | { kind: 'session'; file: SessionFile; bytes: number };

function fileNameOf(id: string): string {
  return createHash('sha256').update(id).digest('hex') + sessionSuffix;
}

/** Defence in depth: the name is a hash, but no path outside the directory is ever used. */
function pathInside(directory: string, fileName: string): string {
  const root = path.resolve(directory);
  const resolved = path.resolve(root, fileName);
  if (path.dirname(resolved) !== root) {
    throw new Error(`refusing a session path outside ${root}`);
  }
  return resolved;
}

function isErrorCode(error: unknown, code: string): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === code;
}

function parseSessionFile(text: string): SessionFile | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { expiresAt, data } = parsed as Record<string, unknown>;
    if (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt)) return undefined;
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined;
    return { expiresAt, data: data as SessionData };
  } catch {
    return undefined;
  }
}

async function readSessionFile(file: string): Promise<FileRead> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (isErrorCode(error, 'ENOENT')) return { kind: 'missing' };
    throw error;
  }
  const parsed = parseSessionFile(text);
  return parsed
    ? { kind: 'session', file: parsed, bytes: Buffer.byteLength(text, 'utf8') }
    : { kind: 'unreadable' };
}

function isExpired(file: SessionFile, now: number): boolean {
  return now >= file.expiresAt;
}

/** The start of an id: enough to tell sessions apart in the panel, too little to steal one. */
function shortId(id: string): string {
  return `${id.slice(0, 8)}…`;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new Error(`the filesystem store's ${name} must be a positive whole number, got ${value}`);
  }
  return value;
}

function describeBytes(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes} bytes`;
}

export { StoreFullError };

export function createFilesystemStore(options: FilesystemStoreOptions): SessionStore {
  const ttlSeconds = positiveInteger('ttlSeconds', options.ttlSeconds ?? defaultTtlSeconds);
  const maxFiles = positiveInteger('maxFiles', options.maxFiles ?? defaultMaxFiles);
  const maxTotalBytes = positiveInteger(
    'maxTotalBytes',
    options.maxTotalBytes ?? defaultMaxTotalBytes,
  );
  const maxSessionBytes = positiveInteger(
    'maxSessionBytes',
    options.maxSessionBytes ?? defaultMaxSessionBytes,
  );
  const cookieName = options.cookieName ?? defaultCookieName;
  const cookie: SessionIdCookie = {
    name: cookieName,
    path: '/api/demo/filesystem',
    secure: options.secure,
    maxAgeSeconds: ttlSeconds,
  };
  const title = storeTitles.filesystem;

  /*
   * The directories this process has written to or found a session in, with their running totals
   * (a promise while the first scan runs, so concurrent first writes share one scan). `sweep(now)`
   * has no context, so this is also its list. A directory a sweep finds empty is removed and
   * forgotten, so "fresh" serverless instances do not pile up here.
   */
  const directories = new Map<string, Promise<DirectoryTotals>>();
  /** When a full directory was last swept by a save, by directory. */
  const fullSweeps = new Map<string, number>();

  function totalsOf(directory: string): Promise<DirectoryTotals> {
    const key = path.resolve(directory);
    let totals = directories.get(key);
    if (!totals) {
      totals = scanDirectory(key);
      directories.set(key, totals);
      // A failed scan (a permissions problem) is retried by the next write, not cached.
      totals.catch(() => directories.delete(key));
    }
    return totals;
  }

  async function scanDirectory(directory: string): Promise<DirectoryTotals> {
    await mkdir(directory, { recursive: true, mode: 0o700 });
    const totals: DirectoryTotals = { files: new Map(), bytes: 0 };
    for (const name of await readdir(directory)) {
      if (!name.endsWith(sessionSuffix)) continue;
      try {
        const { size } = await stat(path.join(directory, name));
        totals.files.set(name, size);
        totals.bytes += size;
      } catch (error) {
        if (!isErrorCode(error, 'ENOENT')) throw error;
      }
    }
    return totals;
  }

  /** Deletes a session file and keeps the totals right, if this process tracks the directory. */
  async function removeFile(directory: string, fileName: string): Promise<boolean> {
    let removed = true;
    try {
      await unlink(pathInside(directory, fileName));
    } catch (error) {
      if (!isErrorCode(error, 'ENOENT')) throw error;
      removed = false;
    }
    const totals = await directories.get(path.resolve(directory))?.catch(() => undefined);
    const bytes = totals?.files.get(fileName);
    if (totals && bytes !== undefined) {
      totals.files.delete(fileName);
      totals.bytes -= bytes;
    }
    return removed;
  }

  async function writeAtomically(directory: string, fileName: string, content: string) {
    const target = pathInside(directory, fileName);
    const temp = pathInside(
      directory,
      `${fileName.slice(0, -sessionSuffix.length)}.${randomBytes(6).toString('hex')}${tempSuffix}`,
    );
    try {
      try {
        await writeFile(temp, content, { mode: 0o600, flag: 'wx' });
      } catch (error) {
        // A sweep may have removed the directory when it was empty; make it again, once.
        if (!isErrorCode(error, 'ENOENT')) throw error;
        await mkdir(directory, { recursive: true, mode: 0o700 });
        await writeFile(temp, content, { mode: 0o600, flag: 'wx' });
      }
      await rename(temp, target);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
  }

  /** Deletes expired and unreadable sessions and stale temporary files in one directory. */
  async function sweepDirectory(directory: string, now: number): Promise<number> {
    let names: string[];
    try {
      names = await readdir(directory);
    } catch (error) {
      if (isErrorCode(error, 'ENOENT')) return 0;
      throw error;
    }
    let removed = 0;
    for (const name of names) {
      const file = pathInside(directory, name);
      if (name.endsWith(sessionSuffix)) {
        const read = await readSessionFile(file);
        const dead =
          read.kind === 'unreadable' || (read.kind === 'session' && isExpired(read.file, now));
        if (dead && (await removeFile(directory, name))) removed++;
      } else if (name.endsWith(tempSuffix)) {
        const stats = await stat(file).catch(() => undefined);
        if (stats && stats.mtimeMs < now - staleTempMs) await unlink(file).catch(() => undefined);
      }
    }
    return removed;
  }

  function sessionPath(ctx: DemoContext, id: string): string {
    return pathInside(ctx.instance.directory, fileNameOf(id));
  }

  /** The live session for this request's id, or why there is none; never issues anything. */
  async function lookup(
    ctx: DemoContext,
  ): Promise<
    | { kind: 'live'; id: string; file: SessionFile; bytes: number }
    | { kind: 'expired' | 'unreadable' | 'none'; reason?: string; expiresAt?: number }
  > {
    const raw = ctx.cookies.get(cookieName);
    if (raw === undefined || raw === '') return { kind: 'none' };
    const id = readSessionId(ctx.cookies, cookie);
    if (!id) return { kind: 'none', reason: 'the session id cookie was malformed and was ignored' };
    const read = await readSessionFile(sessionPath(ctx, id));
    // A directory with files in it, perhaps from before a restart, joins the sweep's list.
    if (read.kind !== 'missing') await totalsOf(ctx.instance.directory);
    if (read.kind === 'missing') {
      return {
        kind: 'none',
        reason:
          `instance ${ctx.instance.id} has no file for session ${shortId(id)}: it was never ` +
          'issued here, was deleted, or lives on another instance’s disk',
      };
    }
    if (read.kind === 'unreadable') {
      await removeFile(ctx.instance.directory, fileNameOf(id));
      return { kind: 'unreadable', reason: unreadable };
    }
    if (isExpired(read.file, ctx.now())) {
      await removeFile(ctx.instance.directory, fileNameOf(id));
      return { kind: 'expired', expiresAt: read.file.expiresAt };
    }
    return { kind: 'live', id, file: read.file, bytes: read.bytes };
  }

  function fullError(what: 'files' | 'bytes'): StoreFullError {
    return new StoreFullError(
      what === 'files'
        ? `the filesystem store is full (${maxFiles} sessions); try again later`
        : `the filesystem store is full (${describeBytes(maxTotalBytes)} of sessions); try again later`,
      what === 'files' ? maxFiles : maxTotalBytes,
    );
  }

  /** Counts the file against the directory's caps before it is written; undoes nothing itself. */
  function reserve(
    totals: DirectoryTotals,
    fileName: string,
    bytes: number,
  ): 'files' | 'bytes' | null {
    const previous = totals.files.get(fileName);
    if (previous === undefined && totals.files.size + 1 > maxFiles) return 'files';
    if (totals.bytes - (previous ?? 0) + bytes > maxTotalBytes) return 'bytes';
    totals.files.set(fileName, bytes);
    totals.bytes += bytes - (previous ?? 0);
    return null;
  }

  function locationOf(directory: string, fileName: string): string {
    const root = options.dataDir ?? path.dirname(path.dirname(path.resolve(directory)));
    return path.relative(root, path.join(path.resolve(directory), fileName));
  }

  const info: StoreInfo = {
    id: 'filesystem',
    title,
    where: 'server',
    summary:
      'One file per session on the server’s disk, as Flask-Session’s filesystem backend keeps them; the browser holds only a random id. Survives a restart, but not a move to another server.',
    facts: {
      sharedAcrossInstances: false,
      survivesRestart: true,
      revocable: true,
      readableByClient: false,
      // The id is random: a forged one misses, it cannot point at data of the forger's choosing.
      tamperEvident: true,
      sizeLimit: { bytes: maxSessionBytes, counts: 'serialized JSON of the session data' },
    },
  };

  return {
    info,

    async load(ctx: DemoContext): Promise<Loaded> {
      return ctx.timer.measure('store', 'file read', async () => {
        const found = await lookup(ctx);
        if (found.kind === 'live') return { status: 'ok', data: found.file.data };
        if (found.kind === 'expired') {
          return {
            status: 'expired',
            reason: `the session expired at ${new Date(found.expiresAt ?? 0).toISOString()}, ${ttlSeconds} s after its last save`,
            data: {},
          };
        }
        return found.reason
          ? { status: 'new', reason: found.reason, data: {} }
          : { status: 'new', data: {} };
      });
    },

    async save(ctx: DemoContext, data: SessionData): Promise<void> {
      const json = JSON.stringify(data);
      assertSessionFits(title, json, maxSessionBytes);
      await ctx.timer.measure('store', 'file write (temp file + rename)', async () => {
        const now = ctx.now();
        const found = await lookup(ctx);
        // Strict mode: only an id whose live file this instance holds is reused.
        const id = found.kind === 'live' ? found.id : newSessionId();
        const fileName = fileNameOf(id);
        const content = JSON.stringify({
          expiresAt: now + ttlSeconds * 1000,
          data,
        } satisfies SessionFile);
        const bytes = Buffer.byteLength(content, 'utf8');
        const directory = path.resolve(ctx.instance.directory);
        const totals = await totalsOf(directory);
        const previous = totals.files.get(fileName);
        const full = reserve(totals, fileName, bytes);
        if (full) {
          // Sweeping reads every file, so a visitor who keeps the directory full must not be
          // able to make every request pay for one: at most one sweep per directory a minute.
          const lastSweep = fullSweeps.get(directory) ?? -Infinity;
          if (now - lastSweep < fullSweepIntervalMs) throw fullError(full);
          fullSweeps.set(directory, now);
          await sweepDirectory(directory, now);
          const stillFull = reserve(totals, fileName, bytes);
          if (stillFull) throw fullError(stillFull);
        }
        try {
          await writeAtomically(directory, fileName, content);
        } catch (error) {
          // Give back what was reserved, unless a later save has reserved the file since.
          if (totals.files.get(fileName) === bytes) {
            totals.bytes -= bytes - (previous ?? 0);
            if (previous === undefined) totals.files.delete(fileName);
            else totals.files.set(fileName, previous);
          }
          throw error;
        }
        writeSessionId(ctx.cookies, cookie, id, now);
      });
    },

    async destroy(ctx: DemoContext): Promise<void> {
      await ctx.timer.measure('store', 'file delete', async () => {
        const id = readSessionId(ctx.cookies, cookie);
        if (id) await removeFile(ctx.instance.directory, fileNameOf(id));
        clearSessionId(ctx.cookies, cookie);
      });
    },

    async peek(ctx: DemoContext): Promise<ServerView | null> {
      const id = readSessionId(ctx.cookies, cookie);
      if (!id) return null;
      const read = await readSessionFile(sessionPath(ctx, id));
      if (read.kind !== 'session' || isExpired(read.file, ctx.now())) return null;
      return {
        key: shortId(id),
        bytes: read.bytes,
        expiresAt: read.file.expiresAt,
        location: locationOf(ctx.instance.directory, fileNameOf(id)),
      };
    },

    async sweep(now: number): Promise<number> {
      let removed = 0;
      for (const directory of [...directories.keys()]) {
        removed += await sweepDirectory(directory, now);
        const totals = await directories.get(directory)?.catch(() => undefined);
        if (totals && totals.files.size === 0) {
          // Only an empty directory goes; rmdir refuses one a write has just put a file in.
          const gone = await rmdir(directory).then(
            () => true,
            () => false,
          );
          if (gone) {
            directories.delete(directory);
            fullSweeps.delete(directory);
          }
        }
      }
      return removed;
    },
  };
}
