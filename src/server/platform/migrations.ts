/**
 * The site's own schema, as an append-only list. `PRAGMA user_version` records how many entries a
 * database has applied, so a migration must never be edited or reordered once it has shipped: add a
 * new one instead.
 *
 * Times are integer milliseconds since the epoch, the unit `Date.now()` speaks, so no conversion
 * sits between the clock and the row. Tables are STRICT so a wrong type fails loudly on insert.
 */
export interface Migration {
  /** For error messages and the reader of this file; the order in the list is what counts. */
  readonly name: string;
  readonly sql: string;
}

export const migrations: readonly Migration[] = [
  {
    name: 'learners and their sessions',
    sql: `
      CREATE TABLE learner (
        id TEXT PRIMARY KEY,
        created_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE learner_session (
        id TEXT PRIMARY KEY,
        secret_hash BLOB NOT NULL,
        learner_id TEXT NOT NULL REFERENCES learner (id) ON DELETE CASCADE,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL
      ) STRICT;

      -- "list / revoke all sessions of a learner" and the periodic purge of expired rows.
      CREATE INDEX learner_session_by_learner ON learner_session (learner_id);
      CREATE INDEX learner_session_by_expiry ON learner_session (expires_at);
    `,
  },
  {
    name: 'quiz attempts and lesson progress',
    sql: `
      CREATE TABLE quiz_attempt (
        id INTEGER PRIMARY KEY,
        learner_id TEXT NOT NULL REFERENCES learner (id) ON DELETE CASCADE,
        quiz_id TEXT NOT NULL,
        score_percent INTEGER NOT NULL CHECK (score_percent BETWEEN 0 AND 100),
        passed INTEGER NOT NULL CHECK (passed IN (0, 1)),
        answers_json TEXT NOT NULL,
        created_at INTEGER NOT NULL
      ) STRICT;

      -- Progress is always read per learner, grouped by quiz.
      CREATE INDEX quiz_attempt_by_learner_quiz ON quiz_attempt (learner_id, quiz_id);

      CREATE TABLE lesson_progress (
        learner_id TEXT NOT NULL REFERENCES learner (id) ON DELETE CASCADE,
        lesson_id TEXT NOT NULL,
        first_visited_at INTEGER NOT NULL,
        completed_at INTEGER,
        PRIMARY KEY (learner_id, lesson_id)
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    name: 'sqlite demo sessions',
    sql: `
      -- The SQLite lesson's store, Lucia-style like learner_session: the cookie holds id.secret,
      -- only the SHA-256 of the secret is kept. owner is an opaque id of the browser that created
      -- the session (no foreign key: demo sessions exist without a learner), for "log out everywhere".
      CREATE TABLE demo_session (
        id TEXT PRIMARY KEY,
        secret_hash BLOB NOT NULL CHECK (length(secret_hash) = 32),
        owner TEXT,
        data TEXT NOT NULL,
        bytes INTEGER NOT NULL CHECK (bytes >= 0),
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL
      ) STRICT;

      CREATE INDEX demo_session_by_expiry ON demo_session (expires_at);
      -- Most demo sessions have no owner; a partial index keeps them out of it.
      CREATE INDEX demo_session_by_owner ON demo_session (owner) WHERE owner IS NOT NULL;
    `,
  },
  {
    name: 'instructor sessions and classes',
    sql: `
      -- The instructor's sign-in, Lucia-style like learner_session; there is one instructor (the
      -- INSTRUCTOR_TOKEN), so a session names no user.
      CREATE TABLE instructor_session (
        id TEXT PRIMARY KEY,
        secret_hash BLOB NOT NULL CHECK (length(secret_hash) = 32),
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL
      ) STRICT;

      CREATE INDEX instructor_session_by_expiry ON instructor_session (expires_at);

      -- A class learners join with a short code; its figures and exports read members' progress.
      CREATE TABLE classroom (
        id TEXT PRIMARY KEY,
        code TEXT NOT NULL UNIQUE CHECK (length(code) = 6),
        name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
        created_at INTEGER NOT NULL
      ) STRICT;

      -- Deleting a class or a learner (their "delete my data") removes the membership with it.
      CREATE TABLE classroom_member (
        classroom_id TEXT NOT NULL REFERENCES classroom (id) ON DELETE CASCADE,
        learner_id TEXT NOT NULL REFERENCES learner (id) ON DELETE CASCADE,
        joined_at INTEGER NOT NULL,
        PRIMARY KEY (classroom_id, learner_id)
      ) STRICT, WITHOUT ROWID;

      CREATE INDEX classroom_member_by_learner ON classroom_member (learner_id);
    `,
  },
  {
    name: 'learner activity',
    sql: `
      -- When the learner was last seen (moved at most once an hour), so learners nobody has used
      -- for 30 days can be purged with everything they own.
      ALTER TABLE learner ADD COLUMN last_active_at INTEGER NOT NULL DEFAULT 0;

      -- Existing learners: the latest trace they left anywhere, or their creation.
      UPDATE learner SET last_active_at = max(
        created_at,
        coalesce((SELECT max(last_seen_at) FROM learner_session WHERE learner_id = learner.id), 0),
        coalesce((SELECT max(created_at) FROM quiz_attempt WHERE learner_id = learner.id), 0),
        coalesce((SELECT max(coalesce(completed_at, first_visited_at)) FROM lesson_progress
                  WHERE learner_id = learner.id), 0),
        coalesce((SELECT max(joined_at) FROM classroom_member WHERE learner_id = learner.id), 0),
        coalesce((SELECT max(last_seen_at) FROM demo_session WHERE owner = learner.id), 0)
      );

      -- The purge reads the longest-idle learners first.
      CREATE INDEX learner_by_last_active ON learner (last_active_at);
      `,
  },
  {
    name: 'fair share of the SQLite demo store',
    sql: `
      -- The hashed address that started a demo session, for the per-address share.
      ALTER TABLE demo_session ADD COLUMN visitor TEXT;
      CREATE INDEX demo_session_by_visitor ON demo_session (visitor) WHERE visitor IS NOT NULL;

      -- Sessions evicted before their expiry (the store's cap, or a learner's or an address's
      -- share), so that their next load can say so. Only the holder of the secret learns it: the
      -- hash is kept and checked as for a live row. Capped by the store, and swept at expiry.
      CREATE TABLE demo_session_eviction (
        id TEXT PRIMARY KEY,
        secret_hash BLOB NOT NULL CHECK (length(secret_hash) = 32),
        cause TEXT NOT NULL CHECK (cause IN ('store-full', 'owner-share', 'visitor-share')),
        session_limit INTEGER NOT NULL CHECK (session_limit > 0),
        evicted_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      ) STRICT;

      CREATE INDEX demo_session_eviction_by_age ON demo_session_eviction (evicted_at);
      CREATE INDEX demo_session_eviction_by_expiry ON demo_session_eviction (expires_at);
    `,
  },
  {
    name: 'predictions',
    sql: `
      -- "Predict, then press": the learner's latest prediction at each checkpoint of a lesson, and
      -- what the press really showed. One row per learner and checkpoint, so it stays small.
      CREATE TABLE prediction (
        learner_id TEXT NOT NULL REFERENCES learner (id) ON DELETE CASCADE,
        checkpoint_id TEXT NOT NULL CHECK (length(checkpoint_id) BETWEEN 1 AND 64),
        lesson_id TEXT NOT NULL,
        predicted TEXT NOT NULL CHECK (length(predicted) BETWEEN 1 AND 64),
        predicted_at INTEGER NOT NULL,
        -- Set by the press: the option that happened (null when the result could not be checked
        -- or fit no option), what the server reported, and whether the prediction matched.
        pressed_at INTEGER,
        outcome TEXT,
        observed TEXT CHECK (observed IS NULL OR length(observed) <= 600),
        correct INTEGER CHECK (correct IN (0, 1)),
        PRIMARY KEY (learner_id, checkpoint_id)
      ) STRICT, WITHOUT ROWID;
    `,
  },
];
