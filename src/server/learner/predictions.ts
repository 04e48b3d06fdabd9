/**
 * The learner's predictions at "predict, then press" checkpoints: committed before the press,
 * completed with what the press really showed. A prediction starts its lesson (it counts as a
 * visit), and like every row about a learner it is listed and deleted with their data.
 */
import { preparedFor, type Database } from '../platform/database';
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

interface PredictionRow {
  checkpoint_id: string;
  lesson_id: string;
  predicted: string;
  predicted_at: number;
  pressed_at: number | null;
  outcome: string | null;
  observed: string | null;
  correct: number | null;
}

const columns =
  'checkpoint_id, lesson_id, predicted, predicted_at, pressed_at, outcome, observed, correct';

function prepareStatements(db: Database) {
  return {
    // A new prediction replaces the last one and forgets its press: the learner predicts again.
    commit: db.prepare<[string, string, string, string, number]>(
      `INSERT INTO prediction (learner_id, checkpoint_id, lesson_id, predicted, predicted_at)
       VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (learner_id, checkpoint_id) DO UPDATE SET
         lesson_id = excluded.lesson_id, predicted = excluded.predicted,
         predicted_at = excluded.predicted_at,
         pressed_at = NULL, outcome = NULL, observed = NULL, correct = NULL`,
    ),
    press: db.prepare<[number, string | null, string, number | null, string, string]>(
      `UPDATE prediction SET pressed_at = ?, outcome = ?, observed = ?, correct = ?
       WHERE learner_id = ? AND checkpoint_id = ?`,
    ),
    one: db.prepare<[string, string], PredictionRow>(
      `SELECT ${columns} FROM prediction WHERE learner_id = ? AND checkpoint_id = ?`,
    ),
    all: db.prepare<[string], PredictionRow>(
      `SELECT ${columns} FROM prediction WHERE learner_id = ? ORDER BY predicted_at DESC, checkpoint_id`,
    ),
    deleteAll: db.prepare<[string]>('DELETE FROM prediction WHERE learner_id = ?'),
  };
}

const statementCache = new WeakMap<Database, ReturnType<typeof prepareStatements>>();

function statements(db: Database) {
  return preparedFor(statementCache, db, prepareStatements);
}

function toRecord(row: PredictionRow): PredictionRecord {
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
export function commitPrediction(
  db: Database,
  learnerId: string,
  checkpoint: { id: string; lesson: string },
  option: string,
  now: number,
): void {
  db.transaction(() => {
    statements(db).commit.run(learnerId, checkpoint.id, checkpoint.lesson, option, now);
    markLessonVisited(db, learnerId, checkpoint.lesson, now);
  })();
}

/** What the press showed; `outcome` null when it could not be checked. */
export function recordPress(
  db: Database,
  learnerId: string,
  checkpointId: string,
  press: { outcome: string | null; observed: string; correct: boolean | null },
  now: number,
): void {
  statements(db).press.run(
    now,
    press.outcome,
    press.observed.slice(0, maxObservedLength),
    press.correct === null ? null : press.correct ? 1 : 0,
    learnerId,
    checkpointId,
  );
}

export function getPrediction(
  db: Database,
  learnerId: string,
  checkpointId: string,
): PredictionRecord | null {
  const row = statements(db).one.get(learnerId, checkpointId);
  return row ? toRecord(row) : null;
}

/** Every prediction of the learner, newest first (at most one per checkpoint). */
export function listPredictions(db: Database, learnerId: string): PredictionRecord[] {
  return statements(db).all.all(learnerId).map(toRecord);
}

/** Deletes the learner's predictions; returns how many went. Call inside the caller's transaction. */
export function deletePredictions(db: Database, learnerId: string): number {
  return statements(db).deleteAll.run(learnerId).changes;
}
