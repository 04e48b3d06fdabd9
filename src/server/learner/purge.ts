/**
 * Learners nobody has used for 30 days are deleted with everything they own, exactly as their own
 * "delete everything" would (`deleteLearnerData`): their sessions in every server store first,
 * then every row that names them. A learner is idle when `last_active_at` is 30 days old and no
 * learner session of theirs is still valid, so a browser that can still sign in is never cut off.
 */
import type { Instance, SessionStore } from '../../sessions/types';
import { preparedFor, type Database } from '../platform/database';
import { deleteLearnerData, instancesToSearch, type LearnerDataDeps } from './learner-data';
import { LEARNER_SESSION_LIFETIME_MS } from './learner-sessions';

/** How long a learner may stay away before their data goes; the learner session lasts as long. */
export const learnerInactivityLimitMs = LEARNER_SESSION_LIFETIME_MS;

/**
 * The most learners one purge deletes. Each costs a few store calls and a short transaction, so a
 * sweep stays brief however large the backlog; the next sweep takes the next batch.
 */
export const maxLearnersPurgedPerRun = 500;

export interface LearnerPurge {
  /** Learners deleted with all their rows and store sessions. */
  learners: number;
  /** Learners kept because a configured store could not be reached; a later sweep retries. */
  kept: number;
  /** Sessions the server stores deleted for the purged learners. */
  storeSessions: number;
  quizAttempts: number;
  lessonProgress: number;
  learnerSessions: number;
  classMemberships: number;
  predictions: number;
}

function prepareStatements(db: Database) {
  return {
    idle: db
      .prepare<[number, number, number], string>(
        `SELECT id FROM learner AS l
         WHERE l.last_active_at <= ?
           AND NOT EXISTS (SELECT 1 FROM learner_session AS s
                           WHERE s.learner_id = l.id AND s.expires_at > ?)
         ORDER BY l.last_active_at, l.id LIMIT ?`,
      )
      .pluck(),
  };
}

const statementCache = new WeakMap<Database, ReturnType<typeof prepareStatements>>();

export async function purgeInactiveLearners(
  deps: LearnerDataDeps,
  { now = Date.now(), limit = maxLearnersPurgedPerRun }: { now?: number; limit?: number } = {},
): Promise<LearnerPurge> {
  const purge: LearnerPurge = {
    learners: 0,
    kept: 0,
    storeSessions: 0,
    quizAttempts: 0,
    lessonProgress: 0,
    learnerSessions: 0,
    classMemberships: 0,
    predictions: 0,
  };
  const idle = preparedFor(statementCache, deps.db, prepareStatements).idle.all(
    now - learnerInactivityLimitMs,
    now,
    limit,
  );
  if (idle.length === 0) return purge;

  // The instances to search are the same for every learner in this run: list them once.
  const instances = new Map<SessionStore, Promise<Instance[]>>();
  const instancesOf = (store: SessionStore) => {
    let found = instances.get(store);
    if (!found) {
      found = instancesToSearch(deps, store);
      instances.set(store, found);
    }
    return found;
  };
  const depsAtNow = { ...deps, now: () => now };

  for (const learnerId of idle) {
    const deletion = await deleteLearnerData(depsAtNow, learnerId, instancesOf);
    if (!deletion.complete) {
      // A store is down: every other learner would fail the same way, so wait for the next sweep.
      purge.kept += 1;
      break;
    }
    purge.learners += deletion.rows.learner;
    purge.storeSessions += deletion.stores.reduce((sum, store) => sum + store.sessions, 0);
    purge.quizAttempts += deletion.rows.quizAttempts;
    purge.lessonProgress += deletion.rows.lessonProgress;
    purge.learnerSessions += deletion.rows.learnerSessions;
    purge.classMemberships += deletion.rows.classMemberships;
    purge.predictions += deletion.rows.predictions;
  }
  return purge;
}
