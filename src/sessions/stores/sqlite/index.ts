/**
 * Server-side sessions in SQLite, the Lucia way (see `../../lucia-token.ts`): the cookie holds
 * `id.secret`, the `demo_session` table holds the id, the SHA-256 of the secret and the data. The
 * site's learner sessions use the same token code, so the demo shows how the site itself works.
 *
 * Strict mode (OWASP): an id is used only after its secret matched a row this store wrote, so a
 * planted or guessed cookie always ends in a brand-new session with a new id (no fixation). An
 * unknown id and a wrong secret get the same answer, after the same hash, so neither the response
 * nor its timing says whether an id exists.
 *
 * Concurrency: better-sqlite3 is synchronous, so each statement is atomic and no two run at once in
 * this process, but a request's load and save are separate steps with awaits between them. Twenty
 * overlapping load + increment + save sequences on one session all load the same counter and each
 * save writes back its own copy: the counter ends at 1, not 20 (last save wins; the test in
 * `tests/unit/sqlite-store.test.ts` shows it). The store takes no lock across a request, as
 * Flask-Session and express-session don't either; a counter that must not lose updates belongs in
 * one SQL statement (`UPDATE … SET data = json_set(…)`) or behind a version check, not in a
 * read-modify-write of the whole session; the race demo's fix does exactly that (`./increment.ts`).
 * Parallel first requests without a cookie likewise get one session each, and the browser keeps
 * whichever cookie arrives last. One race does not lose: a save whose session was revoked after its
 * load writes nothing, so a slow request cannot undo a logout.
 *
 * Owners: each row records the learner whose request saved it (`ctx.owner`), so `revokeAll` ends
 * every session of one learner, whichever instance or device made it: the table is shared. The
 * owner column needs no cap of its own: the rows are capped by `maxSessions`, and a partial index
 * finds one owner's rows without a scan.
 *
 * Fair share (see `../../fair-share.ts`): the table is shared by every visitor, so a new session
 * first evicts its learner's own least recently seen sessions past `maxSessionsPerOwner`, and its
 * address's past `maxSessionsPerVisitor` (the hashed address that started a row is its `visitor`);
 * then, if the table is at `maxSessions`, expired rows go and, if that is not enough, the rows
 * closest to expiry, which are the ones least recently extended (an active session is extended
 * once less than half its lifetime is left). All of it happens in the insert's IMMEDIATE
 * transaction, so two processes cannot both count the same free place. A newcomer is never
 * refused. An evicted row leaves its id, secret hash, cause and expiry in
 * `demo_session_eviction` (at most `maxEvictionRecords` rows), so the next load of that cookie,
 * and only with the right secret, answers `evicted` with the reason. The shares are counted when
 * a session starts: a row that later gains an owner does not evict anything.
 */
import { defineStoreKind, noSettings } from '../../store-kind';
import { createSqliteStore, sqliteIdentity } from './store';

export const sqliteKind = defineStoreKind({
  ...sqliteIdentity,
  readSettings: noSettings,
  create: (site) =>
    createSqliteStore({
      db: site.db,
      secure: site.secureCookies,
      maxSessionsPerVisitor: site.maxSessionsPerVisitor,
    }),
});
