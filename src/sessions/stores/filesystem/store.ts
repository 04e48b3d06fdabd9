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
 * Bounded: per directory at most `maxFiles` sessions and `maxTotalBytes` of files, and at most
 * `maxSessionsPerOwner` live sessions per learner and `maxSessionsPerVisitor` per address (see
 * `../fair-share.ts`). The directory is scanned once, when this process first writes to it or
 * finds a session in it, reading each file for its size, expiry, owner and address; after that a
 * ledger in memory (`session-ledger.ts`) keeps them as running totals, oldest first, exact as long
 * as one process owns the directory, which is the design: one directory per instance. So deciding
 * what must go costs no I/O per request (statting 10 000 files would). A new session past a share
 * evicts that learner's or address's own oldest file; a directory at its cap drops expired files,
 * then the oldest (every save slides the expiry, so oldest saved is soonest to expire). A newcomer
 * is never refused, and the next load of an evicted session says why, from a bounded record of
 * evicted file names kept with the ledger.
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
import type { CookieJar } from '../../cookie-jar';
import type { RunningStore } from '../../store-kind';
import { positiveInteger } from '../common/store-options';
import { createFilesystemAdmin } from './admin';
import { assertSessionFits, defaultMaxSessionBytes } from '../../limits';
import { maxOwnerLength, sessionOwner } from '../../session-owner';
import {
  EvictionLog,
  evictionReason,
  fairShare,
  isVisitorKey,
  sessionVisitor,
  type EvictionRecord,
} from '../../fair-share';
import {
  evictionRecord,
  SessionLedger,
  type LedgerCaps,
  type LedgerEntry,
} from '../common/session-ledger';
import {
  clearSessionId,
  newSessionId,
  readSessionId,
  shortenId,
  writeSessionId,
  type SessionIdCookie,
} from '../../server-session-id';
import type {
  DemoContext,
  Instance,
  Loaded,
  ServerView,
  SessionData,
  SessionStore,
  StoreInfo,
} from '../../types';

/** Who this store is in the catalog: its id, its title, and where it keeps a session. */
export const filesystemIdentity = {
  id: 'filesystem',
  title: 'Filesystem',
  where: 'server',
} as const;

export interface FilesystemStoreOptions {
  secure: boolean;
  /** Idle lifetime; every save starts it again (sliding). 24 hours unless set. */
  ttlSeconds?: number;
  /** Session files one directory holds before the oldest is evicted. 10 000 unless set. */
  maxFiles?: number;
  /** Bytes of session files one directory holds before the oldest is evicted. 64 MiB unless set. */
  maxTotalBytes?: number;
  /** Largest session accepted, in bytes of serialized JSON. 64 KiB unless set. */
  maxSessionBytes?: number;
  /** Live sessions one learner keeps per directory before their oldest is evicted. 20 unless set. */
  maxSessionsPerOwner?: number;
  /** Live sessions one address keeps per directory before its oldest is evicted. 100 unless set. */
  maxSessionsPerVisitor?: number;
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
/**
 * What a file adds around the session's JSON: expiry, owner (up to 128 characters, 6 bytes each
 * when escaped) and address. A directory's byte cap must hold at least one largest session.
 */
const maxEnvelopeBytes = 1024;
const sessionSuffix = '.json';
const tempSuffix = '.tmp';
const unreadable = 'the session file was unreadable';

interface SessionFile {
  expiresAt: number;
  /** The learner the session belongs to; absent when no request named one. */
  owner?: string;
  /** The hashed address that started the session; absent when there was none. */
  visitor?: string;
  data: SessionData;
}

/** What this process knows of one directory: every session file, and what it evicted. */
interface DirectoryState {
  /** By file name, oldest first. */
  ledger: SessionLedger<LedgerEntry>;
  /** By file name, itself a hash of the id. */
  evicted: EvictionLog;
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
    const { expiresAt, owner, visitor, data } = parsed as Record<string, unknown>;
    if (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt)) return undefined;
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined;
    // An owner or address this store would not have written is ignored, not trusted.
    const ownerIsValid =
      typeof owner === 'string' && owner !== '' && owner.length <= maxOwnerLength;
    return {
      expiresAt,
      ...(ownerIsValid && { owner }),
      ...(isVisitorKey(visitor) && { visitor }),
      data: data as SessionData,
    };
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

export function createFilesystemStore(options: FilesystemStoreOptions): RunningStore {
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
  if (maxSessionBytes + maxEnvelopeBytes > maxTotalBytes) {
    throw new Error(
      `the filesystem store's maxTotalBytes must hold one largest session: at least ${maxSessionBytes + maxEnvelopeBytes}`,
    );
  }
  const caps: LedgerCaps = {
    maxSessions: maxFiles,
    maxTotalBytes,
    ...fairShare('filesystem', options),
  };
  const cookieName = options.cookieName ?? defaultCookieName;
  const cookie: SessionIdCookie = {
    name: cookieName,
    path: '/api/demo/filesystem',
    secure: options.secure,
    maxAgeSeconds: ttlSeconds,
  };
  const title = filesystemIdentity.title;

  /*
   * The directories this process has written to or found a session in, with their ledgers
   * (a promise while the first scan runs, so concurrent first writes share one scan). `sweep(now)`
   * has no context, so this is also its list. A directory a sweep finds empty is removed and
   * forgotten, so "fresh" serverless instances do not pile up here.
   */
  const directories = new Map<string, Promise<DirectoryState>>();
  /**
   * Session files this store has renamed into place or deleted, counted after each one is done.
   * With `loadedInRequest`, it lets a save trust what the same request's load read (no second
   * read and parse) when no session file has changed since: one process owns the directory, so
   * the file is then exactly what load read. Any change, to any session, and save reads again.
   */
  let sessionFileChanges = 0;
  const loadedInRequest = new WeakMap<CookieJar, LoadedFile>();

  /** A directory's state, scanning it first if this process does not know it yet. */
  function directoryState(directory: string): Promise<DirectoryState> {
    const key = path.resolve(directory);
    let state = directories.get(key);
    if (!state) {
      state = scanDirectory(key);
      directories.set(key, state);
      // A failed scan (a permissions problem) is retried by the next write, not cached.
      state.catch(() => directories.delete(key));
    }
    return state;
  }

  /** What this process knows of a directory, without scanning one it does not know yet. */
  function knownState(directory: string): Promise<DirectoryState | undefined> {
    const state = directories.get(path.resolve(directory));
    return state ? state.catch(() => undefined) : Promise.resolve(undefined);
  }

  async function scanDirectory(directory: string): Promise<DirectoryState> {
    await mkdir(directory, { recursive: true, mode: 0o700 });
    const found: [string, LedgerEntry][] = [];
    for (const name of await readdir(directory)) {
      if (!name.endsWith(sessionSuffix)) continue;
      let content: Buffer;
      try {
        content = await readFile(path.join(directory, name));
      } catch (error) {
        if (isErrorCode(error, 'ENOENT')) continue;
        throw error;
      }
      // Sessions from before a restart can be signed out and counted too. An unreadable file
      // counts as long expired, so it is the first to go.
      const file = parseSessionFile(content.toString('utf8'));
      found.push([
        name,
        {
          bytes: content.byteLength,
          expiresAt: file?.expiresAt ?? 0,
          owner: file?.owner ?? null,
          visitor: file?.visitor ?? null,
        },
      ]);
    }
    const state: DirectoryState = { ledger: new SessionLedger(), evicted: new EvictionLog() };
    // Oldest first, as the ledger keeps them: soonest to expire is least recently saved.
    found.sort(([, a], [, b]) => a.expiresAt - b.expiresAt);
    for (const [name, entry] of found) state.ledger.put(name, entry);
    return state;
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

  /** Deletes a session file and keeps the ledger right, if this process tracks the directory. */
  async function removeFile(directory: string, fileName: string): Promise<boolean> {
    let removed = true;
    try {
      await unlink(pathInside(directory, fileName));
    } catch (error) {
      if (!isErrorCode(error, 'ENOENT')) throw error;
      removed = false;
    }
    sessionFileChanges++;
    (await knownState(directory))?.ledger.remove(fileName);
    return removed;
  }

  /**
   * Deletes a file the ledger has already let go of (an eviction). A file that was gone already
   * (deleted behind the store's back, by the instructor's reset) was no one's session: its
   * eviction record goes too.
   */
  async function unlinkEvicted(state: DirectoryState, directory: string, fileName: string) {
    try {
      await unlink(pathInside(directory, fileName));
    } catch (error) {
      if (!isErrorCode(error, 'ENOENT')) throw error;
      state.evicted.forget(fileName);
    }
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
    | { kind: 'evicted'; record: EvictionRecord }
    | { kind: 'expired' | 'unreadable' | 'none'; reason?: string; expiresAt?: number }
  > {
    const raw = ctx.cookies.get(cookieName);
    if (raw === undefined || raw === '') return { kind: 'none' };
    const id = readSessionId(ctx.cookies, cookie);
    if (!id) return { kind: 'none', reason: 'the session id cookie was malformed and was ignored' };
    const changes = sessionFileChanges;
    const fileName = fileNameOf(id);
    const read = await readSessionFile(sessionPath(ctx, id));
    // A directory with files in it, perhaps from before a restart, joins the sweep's list.
    const state =
      read.kind === 'missing'
        ? await knownState(ctx.instance.directory)
        : await directoryState(ctx.instance.directory);
    // Evicted, though the read may have come just before the file was unlinked.
    const record =
      state && !state.ledger.get(fileName) ? state.evicted.find(fileName, ctx.now()) : undefined;
    if (state && record) {
      if (read.kind !== 'missing') await unlinkEvicted(state, ctx.instance.directory, fileName);
      return { kind: 'evicted', record };
    }
    if (read.kind === 'missing') {
      return {
        kind: 'none',
        reason:
          `instance ${ctx.instance.id} has no file for session ${shortenId(id)}: it was never ` +
          'issued here, was deleted, or lives on another instance’s disk',
      };
    }
    if (read.kind === 'unreadable') {
      await removeFile(ctx.instance.directory, fileName);
      return { kind: 'unreadable', reason: unreadable };
    }
    if (isExpired(read.file, ctx.now())) {
      await removeFile(ctx.instance.directory, fileName);
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

  const store: SessionStore = {
    info,

    async load(ctx: DemoContext): Promise<Loaded> {
      return ctx.timer.measure('store', 'file read', async () => {
        const found = await lookup(ctx);
        if (found.kind === 'live') return { status: 'ok', data: found.file.data };
        if (found.kind === 'evicted') {
          const place = `the session directory of instance ${ctx.instance.id}`;
          return { status: 'evicted', reason: evictionReason(found.record, place), data: {} };
        }
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
        const live = found.kind === 'live' ? found.file : undefined;
        // A request without an owner leaves the session's owner as it was.
        const owner = sessionOwner(ctx) ?? live?.owner;
        // A session counts against the address that started it.
        const visitor = live ? live.visitor : (sessionVisitor(ctx) ?? undefined);
        // JSON.stringify({ expiresAt, owner?, visitor?, data }), reusing the data's JSON above.
        const ownerMember = owner === undefined ? '' : `,"owner":${JSON.stringify(owner)}`;
        const visitorMember = visitor === undefined ? '' : `,"visitor":"${visitor}"`;
        const content = `{"expiresAt":${JSON.stringify(expiresAt)}${ownerMember}${visitorMember},"data":${json}}`;
        const bytes = Buffer.byteLength(content, 'utf8');
        const directory = path.resolve(ctx.instance.directory);
        const state = await directoryState(directory);
        const entry: LedgerEntry = {
          bytes,
          expiresAt,
          owner: owner ?? null,
          visitor: visitor ?? null,
        };
        // Counted before the write, so concurrent saves see each other's files.
        const previous = state.ledger.get(fileName);
        const removals = state.ledger.makeRoom(fileName, entry, caps, now);
        state.ledger.put(fileName, entry);
        for (const gone of removals) {
          const record = evictionRecord(caps, gone);
          if (record) state.evicted.record(gone.key, record);
        }
        if (removals.length > 0) {
          sessionFileChanges++;
          await Promise.all(removals.map((gone) => unlinkEvicted(state, directory, gone.key)));
        }
        try {
          await writeAtomically(directory, fileName, content);
        } catch (error) {
          // Give back what was counted, unless a later save has counted the file since.
          if (state.ledger.get(fileName) === entry) {
            state.ledger.remove(fileName);
            if (previous) state.ledger.put(fileName, previous);
          }
          throw error;
        }
        sessionFileChanges++;
        writeSessionId(ctx.cookies, cookie, id, now, ctx.secure);
        const file: SessionFile = {
          expiresAt,
          ...(owner !== undefined && { owner }),
          ...(visitor !== undefined && { visitor }),
          data,
        };
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
      const state = owner === null ? undefined : await directoryState(ctx.instance.directory);
      return {
        key: shortenId(id),
        bytes: read.bytes,
        expiresAt: read.file.expiresAt,
        location: locationOf(ctx.instance.directory, fileNameOf(id)),
        ...(owner !== null &&
          state && { ownerSessions: state.ledger.liveOwnedBy(owner, ctx.now()) }),
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
        const { ledger } = await directoryState(directory);
        const now = ctx.now();
        let revoked = 0;
        for (const fileName of ledger.ownedBy(owner)) {
          const expiresAt = ledger.get(fileName)?.expiresAt ?? 0;
          if ((await removeFile(directory, fileName)) && now < expiresAt) revoked++;
        }
        return revoked;
      });
    },

    async releaseInstance(instance: Instance): Promise<void> {
      const directory = path.resolve(instance.directory);
      await directories.get(directory)?.catch(() => undefined);
      directories.delete(directory);
      await rm(directory, { recursive: true, force: true });
    },

    async sweep(now: number): Promise<number> {
      let removed = 0;
      for (const directory of [...directories.keys()]) {
        removed += await sweepDirectory(directory, now);
        const state = await knownState(directory);
        state?.evicted.purge(now);
        if (state && state.ledger.size === 0) {
          // Only an empty directory goes; rmdir refuses one a write has just put a file in.
          const gone = await rmdir(directory).then(
            () => true,
            () => false,
          );
          if (gone) directories.delete(directory);
        }
      }
      return removed;
    },
  };
  return { ...store, admin: createFilesystemAdmin(store) };
}
