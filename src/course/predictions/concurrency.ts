import type { StoreId } from '../../sessions/catalog';
import { counterOf, reportOf } from './read-results';
import type { Checkpoint } from './types';

/** As many overlapping increments as the console's race sends. */
export const overlappingIncrements = 20;

/**
 * Increment once (so a session and its cookie exist: without one, every racing request would
 * start a session of its own), send the increments together with the same cookies, read again.
 */
function raceCheckpoint(
  id: string,
  store: StoreId,
  question: string,
  explain: Record<'all' | 'some' | 'one', string>,
): Checkpoint {
  const n = overlappingIncrements;
  return {
    id,
    lesson: 'concurrency',
    store,
    question,
    setup: `Pressing increments the counter once, sends ${n} increments at once (all carrying the same cookies), then reads it.`,
    pressLabel: `Send ${n} increments at once`,
    options: [
      { id: 'all', label: `By ${n}: every increment counts`, explanation: explain.all },
      { id: 'some', label: `By more than 1 but fewer than ${n}`, explanation: explain.some },
      { id: 'one', label: 'By 1: the increments overwrite each other', explanation: explain.one },
    ],
    steps: [
      { method: 'POST', action: { action: 'increment' } },
      { method: 'POST', action: { action: 'increment' }, together: n },
      { method: 'GET' },
    ],
    outcome(results) {
      const start = reportOf(results[0]);
      const end = reportOf(results.at(-1));
      const race = results.slice(1, 1 + n);
      const done = race.filter((result) => result.ok).length;
      if (!start || !end || results.length !== n + 2 || done < 2) return null;
      const moved = counterOf(end) - counterOf(start);
      const refused = n - done;
      return {
        option: moved >= done ? 'all' : moved <= 1 ? 'one' : 'some',
        observed:
          `The counter went from ${counterOf(start)} to ${counterOf(end)}: ${moved} of ${done} increments that ran` +
          (refused > 0 ? ` (${refused} were refused and never ran).` : '.'),
      };
    },
  };
}

export const concurrencyCheckpoints: Checkpoint[] = [
  raceCheckpoint(
    'concurrency-cookie-race',
    'signed-cookie',
    `${overlappingIncrements} increments leave the browser at once, all carrying the same signed cookie. How far will the counter move?`,
    {
      all: 'Every increment counted, so each one saw the previous one’s result.',
      some: 'Some increments saw others’ results and some did not; the browser kept the cookie of whichever response came last.',
      one: 'Each request carried the same old counter, each response sent back counter + 1, and the browser kept the last cookie it was given: one increment survived, the rest were overwritten.',
    },
  ),
  raceCheckpoint(
    'concurrency-memory-race',
    'memory',
    `${overlappingIncrements} increments reach the server-memory store at once. How far will the counter move?`,
    {
      all: 'The handler loads, adds and saves with no await in between, so Node runs each increment to the end before the next: none overlap. A handler that waits on a database or an API between load and save would lose updates.',
      some: 'Increments that overlapped between load and save read the same value and saved the same result: the later save overwrote the earlier one.',
      one: 'Every increment loaded the same value before any saved, so all saved the same result.',
    },
  ),
];
