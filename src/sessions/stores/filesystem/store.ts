/** The filesystem store's load, save and directory bookkeeping; the kind's overview is in ./index.ts. */
import { rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import type { CookieJar } from '../../cookie-jar';
import type { RunningStore } from '../../store-kind';
import { positiveInteger } from '../common/store-options';
import { createFilesystemAdmin, filesystemRevokeCounts } from './admin';
import { inProcessLock } from '../common/in-process-lock';
import { SessionDirectories } from './directories';
import {
  fileNameOf,
  isExpired,
  maxEnvelopeBytes,
  pathInside,
  readSessionFile,
  unreadable,
  type SessionFile,
} from './session-file';
import { assertSessionFits, defaultMaxSessionBytes } from '../../limits';
import { sessionOwner } from '../../session-owner';
import { evictionReason, fairShare, sessionVisitor, type EvictionRecord } from '../../fair-share';
import { evictionRecord, type LedgerCaps, type LedgerEntry } from '../common/session-ledger';
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
/** A live session a request's load read, and the store's change count when it started reading. */
interface LoadedFile {
  id: string;
  file: SessionFile;
  bytes: number;
  changes: number;
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

  const directories = new SessionDirectories();
  const loadedInRequest = new WeakMap<CookieJar, LoadedFile>();

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
    const changes = directories.changes;
    const fileName = fileNameOf(id);
    const read = await readSessionFile(sessionPath(ctx, id));
    // A directory with files in it, perhaps from before a restart, joins the sweep's list.
    const state =
      read.kind === 'missing'
        ? await directories.known(ctx.instance.directory)
        : await directories.state(ctx.instance.directory);
    // Evicted, though the read may have come just before the file was unlinked.
    const record =
      state && !state.ledger.get(fileName) ? state.evicted.find(fileName, ctx.now()) : undefined;
    if (state && record) {
      if (read.kind !== 'missing')
        await directories.unlinkEvicted(state, ctx.instance.directory, fileName);
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
      await directories.removeFile(ctx.instance.directory, fileName);
      return { kind: 'unreadable', reason: unreadable };
    }
    if (isExpired(read.file, ctx.now())) {
      await directories.removeFile(ctx.instance.directory, fileName);
      return { kind: 'expired', expiresAt: read.file.expiresAt };
    }
    loadedInRequest.set(ctx.cookies, { id, file: read.file, bytes: read.bytes, changes });
    return { kind: 'live', id, file: read.file, bytes: read.bytes };
  }

  /** What this request's load read, while no session file has changed and it has not expired. */
  function unchangedSinceLoad(ctx: DemoContext): LoadedFile | undefined {
    const loaded = loadedInRequest.get(ctx.cookies);
    if (!loaded || loaded.changes !== directories.changes) return undefined;
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
    revokeCounts: filesystemRevokeCounts,
  };

  const store: SessionStore = {
    info,
    counterFixes: [inProcessLock(cookieName)],

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
        const state = await directories.state(directory);
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
          directories.changes++;
          await Promise.all(
            removals.map((gone) => directories.unlinkEvicted(state, directory, gone.key)),
          );
        }
        try {
          await directories.writeAtomically(directory, fileName, content);
        } catch (error) {
          // Give back what was counted, unless a later save has counted the file since.
          if (state.ledger.get(fileName) === entry) {
            state.ledger.remove(fileName);
            if (previous) state.ledger.put(fileName, previous);
          }
          throw error;
        }
        directories.changes++;
        writeSessionId(ctx.cookies, cookie, id, now, ctx.secure);
        const file: SessionFile = {
          expiresAt,
          ...(owner !== undefined && { owner }),
          ...(visitor !== undefined && { visitor }),
          data,
        };
        loadedInRequest.set(ctx.cookies, { id, file, bytes, changes: directories.changes });
      });
    },

    async destroy(ctx: DemoContext): Promise<void> {
      await ctx.timer.measure('store', 'file delete', async () => {
        const id = readSessionId(ctx.cookies, cookie);
        if (id) await directories.removeFile(ctx.instance.directory, fileNameOf(id));
        clearSessionId(ctx.cookies, cookie, ctx.secure);
      });
    },

    async peek(ctx: DemoContext): Promise<ServerView | null> {
      const id = readSessionId(ctx.cookies, cookie);
      if (!id) return null;
      const read = await readSessionFile(sessionPath(ctx, id));
      if (read.kind !== 'session' || isExpired(read.file, ctx.now())) return null;
      const owner = sessionOwner(ctx);
      const state = owner === null ? undefined : await directories.state(ctx.instance.directory);
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
        if (!directories.has(directory) && !(await directories.exists(directory))) return 0;
        const { ledger } = await directories.state(directory);
        const now = ctx.now();
        let revoked = 0;
        for (const fileName of ledger.ownedBy(owner)) {
          const expiresAt = ledger.get(fileName)?.expiresAt ?? 0;
          if ((await directories.removeFile(directory, fileName)) && now < expiresAt) revoked++;
        }
        return revoked;
      });
    },

    async releaseInstance(instance: Instance): Promise<void> {
      const directory = path.resolve(instance.directory);
      await directories.forget(directory);
      await rm(directory, { recursive: true, force: true });
    },

    async sweep(now: number): Promise<number> {
      let removed = 0;
      for (const directory of directories.paths()) {
        removed += await directories.sweepDirectory(directory, now);
        const state = await directories.known(directory);
        state?.evicted.purge(now);
        if (state && state.ledger.size === 0) {
          // Only an empty directory goes; rmdir refuses one a write has just put a file in.
          const gone = await rmdir(directory).then(
            () => true,
            () => false,
          );
          if (gone) await directories.forget(directory);
        }
      }
      return removed;
    },
  };
  return { ...store, admin: createFilesystemAdmin(store) };
}
