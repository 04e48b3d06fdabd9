/**
 * Everything the site holds about one anonymous learner, and its deletion. "Deleted" means gone
 * from the stores and the database, not hidden: server stores revoke every session the learner
 * owns (on every simulated instance, where instances do not share), and every row that names the
 * learner is deleted in one transaction.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { CookieJar } from '../../sessions/cookie-jar';
import { maxNamedInstances } from '../../lab/instances';
import { Timer } from '../../sessions/timer';
import type { StoreId } from '../../sessions/catalog';
import type { StoreRegistry } from '../../sessions/registry';
import {
  StoreUnavailableError,
  type DemoContext,
  type Instance,
  type SessionStore,
} from '../../sessions/types';
import type { SiteDb } from '../platform/site-db/open';
import { changed, transaction } from '../platform/site-db/transactions';
import { adminScope } from '../platform/admin-scope';
import { deletePredictions, listPredictions } from './predictions';

/** Longer histories are counted in full but listed only this far, newest first. */
export const maxListedRows = 200;

export interface LearnerData {
  learner: { id: string; shortId: string; createdAt: string };
  /** The site's own database sessions for this learner, expired ones included until purged. */
  sessions: {
    shortId: string;
    current: boolean;
    createdAt: string;
    expiresAt: string;
    lastSeenAt: string;
    expired: boolean;
  }[];
  quizAttempts: {
    total: number;
    listed: {
      id: number;
      quizId: string;
      scorePercent: number;
      passed: boolean;
      createdAt: string;
    }[];
  };
  lessons: {
    total: number;
    listed: { lessonId: string; firstVisitedAt: string; completedAt: string | null }[];
  };
  /** Predictions at "predict, then press" checkpoints: at most one per checkpoint, newest first. */
  predictions: {
    checkpointId: string;
    lessonId: string;
    predicted: string;
    predictedAt: string;
    outcome: string | null;
    correct: boolean | null;
    pressedAt: string | null;
  }[];
}

export interface StoreDeletion {
  storeId: StoreId;
  title: string;
  outcome: 'deleted' | 'not-configured' | 'unreachable';
  /** Sessions the store reported deleting, over all instances searched. */
  sessions: number;
  /** The simulated instances searched (one for stores that every instance shares). */
  instances: string[];
  message?: string;
}

export interface LearnerDeletion {
  /** False when a configured store could not be reached: the learner is kept so a retry can. */
  complete: boolean;
  stores: StoreDeletion[];
  rows: {
    quizAttempts: number;
    lessonProgress: number;
    learnerSessions: number;
    classMemberships: number;
    predictions: number;
    learner: number;
  };
}

export interface LearnerDataDeps {
  db: SiteDb;
  stores: StoreRegistry;
  instances: { resolve(requested: string | null): Instance };
  now?: () => number;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The start of an id: enough to recognise it, too little to use it. */
export function shortenId(id: string): string {
  return id.length > 8 ? `${id.slice(0, 8)}…` : id;
}

/** What the database holds for the learner, or null when there is no such learner. */
export async function readLearnerData(
  db: SiteDb,
  learnerId: string,
  { now = Date.now(), currentSessionId }: { now?: number; currentSessionId?: string } = {},
): Promise<LearnerData | null> {
  const learner = await db
    .selectFrom('learner')
    .select(['id', 'created_at'])
    .where('id', '=', learnerId)
    .executeTakeFirst();
  if (!learner) return null;
  const [sessions, attemptCount, attempts, lessonCount, lessons, predictions] = await Promise.all([
    db
      .selectFrom('learner_session')
      .select(['id', 'created_at', 'expires_at', 'last_seen_at'])
      .where('learner_id', '=', learnerId)
      .orderBy('last_seen_at', 'desc')
      .orderBy('id')
      .execute(),
    countRows(db, 'quiz_attempt', learnerId),
    db
      .selectFrom('quiz_attempt')
      .select(['id', 'quiz_id', 'score_percent', 'passed', 'created_at'])
      .where('learner_id', '=', learnerId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(maxListedRows)
      .execute(),
    countRows(db, 'lesson_progress', learnerId),
    db
      .selectFrom('lesson_progress')
      .select(['lesson_id', 'first_visited_at', 'completed_at'])
      .where('learner_id', '=', learnerId)
      .orderBy('first_visited_at', 'desc')
      .orderBy('lesson_id')
      .limit(maxListedRows)
      .execute(),
    listPredictions(db, learnerId),
  ]);
  return {
    learner: { id: learner.id, shortId: shortenId(learner.id), createdAt: iso(learner.created_at) },
    sessions: sessions.map((row) => ({
      shortId: shortenId(row.id),
      current: row.id === currentSessionId,
      createdAt: iso(row.created_at),
      expiresAt: iso(row.expires_at),
      lastSeenAt: iso(row.last_seen_at),
      expired: row.expires_at <= now,
    })),
    quizAttempts: {
      total: attemptCount,
      listed: attempts.map((row) => ({
        id: row.id,
        quizId: row.quiz_id,
        scorePercent: row.score_percent,
        passed: row.passed === 1,
        createdAt: iso(row.created_at),
      })),
    },
    lessons: {
      total: lessonCount,
      listed: lessons.map((row) => ({
        lessonId: row.lesson_id,
        firstVisitedAt: iso(row.first_visited_at),
        completedAt: row.completed_at === null ? null : iso(row.completed_at),
      })),
    },
    predictions: predictions.map((prediction) => ({
      checkpointId: prediction.checkpointId,
      lessonId: prediction.lessonId,
      predicted: prediction.predicted,
      predictedAt: prediction.predictedAt.toISOString(),
      outcome: prediction.outcome,
      correct: prediction.correct,
      pressedAt: prediction.pressedAt?.toISOString() ?? null,
    })),
  };
}

async function countRows(
  db: SiteDb,
  table: 'quiz_attempt' | 'lesson_progress',
  learnerId: string,
): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('learner_id', '=', learnerId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/**
 * Deletes everything the learner owns: first their sessions in every server store, then, only if
 * every configured store answered, every database row naming them. Stores go first because the
 * learner id is what finds their sessions; deleting it first would orphan them.
 */
export async function deleteLearnerData(
  deps: LearnerDataDeps,
  learnerId: string,
  /** Where to look in each store; a caller deleting many learners lists the instances once. */
  instancesOf: (store: SessionStore) => Promise<Instance[]> = (store) =>
    instancesToSearch(deps, store),
): Promise<LearnerDeletion> {
  const stores: StoreDeletion[] = [];
  for (const store of deps.stores.values()) {
    if (store.revokeAll) {
      stores.push(await revokeEverywhere(deps, store, await instancesOf(store), learnerId));
    }
  }
  const complete = stores.every((store) => store.outcome !== 'unreachable');
  const rows = complete
    ? await deleteRows(deps.db, learnerId)
    : {
        quizAttempts: 0,
        lessonProgress: 0,
        learnerSessions: 0,
        classMemberships: 0,
        predictions: 0,
        learner: 0,
      };
  return { complete, stores, rows };
}

async function deleteRows(db: SiteDb, learnerId: string): Promise<LearnerDeletion['rows']> {
  // Explicit deletes rather than relying on ON DELETE CASCADE alone: the counts are the receipt.
  return transaction(db, async (trx) => {
    const deleteWhereLearner = async (
      table: 'quiz_attempt' | 'lesson_progress' | 'learner_session' | 'classroom_member',
    ) =>
      changed(await trx.deleteFrom(table).where('learner_id', '=', learnerId).executeTakeFirst());
    return {
      quizAttempts: await deleteWhereLearner('quiz_attempt'),
      lessonProgress: await deleteWhereLearner('lesson_progress'),
      learnerSessions: await deleteWhereLearner('learner_session'),
      classMemberships: await deleteWhereLearner('classroom_member'),
      predictions: await deletePredictions(trx, learnerId),
      learner: changed(
        await trx.deleteFrom('learner').where('id', '=', learnerId).executeTakeFirst(),
      ),
    };
  });
}

async function revokeEverywhere(
  deps: LearnerDataDeps,
  store: SessionStore,
  instances: Instance[],
  learnerId: string,
): Promise<StoreDeletion> {
  const { id, title } = store.info;
  const result: StoreDeletion = {
    storeId: id,
    title,
    outcome: 'deleted',
    sessions: 0,
    instances: instances.map((instance) => instance.id),
  };
  try {
    for (const instance of instances) {
      result.sessions += await store.revokeAll!(contextFor(deps.now, instance, learnerId));
    }
  } catch (error) {
    if (!(error instanceof StoreUnavailableError)) throw error;
    const reason = store.notConfigured ?? null;
    result.outcome = reason === null ? 'unreachable' : 'not-configured';
    result.message = reason ?? error.message;
  }
  return result;
}

/**
 * Every instance that may hold the store's sessions: one for stores all instances share; for the
 * others the named instances plus every instance directory left on disk (a "fresh" serverless
 * instance writes one, and a filesystem session in it outlives the request).
 */
export async function instancesToSearch(
  deps: Pick<LearnerDataDeps, 'instances'>,
  store: SessionStore,
): Promise<Instance[]> {
  const first = deps.instances.resolve('1');
  if (store.info.facts.sharedAcrossInstances) return [first];
  const named = Array.from({ length: maxNamedInstances }, (_, index) =>
    deps.instances.resolve(String(index + 1)),
  );
  const root = path.dirname(first.directory);
  const namedIds = new Set(named.map((instance) => instance.id));
  let entries: string[] = [];
  try {
    entries = (await readdir(root, { withFileTypes: true }))
      .filter((entry) => entry.isDirectory() && !namedIds.has(entry.name))
      .map((entry) => entry.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const leftovers = entries.map((name) => ({
    id: name,
    memory: new Map<string, unknown>(),
    directory: path.join(root, name),
  }));
  return [...named, ...leftovers];
}

function contextFor(
  now: (() => number) | undefined,
  instance: Instance,
  owner: string | null,
): DemoContext {
  return { cookies: new CookieJar(), instance, timer: new Timer(), now: now ?? Date.now, owner };
}

/**
 * The `Set-Cookie` lines that make a browser drop every demo store's cookie. Each store's cookie
 * is scoped to its own demo address, but a response from any path may expire it, so a deletion
 * without JavaScript still empties the browser's cookie stores. A store that cannot be reached
 * sends nothing; its id cookie then names a session that no longer exists.
 */
export async function expiredStoreCookies(
  deps: Pick<LearnerDataDeps, 'stores' | 'instances' | 'now'>,
): Promise<string[]> {
  const lines: string[] = [];
  const instance = deps.instances.resolve('1');
  for (const store of deps.stores.values()) {
    const ctx = contextFor(deps.now, instance, null);
    try {
      await store.destroy(ctx);
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error;
      continue;
    }
    lines.push(...ctx.cookies.setCookieLines());
  }
  return lines;
}

/** One store's sessions that name the learner as their owner, as the store itself lists them. */
export interface OwnedDemoSessions {
  storeId: StoreId;
  title: string;
  sessions: { bytes: number; createdAt: string | null; expiresAt: string | null }[];
  /** Why the store could not list them (not configured, or not answering); null when it did. */
  problem: string | null;
}

/**
 * The learner's demo sessions in every store that can list its sessions by owner (through each
 * store's admin face), so the data page shows them without their cookies.
 */
export async function readOwnedDemoSessions(
  deps: Pick<LearnerDataDeps, 'db' | 'stores' | 'instances' | 'now'>,
  learnerId: string,
): Promise<OwnedDemoSessions[]> {
  const scope = adminScope(deps);
  const listed: OwnedDemoSessions[] = [];
  for (const store of deps.stores.values()) {
    if (!store.admin?.listOwned) continue;
    const { id: storeId, title } = store.info;
    if (store.notConfigured) {
      listed.push({ storeId, title, sessions: [], problem: store.notConfigured });
      continue;
    }
    try {
      const sessions = await store.admin.listOwned(learnerId, scope);
      listed.push({
        storeId,
        title,
        problem: null,
        sessions: sessions.slice(0, maxListedRows).map((session) => ({
          bytes: session.bytes,
          createdAt: session.createdAt === null ? null : iso(session.createdAt),
          expiresAt: session.expiresAt === null ? null : iso(session.expiresAt),
        })),
      });
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error;
      listed.push({ storeId, title, sessions: [], problem: error.message });
    }
  }
  return listed;
}
