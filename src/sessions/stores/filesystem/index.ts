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
 * `../../fair-share.ts`). The directory is scanned once, when this process first writes to it or
 * finds a session in it, reading each file for its size, expiry, owner and address; after that a
 * ledger in memory (`../common/session-ledger.ts`) keeps them as running totals, oldest first, exact as long
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
 * reads a torn file, only a stale one. The race demo's fix is a mutex per session id in this
 * process (`../common/in-process-lock.ts`), which no other process would wait for.
 */
import { defineStoreKind, noSettings } from '../../store-kind';
import { createFilesystemStore, filesystemIdentity } from './store';

export const filesystemKind = defineStoreKind({
  ...filesystemIdentity,
  readSettings: noSettings,
  create: (site) =>
    createFilesystemStore({
      secure: site.secureCookies,
      dataDir: site.dataDir,
      maxSessionsPerVisitor: site.maxSessionsPerVisitor,
    }),
});
