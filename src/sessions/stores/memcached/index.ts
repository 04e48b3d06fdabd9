/**
 * Server-side sessions in Memcached (memjs, binary protocol): the cookie carries only a random id;
 * the item under a prefixed key is `{ expiresAt, data }` as JSON, written with a TTL on every
 * save. Memcached cannot report an item's remaining TTL to this client, so `expiresAt` is stored
 * alongside the data for the panel and checked on load against the request's clock.
 *
 * Memcached is a cache, not a database: it may evict a session before its TTL when memory runs
 * short (LRU), everything is lost when it restarts, an item may be at most 1 MiB by default
 * (`-I`), and an expiry over 30 days is read as a Unix timestamp, so TTLs here stay below that.
 *
 * memjs connects lazily per server and reconnects on the next command after a failure. Retries
 * and failover are off and every command races a deadline, so a down server answers within the
 * timeout: `load` reports `unavailable` with how to fix it, writes throw `StoreUnavailableError`.
 *
 * Concurrency: overlapping requests on one session each GET the whole item, change it and SET it
 * back; the last SET wins and the others' updates are lost (20 concurrent increments from 0 end
 * at 1 in the integration test). memcached's CAS could detect it; session libraries do not. The
 * race demo's fix is an `add` lock per session (`./lock.ts`), which memjs can do without CAS.
 *
 * Owners: Memcached cannot list its keys, so "log out everywhere" cannot find an owner's sessions
 * by asking. Each owner (`ctx.owner`) has a generation number instead, `<prefix>owner-gen:<owner>`,
 * and a session saved for an owner carries the owner and the generation it was stamped with.
 * `revokeAll` increments the generation; `load` refuses a session whose generation is not the
 * owner's current one, wherever and whenever it was made. That is what signs sessions out. A
 * missing generation (evicted, or Memcached restarted) refuses every stamped session too, and is
 * re-created at a random value, so stamps from before can never match it again.
 *
 * For the count `revokeAll` returns, and to free the memory at once rather than at expiry, each
 * owner also has a list of the ids of sessions started for them, `<prefix>owner-ids:<owner>`, the
 * newest `maxIndexedSessionsPerOwner`. It is only an aid: read, changed and written back without
 * a lock, two sessions starting at the same moment can lose one entry, and an evicted list loses
 * them all; those sessions are still refused by the generation, just not counted or deleted early.
 * For the same reason the panel gets no `ownerSessions` from this store: a count would mean a GET
 * per listed id on every request, and could still be short.
 *
 * Fair share (see `../../fair-share.ts`): a new session also joins a list of its address,
 * `<prefix>visitor-ids:<hashed address>`. When the owner's or the address's list grows past its
 * share (`maxSessionsPerOwner`, `maxSessionsPerVisitor`), the store GETs the listed sessions, drops
 * the ones that are gone, and evicts the oldest live ones past the share, leaving
 * `<prefix>evicted:<hash of the id>` for their next load to report. Like the lists themselves this
 * is best effort, without a lock: two sessions starting at the same moment can both see room, so
 * a share can be passed by the few that raced, until the next new session trims it back. It costs
 * one GET per listed session, and only when a list is past its share. Memcached bounds its memory
 * itself (`-m`) by evicting least recently used items; those evictions it does not report.
 */
import {
  defineStoreKind,
  settingText,
  StoreSettingError,
  type Environment,
} from '../../store-kind';
import { createMemcachedStore, memcachedIdentity } from './store';

export interface MemcachedSettings {
  /** MEMCACHED_SERVERS as host:port entries; empty when unset. */
  servers: string[];
}

export function readMemcachedSettings(env: Environment): MemcachedSettings {
  const raw = settingText(env, 'MEMCACHED_SERVERS');
  if (raw === undefined) return { servers: [] };
  const servers = raw.split(',').map((server) => {
    const trimmed = server.trim();
    if (!/^[A-Za-z0-9.\-[\]:]+:\d{1,5}$/.test(trimmed)) {
      throw new StoreSettingError('MEMCACHED_SERVERS', `"${trimmed}" is not host:port`);
    }
    return trimmed;
  });
  return { servers };
}

export const memcachedKind = defineStoreKind({
  ...memcachedIdentity,
  readSettings: readMemcachedSettings,
  create: (site, settings: MemcachedSettings) =>
    createMemcachedStore({
      servers: settings.servers,
      secure: site.secureCookies,
      maxSessionsPerVisitor: site.maxSessionsPerVisitor,
    }),
});
