/**
 * One session file: how its name is made from the id, how it is read and parsed, and what an
 * unreadable or expired one is. The store decides what to do with them; nothing here keeps state.
 */
import { hash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isVisitorKey } from '../../fair-share';
import { maxOwnerLength } from '../../session-owner';
import type { SessionData } from '../../types';

/**
 * What a file adds around the session's JSON: expiry, owner (up to 128 characters, 6 bytes each
 * when escaped) and address. A directory's byte cap must hold at least one largest session.
 */
export const maxEnvelopeBytes = 1024;
export const sessionSuffix = '.json';
export const tempSuffix = '.tmp';
export const unreadable = 'the session file was unreadable';

export interface SessionFile {
  expiresAt: number;
  /** The learner the session belongs to; absent when no request named one. */
  owner?: string;
  /** The hashed address that started the session; absent when there was none. */
  visitor?: string;
  data: SessionData;
}

export type FileRead =
  | { kind: 'missing' }
  | { kind: 'unreadable' }
  | { kind: 'session'; file: SessionFile; bytes: number };

// #region file-name
export function fileNameOf(id: string): string {
  return hash('sha256', id, 'hex') + sessionSuffix;
}

/** Defence in depth: the name is a hash, but no path outside the directory is ever used. */
export function pathInside(directory: string, fileName: string): string {
  const root = path.resolve(directory);
  const resolved = path.resolve(root, fileName);
  if (path.dirname(resolved) !== root) {
    throw new Error(`refusing a session path outside ${root}`);
  }
  return resolved;
}
// #endregion file-name

export function isErrorCode(error: unknown, code: string): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === code;
}

export function parseSessionFile(text: string): SessionFile | undefined {
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

export async function readSessionFile(file: string): Promise<FileRead> {
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

export function isExpired(file: SessionFile, now: number): boolean {
  return now >= file.expiresAt;
}
