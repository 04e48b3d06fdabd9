/**
 * Every "predict, then press" checkpoint of the course, by id. Lessons place them with
 * `<Predict id="…" />`; tests/unit/predictions.test.ts checks that every lesson with a demo has
 * at least two and that every id a lesson names exists.
 */
import { concurrencyCheckpoints } from './concurrency';
import { cookieSizeCheckpoints } from './cookie-size';
import { encryptedCookieCheckpoints } from './encrypted-cookie';
import { jwtCheckpoints } from './jwt';
import { plainCookieCheckpoints } from './plain-cookie';
import { postgresCheckpoints } from './postgres';
import { redisMemcachedCheckpoints } from './redis-memcached';
import { securityCheckpoints } from './security';
import { filesystemCheckpoints, memoryCheckpoints } from './server-memory';
import { signedCookieCheckpoints } from './signed-cookie';
import { sqliteCheckpoints } from './sqlite';
import type { Checkpoint } from './types';

export type { Checkpoint, CheckpointOption, Observation, StepResult, StepSpec } from './types';

export const checkpoints: readonly Checkpoint[] = [
  ...plainCookieCheckpoints,
  ...signedCookieCheckpoints,
  ...encryptedCookieCheckpoints,
  ...jwtCheckpoints,
  ...cookieSizeCheckpoints,
  ...memoryCheckpoints,
  ...filesystemCheckpoints,
  ...sqliteCheckpoints,
  ...postgresCheckpoints,
  ...redisMemcachedCheckpoints,
  ...concurrencyCheckpoints,
  ...securityCheckpoints,
];

const byId = new Map(checkpoints.map((checkpoint) => [checkpoint.id, checkpoint]));
if (byId.size !== checkpoints.length) throw new Error('two checkpoints share an id');

export function findCheckpoint(id: string): Checkpoint | undefined {
  return byId.get(id);
}

/** What the page needs to render a checkpoint: no steps, no outcome reader. */
export interface PublicCheckpoint {
  id: string;
  lesson: string;
  store: Checkpoint['store'];
  question: string;
  setup: string;
  pressLabel: string;
  options: { id: string; label: string }[];
}

export function publicCheckpoint(checkpoint: Checkpoint): PublicCheckpoint {
  const { id, lesson, store, question, setup, pressLabel, options } = checkpoint;
  return {
    id,
    lesson,
    store,
    question,
    setup,
    pressLabel,
    options: options.map(({ id, label }) => ({ id, label })),
  };
}

/** Checkpoints per lesson, for progress ("2 of 3 predictions made"). */
export function checkpointsOfLesson(lessonId: string): Checkpoint[] {
  return checkpoints.filter((checkpoint) => checkpoint.lesson === lessonId);
}
