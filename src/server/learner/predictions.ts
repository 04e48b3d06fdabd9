/**
 * The learner's predictions at "predict, then press" checkpoints: committed before the press,
 * completed with what the press really showed. A prediction starts its lesson (it counts as a
 * visit), and like every row about a learner it is listed and deleted with their data.
 */
import type { SiteDb } from '../platform/site-db/open';
import type { PredictionTable } from '../platform/site-db/tables';
import { changed, transaction } from '../platform/site-db/transactions';
import { markLessonVisited } from './progress';

/** Longer observations are cut: the column holds at most this many characters. */
export const maxObservedLength = 600;

export interface PredictionRecord {
  checkpointId: string;
  lessonId: string;
  predicted: string;
  predictedAt: Date;
  pressedAt: Date | null;
  /** The option that happened; null before the press, or when the result could not be checked. */
  outcome: string | null;
  observed: string | null;
  correct: boolean | null;
}

const columns = [
  'checkpoint_id',
  'lesson_id',
  'predicted',
  'predicted_at',
  'pressed_at',
  'outcome',
  'observed',
  'correct',
] as const;

function toRecord(row: Omit<PredictionTable, 'learner_id'>): PredictionRecord {
  return {
    checkpointId: row.checkpoint_id,
    lessonId: row.lesson_id,
    predicted: row.predicted,
    predictedAt: new Date(row.predicted_at),
    pressedAt: row.pressed_at === null ? null : new Date(row.pressed_at),
    outcome: row.outcome,
    observed: row.observed,
    correct: row.correct === null ? null : row.correct === 1,
  };
}

/** Records the prediction (replacing an earlier one) and marks its lesson as started. */
export async function commitPrediction(
  db: SiteDb,
  learnerId: string,
  checkpoint: { id: string; lesson: string },
  option: string,
  now: number,
): Promise<void> {
  await transaction(db, async (trx) => {
    // A new prediction replaces the last one and forgets its press: the learner predicts again.
    await trx
      .insertInto('prediction')
      .values({
        learner_id: learnerId,
        checkpoint_id: checkpoint.id,
        lesson_id: checkpoint.lesson,
        predicted: option,
        predicted_at: now,
      })
      .onConflict((conflict) =>
        conflict.columns(['learner_id', 'checkpoint_id']).doUpdateSet((eb) => ({
          lesson_id: eb.ref('excluded.lesson_id'),
          predicted: eb.ref('excluded.predicted'),
          predicted_at: eb.ref('excluded.predicted_at'),
          pressed_at: null,
          outcome: null,
          observed: null,
          correct: null,
        })),
      )
      .execute();
    await markLessonVisited(trx, learnerId, checkpoint.lesson, now);
  });
}

/** What the press showed; `outcome` null when it could not be checked. */
export async function recordPress(
  db: SiteDb,
  learnerId: string,
  checkpointId: string,
  press: { outcome: string | null; observed: string; correct: boolean | null },
  now: number,
): Promise<void> {
  await db
    .updateTable('prediction')
    .set({
      pressed_at: now,
      outcome: press.outcome,
      observed: press.observed.slice(0, maxObservedLength),
      correct: press.correct === null ? null : press.correct ? 1 : 0,
    })
    .where('learner_id', '=', learnerId)
    .where('checkpoint_id', '=', checkpointId)
    .execute();
}

export async function getPrediction(
  db: SiteDb,
  learnerId: string,
  checkpointId: string,
): Promise<PredictionRecord | null> {
  const row = await db
    .selectFrom('prediction')
    .select(columns)
    .where('learner_id', '=', learnerId)
    .where('checkpoint_id', '=', checkpointId)
    .executeTakeFirst();
  return row ? toRecord(row) : null;
}

/** Every prediction of the learner, newest first (at most one per checkpoint). */
export async function listPredictions(db: SiteDb, learnerId: string): Promise<PredictionRecord[]> {
  const rows = await db
    .selectFrom('prediction')
    .select(columns)
    .where('learner_id', '=', learnerId)
    .orderBy('predicted_at', 'desc')
    .orderBy('checkpoint_id')
    .execute();
  return rows.map(toRecord);
}

/** Deletes the learner's predictions; returns how many went. Call inside the caller's transaction. */
export async function deletePredictions(db: SiteDb, learnerId: string): Promise<number> {
  return changed(
    await db.deleteFrom('prediction').where('learner_id', '=', learnerId).executeTakeFirst(),
  );
}
