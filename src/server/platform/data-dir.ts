/**
 * DATA_DIR holds learners' quiz answers, demo sessions and, unless SESSION_SECRET is set, the
 * secret that signs every cookie: nobody but the server's own user may read it. Directories are
 * 0700 and files 0600, set explicitly rather than left to the umask (a common 022 umask would make
 * them readable by every user on the machine). The systemd unit in docs/hosting.md does the same
 * with StateDirectoryMode; this makes `npm start` in a home directory just as private.
 */
import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';

export const privateDirectoryMode = 0o700;
export const privateFileMode = 0o600;

/** Permission bits a private file or directory must not have: any access by group or others. */
const openToOthers = 0o077;

function permissions(target: string): number | null {
  try {
    return statSync(target).mode & 0o777;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

function octal(mode: number): string {
  return mode.toString(8).padStart(4, '0');
}

/**
 * Makes DATA_DIR (and missing parents) 0700, and tightens an existing one that group or others
 * can enter. Returns a line for the start-up log when it changed or could not change something.
 */
export function securePrivateDirectory(directory: string): string | null {
  mkdirSync(directory, { recursive: true, mode: privateDirectoryMode });
  const mode = permissions(directory);
  if (mode === null || (mode & openToOthers) === 0) return null;
  try {
    chmodSync(directory, privateDirectoryMode);
  } catch (error) {
    return (
      `Session Lab: ${directory} is open to other users (mode ${octal(mode)}) and could not be ` +
      `made 0700 (${(error as Error).message}); the files in it are still 0600.`
    );
  }
  return `Session Lab: ${directory} was open to other users (mode ${octal(mode)}); made it 0700.`;
}

/** Creates a file 0600 if it is missing, so a library that opens it later keeps that mode. */
export function createPrivateFile(file: string): void {
  closeSync(openSync(file, 'a', privateFileMode));
  tightenFile(file);
}

/** Makes an existing file 0600 if group or others can read or write it; a missing one is fine. */
export function tightenFile(file: string): void {
  const mode = permissions(file);
  if (mode !== null && (mode & openToOthers) !== 0) chmodSync(file, privateFileMode);
}
