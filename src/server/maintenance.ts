/**
 * Housekeeping on a timer: expired demo sessions (files, SQLite rows, memory entries) and expired
 * learner sessions are deleted even if nobody ever loads them again. Redis and Memcached expire
 * their own keys.
 */
import type { AppContext } from './app-context';
import { LearnerSessions } from './learner-sessions';

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
  removed.learnerSessions = new LearnerSessions(app.db).deleteExpiredLearnerSessions();
  return removed;
}

/** Starts the periodic sweep; the timer never keeps the process alive on its own. */
export function startMaintenance(app: AppContext): () => void {
  const timer = setInterval(() => void sweepExpired(app), sweepIntervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
