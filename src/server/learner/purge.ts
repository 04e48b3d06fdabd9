/**
 * Learners nobody has used for 30 days are deleted with everything they own, exactly as their own
 * "delete everything" would (`deleteLearnerData`): their sessions in every server store first,
 * then every row that names them. A learner is idle when `last_active_at` is 30 days old and no
 * learner session of theirs is still valid, so a browser that can still sign in is never cut off.
 */
import type { Instance, SessionStore } from '../../sessions/types';
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
  const idleRows = await deps.db
    .selectFrom('learner as l')
    .select('l.id')
    .where('l.last_active_at', '<=', now - learnerInactivityLimitMs)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('learner_session as s')
            .select('s.id')
            .whereRef('s.learner_id', '=', 'l.id')
            .where('s.expires_at', '>', now),
        ),
      ),
    )
    .orderBy('l.last_active_at')
    .orderBy('l.id')
    .limit(limit)
    .execute();
  const idle = idleRows.map((row) => row.id);
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
