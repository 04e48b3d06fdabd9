import type { StoreId } from '../../sessions/catalog';
import { counterOf, reportOf } from './read-results';
import type { Checkpoint } from './types';

/** As many overlapping increments as the console's race sends. */
export const overlappingIncrements = 20;
/** The simulated work of each racing increment on a server store: the console race's default. */
export const raceWorkMs = 50;

/**
 * Increment once (so a session and its cookie exist: without one, every racing request would
 * start a session of its own), send the increments together with the same cookies, read again.
 */
function raceCheckpoint(
  id: string,
  store: StoreId,
  question: string,
  explain: Record<'all' | 'some' | 'one', string>,
  workMs = 0,
): Checkpoint {
  const n = overlappingIncrements;
  const work =
    workMs > 0 ? `, each waiting ${workMs} ms between load and save as a database call would` : '';
  return {
    id,
    lesson: 'concurrency',
    store,
    question,
    setup: `Pressing increments the counter once, sends ${n} increments at once (all carrying the same cookies${work}), then reads it.`,
    pressLabel: `Send ${n} increments at once`,
    options: [
      { id: 'all', label: `By ${n}: every increment counts`, explanation: explain.all },
      { id: 'some', label: `By more than 1 but fewer than ${n}`, explanation: explain.some },
      { id: 'one', label: 'By 1: the increments overwrite each other', explanation: explain.one },
    ],
    steps: [
      { method: 'POST', action: { action: 'increment' } },
      {
        method: 'POST',
        action: { action: 'increment', ...(workMs > 0 && { workMs }) },
        together: n,
      },
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
    `${overlappingIncrements} increments reach the server-memory store at once, each doing ${raceWorkMs} ms of work between loading the session and saving it. How far will the counter move?`,
    {
      all: 'Every increment counted, so none loaded the counter while another was between its load and its save: the requests did not overlap this time.',
      some: 'Increments that overlapped between load and save read the same value and saved the same result: the later save overwrote the earlier one.',
      one: `Every increment loaded the same value during the ${raceWorkMs} ms before any saved, so all saved the same result: the last save won.`,
    },
    raceWorkMs,
  ),
];
