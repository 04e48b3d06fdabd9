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
 * scanned once, when this process first writes to it or finds a session in it, reading each file
 * for its size and owner; after that the count, the bytes and the owner index are running totals
 * in memory, kept exact by this process's own writes and deletes. That costs no I/O per request
 * (statting 10 000 files would) and is exact as long as one process owns the directory, which is
 * the design: one directory per instance. A full directory is
 * swept of expired files first (at most once a minute, so a visitor who keeps it full cannot make
 * every request read every file); if it is still full, the save is refused with StoreFullError.
 *
 * Owners: a file records the learner who saved it (`ctx.owner`), and the owner index lets
 * `revokeAll` delete every session of one learner in this instance's directory. Only this one:
 * another instance's directory is another server's disk, which this process cannot reach. Real
 * multi-server apps need a store every server shares (SQLite, Redis …) to log out everywhere.
 *
 * Concurrency: `load` reads the file and `save` replaces it whole, so overlapping requests lose
 * updates: 20 load + increment + save sequences fired together at one session all read the old
 * file (their reads are queued before any write), and the counter ends at 1, not 20 (last rename
 * wins; measured in tests/unit/filesystem-store.test.ts). The atomic rename means no request ever
 * reads a torn file, only a stale one.
 */
import { hash, randomBytes } from 'node:crypto';
import {
  mkdir,
  readdir,
  readFile,
  rename,
  rm,
  rmdir,
  stat,
  unlink,
  writeFile,
} from 'node:fs/promises';
import path from 'node:path';
import type { CookieJar } from '../../lab/cookie-jar';
import { storeTitles } from '../catalog';
import { positiveInteger } from './store-options';
import { StoreFullError } from '../types';
import { assertSessionFits, defaultMaxSessionBytes } from '../limits';
import { maxIndexedSessionsPerOwner, maxOwnerLength, sessionOwner } from '../session-owner';
import {
  clearSessionId,
  newSessionId,
  readSessionId,
  shortenId,
  writeSessionId,
  type SessionIdCookie,
} from '../server-session-id';
import type {
  DemoContext,
  Instance,
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
  /** The learner the session belongs to; absent when no request named one. */
  owner?: string;
  data: SessionData;
}

/** The running totals of one directory: every session file's size, by file name. */
interface DirectoryTotals {
  files: Map<string, number>;
  bytes: number;
  /**
   * Session files by owner, least recently saved first, each with its expiry (so counting live
   * ones costs no I/O); at most `maxIndexedSessionsPerOwner` per owner.
   */
  owners: Map<string, Map<string, number>>;
  /** The owner of each indexed file, so a delete can find its index entry. */
  ownerOfFile: Map<string, string>;
}

type FileRead =
  | { kind: 'missing' }
  | { kind: 'unreadable' }
  | { kind: 'session'; file: SessionFile; bytes: number };

/** A live session a request's load read, and the store's change count when it started reading. */
interface LoadedFile {
  id: string;
  file: SessionFile;
  bytes: number;
  changes: number;
}

// #region file-name
function fileNameOf(id: string): string {
  return hash('sha256', id, 'hex') + sessionSuffix;
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
// #endregion file-name

function isErrorCode(error: unknown, code: string): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === code;
}

function parseSessionFile(text: string): SessionFile | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { expiresAt, owner, data } = parsed as Record<string, unknown>;
    if (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt)) return undefined;
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined;
    // An owner this store would not have written is ignored, not trusted.
    return typeof owner === 'string' && owner !== '' && owner.length <= maxOwnerLength
      ? { expiresAt, owner, data: data as SessionData }
      : { expiresAt, data: data as SessionData };
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

/** Records (or moves to the newest end) a file under its owner; null only drops the old entry. */
function indexOwner(
  totals: DirectoryTotals,
  fileName: string,
  owner: string | null,
  expiresAt: number,
): void {
  unindexOwner(totals, fileName);
  if (owner === null) return;
  let files = totals.owners.get(owner);
  if (!files) {
    files = new Map();
    totals.owners.set(owner, files);
  }
  files.set(fileName, expiresAt);
  totals.ownerOfFile.set(fileName, owner);
  for (const oldest of files.keys()) {
    if (files.size <= maxIndexedSessionsPerOwner) break;
    files.delete(oldest);
    totals.ownerOfFile.delete(oldest);
  }
}

function unindexOwner(totals: DirectoryTotals, fileName: string): void {
  const owner = totals.ownerOfFile.get(fileName);
  if (owner === undefined) return;
  totals.ownerOfFile.delete(fileName);
  const files = totals.owners.get(owner);
  files?.delete(fileName);
  if (files?.size === 0) totals.owners.delete(owner);
}

function liveFilesOf(totals: DirectoryTotals, owner: string, now: number): number {
  let live = 0;
  for (const expiresAt of totals.owners.get(owner)?.values() ?? []) if (now < expiresAt) live++;
  return live;
}

function describeBytes(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes} bytes`;
}

export { StoreFullError };

export function createFilesystemStore(options: FilesystemStoreOptions): SessionStore {
  const ttlSeconds = positiveInteger(
    'filesystem',
    'ttlSeconds',
    options.ttlSeconds ?? defaultTtlSeconds,
  );
  const maxFiles = positiveInteger('filesystem', 'maxFiles', options.maxFiles ?? defaultMaxFiles);
  const maxTotalBytes = positiveInteger(
    'filesystem',
    'maxTotalBytes',
    options.maxTotalBytes ?? defaultMaxTotalBytes,
  );
  const maxSessionBytes = positiveInteger(
    'filesystem',
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
  /**
   * Session files this store has renamed into place or deleted, counted after each one is done.
   * With `loadedInRequest`, it lets a save trust what the same request's load read (no second
   * read and parse) when no session file has changed since: one process owns the directory, so
   * the file is then exactly what load read. Any change, to any session, and save reads again.
   */
  let sessionFileChanges = 0;
  const loadedInRequest = new WeakMap<CookieJar, LoadedFile>();

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
    const totals: DirectoryTotals = {
      files: new Map(),
      bytes: 0,
      owners: new Map(),
      ownerOfFile: new Map(),
    };
    for (const name of await readdir(directory)) {
      if (!name.endsWith(sessionSuffix)) continue;
      let content: Buffer;
      try {
        content = await readFile(path.join(directory, name));
      } catch (error) {
        if (isErrorCode(error, 'ENOENT')) continue;
        throw error;
      }
      totals.files.set(name, content.byteLength);
      totals.bytes += content.byteLength;
      // Sessions from before a restart can be signed out too.
      const file = parseSessionFile(content.toString('utf8'));
      if (file?.owner !== undefined) indexOwner(totals, name, file.owner, file.expiresAt);
    }
    return totals;
  }

  async function directoryExists(directory: string): Promise<boolean> {
    try {
      await stat(directory);
      return true;
    } catch (error) {
      if (isErrorCode(error, 'ENOENT')) return false;
      throw error;
    }
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
    sessionFileChanges++;
    const totals = await directories.get(path.resolve(directory))?.catch(() => undefined);
    const bytes = totals?.files.get(fileName);
    if (totals && bytes !== undefined) {
      totals.files.delete(fileName);
      totals.bytes -= bytes;
    }
    if (totals) unindexOwner(totals, fileName);
    return removed;
  }

  // #region atomic-write
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
  // #endregion atomic-write

  // #region sweep-directory
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
  // #endregion sweep-directory

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
    const changes = sessionFileChanges;
    const read = await readSessionFile(sessionPath(ctx, id));
    // A directory with files in it, perhaps from before a restart, joins the sweep's list.
    if (read.kind !== 'missing') await totalsOf(ctx.instance.directory);
    if (read.kind === 'missing') {
      return {
        kind: 'none',
        reason:
          `instance ${ctx.instance.id} has no file for session ${shortenId(id)}: it was never ` +
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
    loadedInRequest.set(ctx.cookies, { id, file: read.file, bytes: read.bytes, changes });
    return { kind: 'live', id, file: read.file, bytes: read.bytes };
  }

  /** What this request's load read, while no session file has changed and it has not expired. */
  function unchangedSinceLoad(ctx: DemoContext): LoadedFile | undefined {
    const loaded = loadedInRequest.get(ctx.cookies);
    if (!loaded || loaded.changes !== sessionFileChanges) return undefined;
    if (readSessionId(ctx.cookies, cookie) !== loaded.id) return undefined;
    return isExpired(loaded.file, ctx.now()) ? undefined : loaded;
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
        const loaded = unchangedSinceLoad(ctx);
        const found = loaded ? ({ kind: 'live', ...loaded } as const) : await lookup(ctx);
        // Strict mode: only an id whose live file this instance holds is reused.
        const id = found.kind === 'live' ? found.id : newSessionId();
        const fileName = fileNameOf(id);
        const expiresAt = now + ttlSeconds * 1000;
        // A request without an owner leaves the session's owner as it was.
        const owner = sessionOwner(ctx) ?? (found.kind === 'live' ? found.file.owner : undefined);
        // JSON.stringify({ expiresAt, owner?, data }), reusing the data's JSON made above.
        const ownerMember = owner === undefined ? '' : `,"owner":${JSON.stringify(owner)}`;
        const content = `{"expiresAt":${JSON.stringify(expiresAt)}${ownerMember},"data":${json}}`;
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
        sessionFileChanges++;
        indexOwner(totals, fileName, owner ?? null, expiresAt);
        writeSessionId(ctx.cookies, cookie, id, now, ctx.secure);
        const file: SessionFile = { expiresAt, ...(owner !== undefined && { owner }), data };
        loadedInRequest.set(ctx.cookies, { id, file, bytes, changes: sessionFileChanges });
      });
    },

    async destroy(ctx: DemoContext): Promise<void> {
      await ctx.timer.measure('store', 'file delete', async () => {
        const id = readSessionId(ctx.cookies, cookie);
        if (id) await removeFile(ctx.instance.directory, fileNameOf(id));
        clearSessionId(ctx.cookies, cookie, ctx.secure);
      });
    },

    async peek(ctx: DemoContext): Promise<ServerView | null> {
      const id = readSessionId(ctx.cookies, cookie);
      if (!id) return null;
      const read = await readSessionFile(sessionPath(ctx, id));
      if (read.kind !== 'session' || isExpired(read.file, ctx.now())) return null;
      const owner = sessionOwner(ctx);
      const totals = owner === null ? undefined : await totalsOf(ctx.instance.directory);
      return {
        key: shortenId(id),
        bytes: read.bytes,
        expiresAt: read.file.expiresAt,
        location: locationOf(ctx.instance.directory, fileNameOf(id)),
        ...(owner !== null && totals && { ownerSessions: liveFilesOf(totals, owner, ctx.now()) }),
      };
    },

    async revokeAll(ctx: DemoContext): Promise<number> {
      const owner = sessionOwner(ctx);
      if (owner === null) return 0;
      // This instance's directory only: see the header comment.
      return ctx.timer.measure('store', 'file delete (every session of one owner)', async () => {
        const directory = path.resolve(ctx.instance.directory);
        // Not yet used by this process, it may still hold sessions from before a restart.
        if (!directories.has(directory) && !(await directoryExists(directory))) return 0;
        const totals = await totalsOf(directory);
        const now = ctx.now();
        let revoked = 0;
        for (const [fileName, expiresAt] of [...(totals.owners.get(owner) ?? [])]) {
          if ((await removeFile(directory, fileName)) && now < expiresAt) revoked++;
        }
        return revoked;
      });
    },

    async releaseInstance(instance: Instance): Promise<void> {
      const directory = path.resolve(instance.directory);
      await directories.get(directory)?.catch(() => undefined);
      directories.delete(directory);
      fullSweeps.delete(directory);
      await rm(directory, { recursive: true, force: true });
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
