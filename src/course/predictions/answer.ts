/**
 * The answer the prediction API gives, and the page without JavaScript shows: the learner's
 * prediction and, once pressed, what really happened. Instructors may script the API, so these
 * names are a contract like the demo API's: add fields, never rename them.
 */
import type { Checkpoint } from './types';

export type PredictionStage = 'commit' | 'press' | 'commit-and-press';
export const predictionStages: readonly PredictionStage[] = ['commit', 'press', 'commit-and-press'];

export interface PressView {
  /** The option that happened; null when the result could not be checked or fit no option. */
  outcome: string | null;
  outcomeLabel: string | null;
  /** Whether the prediction matched; null when there was nothing to compare with. */
  correct: boolean | null;
  /** What the server really reported, with its numbers. */
  observed: string;
  /** Why the outcome happened (one line), or null without an outcome. */
  explanation: string | null;
  pressedAt: string;
}

export interface PredictionAnswer {
  checkpoint: string;
  predicted: string;
  predictedLabel: string;
  predictedAt: string;
  /** Null until the press. */
  press: PressView | null;
}

/** Builds the answer from what is stored; the labels and explanations come from the checkpoint. */
export function predictionAnswer(
  checkpoint: Checkpoint,
  record: {
    predicted: string;
    predictedAt: Date;
    pressedAt: Date | null;
    outcome: string | null;
    observed: string | null;
    correct: boolean | null;
  },
): PredictionAnswer {
  const option = (id: string | null) => checkpoint.options.find((item) => item.id === id) ?? null;
  const happened = option(record.outcome);
  return {
    checkpoint: checkpoint.id,
    predicted: record.predicted,
    predictedLabel: option(record.predicted)?.label ?? record.predicted,
    predictedAt: record.predictedAt.toISOString(),
    press:
      record.pressedAt === null
        ? null
        : {
            outcome: happened?.id ?? null,
            outcomeLabel: happened?.label ?? null,
            correct: record.correct,
            observed: record.observed ?? '',
            explanation: happened?.explanation ?? null,
            pressedAt: record.pressedAt.toISOString(),
          },
  };
}
