/**
 * The filesystem store seen from the instructor's side. Every instance has its own directory under
 * the same root, one-request ("fresh") instances included, so counting and emptying walk every
 * directory there. Owned sessions are emptied through the store's own `revokeAll`, which keeps its
 * running totals exact; files without an owner are unlinked (the store counts them until a restart).
 */
import { readdir, readFile, rmdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import { CookieJar } from '../../cookie-jar';
import type { AdminScope, StoreAdmin, StoreCount } from '../../store-kind';
import { Timer } from '../../timer';
import type { DemoContext, Instance, SessionStore } from '../../types';

/** Counting stops here; the figure is then marked as a lower bound. */
export const maxCountedFiles = 20_000;

const sessionSuffix = '.json';

interface FileFacts {
  name: string;
  owner: string | null;
  expiresAt: number | null;
  bytes: number;
}

/** The root the instances' directories live in, found from the long-lived ones. */
function instancesRoot(scope: AdminScope): string | null {
  const first = scope.instances[0];
  return first ? path.dirname(first.directory) : null;
}

async function instanceDirectories(root: string): Promise<string[]> {
  try {
    return (await readdir(root, { withFileTypes: true }))
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

async function sessionFiles(directory: string, limit = Infinity): Promise<FileFacts[]> {
  const files: FileFacts[] = [];
  for (const name of await readdir(directory).catch(() => [] as string[])) {
    if (!name.endsWith(sessionSuffix)) continue;
    if (files.length >= limit) break;
    const content = await readFile(path.join(directory, name)).catch(() => null);
    if (content === null) continue;
    files.push({ name, bytes: content.byteLength, ...factsOf(content.toString('utf8')) });
  }
  return files;
}

function factsOf(text: string): { owner: string | null; expiresAt: number | null } {
  try {
    const parsed = JSON.parse(text) as { owner?: unknown; expiresAt?: unknown };
    return {
      owner: typeof parsed.owner === 'string' && parsed.owner !== '' ? parsed.owner : null,
      expiresAt: typeof parsed.expiresAt === 'number' ? parsed.expiresAt : null,
    };
  } catch {
    return { owner: null, expiresAt: null };
  }
}

function contextFor(instance: Instance, owner: string, now: number): DemoContext {
  return { cookies: new CookieJar(), instance, timer: new Timer(), now: () => now, owner };
}

export function createFilesystemAdmin(store: Pick<SessionStore, 'revokeAll'>): StoreAdmin {
  return {
    async count(scope): Promise<StoreCount> {
      const root = instancesRoot(scope);
      if (root === null) return { sessions: 0, bytes: 0, note: null };
      const directories = await instanceDirectories(root);
      let sessions = 0;
      let bytes = 0;
      let read = 0;
      for (const name of directories) {
        const files = await sessionFiles(path.join(root, name), maxCountedFiles - read + 1);
        for (const file of files) {
          if (++read > maxCountedFiles) {
            return { sessions, bytes, note: `Stopped counting after ${maxCountedFiles} files.` };
          }
          if (file.expiresAt !== null && file.expiresAt > scope.now) {
            sessions++;
            bytes += file.bytes;
          }
        }
      }
      return {
        sessions,
        bytes,
        note:
          directories.length > 1 ? `Files in ${directories.length} instance directories.` : null,
      };
    },

    async empty(scope) {
      const root = instancesRoot(scope);
      const names = root === null ? [] : await instanceDirectories(root);
      const named = new Map(
        scope.instances.map((instance) => [path.resolve(instance.directory), instance]),
      );
      let deleted = 0;
      for (const name of names) {
        const directory = path.join(root!, name);
        const instance = named.get(path.resolve(directory)) ?? {
          id: name,
          memory: new Map<string, unknown>(),
          directory,
        };
        const before = await sessionFiles(directory);
        const owners = new Set(before.flatMap((file) => (file.owner === null ? [] : [file.owner])));
        for (const owner of owners) await store.revokeAll!(contextFor(instance, owner, scope.now));
        // What the owners' revocation did not reach: files without an owner, or beyond an index.
        for (const file of await sessionFiles(directory)) {
          await unlink(path.join(directory, file.name)).catch((error: NodeJS.ErrnoException) => {
            if (error.code !== 'ENOENT') throw error;
          });
        }
        deleted += before.length;
        // A one-request ("fresh") instance's directory has no further use; named ones stay.
        if (!named.has(path.resolve(directory))) await rmdir(directory).catch(() => undefined);
      }
      return {
        outcome: 'emptied',
        deleted,
        detail: `Deleted every session file in ${names.length} instance ${
          names.length === 1 ? 'directory' : 'directories'
        } under DATA_DIR/instances.`,
      };
    },
  };
}

/** What this store's "log out everywhere" count counts (shown beside the button). */
export const filesystemRevokeCounts =
  'Counts your live session files in this instance’s directory, deleted on the spot. Only this instance’s directory: another instance keeps its own.';
