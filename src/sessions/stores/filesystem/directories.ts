/**
 * The directories the filesystem store keeps sessions in: what this process knows of each (a
 * ledger of its files, scanned once), and the file operations that keep that knowledge right —
 * atomic writes, deletions, evictions and the sweep of expired files.
 */
import { mkdir, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { EvictionLog } from '../../fair-share';
import { SessionLedger, type LedgerEntry } from '../common/session-ledger';
import {
  isErrorCode,
  isExpired,
  parseSessionFile,
  pathInside,
  readSessionFile,
  sessionSuffix,
  tempSuffix,
} from './session-file';

/** A temporary file older than this was left by a crashed write; a live write takes milliseconds. */
const staleTempMs = 60_000;

/** What this process knows of one directory: every session file, and what it evicted. */
export interface DirectoryState {
  /** By file name, oldest first. */
  ledger: SessionLedger<LedgerEntry>;
  /** By file name, itself a hash of the id. */
  evicted: EvictionLog;
}

export class SessionDirectories {
  /*
   * The directories this process has written to or found a session in, with their ledgers
   * (a promise while the first scan runs, so concurrent first writes share one scan). `sweep(now)`
   * has no context, so this is also its list. A directory a sweep finds empty is removed and
   * forgotten, so "fresh" serverless instances do not pile up here.
   */
  readonly #directories = new Map<string, Promise<DirectoryState>>();

  /**
   * Session files the store has renamed into place or deleted, counted after each one is done.
   * With `loadedInRequest`, it lets a save trust what the same request's load read (no second
   * read and parse) when no session file has changed since: one process owns the directory, so
   * the file is then exactly what load read. Any change, to any session, and save reads again.
   */
  changes = 0;

  /** A directory's state, scanning it first if this process does not know it yet. */
  state(directory: string): Promise<DirectoryState> {
    const key = path.resolve(directory);
    let state = this.#directories.get(key);
    if (!state) {
      state = this.#scan(key);
      this.#directories.set(key, state);
      // A failed scan (a permissions problem) is retried by the next write, not cached.
      state.catch(() => this.#directories.delete(key));
    }
    return state;
  }

  /** What this process knows of a directory, without scanning one it does not know yet. */
  known(directory: string): Promise<DirectoryState | undefined> {
    const state = this.#directories.get(path.resolve(directory));
    return state ? state.catch(() => undefined) : Promise.resolve(undefined);
  }

  async #scan(directory: string): Promise<DirectoryState> {
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

  async exists(directory: string): Promise<boolean> {
    try {
      await stat(directory);
      return true;
    } catch (error) {
      if (isErrorCode(error, 'ENOENT')) return false;
      throw error;
    }
  }

  /** Deletes a session file and keeps the ledger right, if this process tracks the directory. */
  async removeFile(directory: string, fileName: string): Promise<boolean> {
    let removed = true;
    try {
      await unlink(pathInside(directory, fileName));
    } catch (error) {
      if (!isErrorCode(error, 'ENOENT')) throw error;
      removed = false;
    }
    this.changes++;
    (await this.known(directory))?.ledger.remove(fileName);
    return removed;
  }

  /**
   * Deletes a file the ledger has already let go of (an eviction). A file that was gone already
   * (deleted behind the store's back, by the instructor's reset) was no one's session: its
   * eviction record goes too.
   */
  async unlinkEvicted(state: DirectoryState, directory: string, fileName: string) {
    try {
      await unlink(pathInside(directory, fileName));
    } catch (error) {
      if (!isErrorCode(error, 'ENOENT')) throw error;
      state.evicted.forget(fileName);
    }
  }

  // #region atomic-write
  async writeAtomically(directory: string, fileName: string, content: string) {
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
  async sweepDirectory(directory: string, now: number): Promise<number> {
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
        if (dead && (await this.removeFile(directory, name))) removed++;
      } else if (name.endsWith(tempSuffix)) {
        const stats = await stat(file).catch(() => undefined);
        if (stats && stats.mtimeMs < now - staleTempMs) await unlink(file).catch(() => undefined);
      }
    }
    return removed;
  }
  // #endregion sweep-directory

  /** The directories this process knows, for the sweep. */
  paths(): string[] {
    return [...this.#directories.keys()];
  }

  has(directory: string): boolean {
    return this.#directories.has(path.resolve(directory));
  }

  /** Forgets a directory, after its first scan (if running) has settled. */
  async forget(directory: string): Promise<void> {
    const key = path.resolve(directory);
    await this.#directories.get(key)?.catch(() => undefined);
    this.#directories.delete(key);
  }
}
