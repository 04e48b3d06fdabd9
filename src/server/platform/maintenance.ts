/**
 * Housekeeping on a timer: expired demo sessions (files, SQLite rows, memory entries) and expired
 * learner sessions are deleted even if nobody ever loads them again, and learners idle for 30
 * days are purged with everything they own, a bounded batch per sweep. Redis and Memcached expire
 * their own keys.
 */
import type { AppContext } from './app-context';
import { purgeInactiveLearners } from '../learner/purge';
import { LearnerSessions } from '../learner/learner-sessions';

export const sweepIntervalMs = 10 * 60 * 1000;

export async function sweepExpired(
  app: AppContext,
  now = Date.now(),
): Promise<Record<string, number>> {
  const removed: Record<string, number> = {};
  for (const [id, store] of app.stores) {
    if (!store.sweep) continue;
    try {
      removed[id] = await store.sweep(now);
    } catch (error) {
      console.error(`Session Lab: sweeping the ${id} store failed:`, error);
    }
  }
  try {
    removed.learnerSessions = await new LearnerSessions(app.db, {
      now: () => now,
    }).deleteExpiredLearnerSessions();
  } catch (error) {
    console.error('Session Lab: deleting expired learner sessions failed:', error);
  }
  try {
    const purge = await purgeInactiveLearners(
      {
        db: app.db,
        stores: app.stores,
        instances: app.instances,
      },
      { now },
    );
    // `inactiveLearners` counts the learners; `inactiveLearners.kept` those a down store saved for
    // a retry; the other `inactiveLearners.*` what went with them.
    const { learners, ...withThem } = purge;
    removed.inactiveLearners = learners;
    for (const [what, count] of Object.entries(withThem))
      removed[`inactiveLearners.${what}`] = count;
  } catch (error) {
    console.error('Session Lab: purging inactive learners failed:', error);
  }
  return removed;
}

/** Starts the periodic sweep; the timer never keeps the process alive on its own. */
export function startMaintenance(app: AppContext): () => void {
  const timer = setInterval(() => void sweepExpired(app).then(reportPurge), sweepIntervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

function reportPurge(removed: Record<string, number>): void {
  const purged = removed.inactiveLearners ?? 0;
  const kept = removed['inactiveLearners.kept'] ?? 0;
  if (purged === 0 && kept === 0) return;
  console.log(
    `Session Lab: purged ${purged} learners inactive for 30 days` +
      (kept > 0 ? '; a store could not be reached, the rest wait for the next sweep' : ''),
  );
}
