/**
 * Checkpoints of the two stores that keep sessions inside one server instance (memory) or on its
 * disk (filesystem): what survives a restart, and what another instance can see.
 */
import type { StoreId } from '../../sessions/catalog';
import { counterOf, describeResult, reportOf } from './read-results';
import type { Checkpoint } from './types';

/** Why each outcome happens, in the store's own terms. */
export interface Explanations {
  yes: string;
  no: string;
}

/** Increment on instance 1, restart instance 1, read on instance 1. */
export function restartCheckpoint(
  id: string,
  lesson: string,
  store: StoreId,
  explain: Explanations,
): Checkpoint {
  return {
    id,
    lesson,
    store,
    question:
      'You increment the counter, then instance 1 restarts. Will the session survive the restart?',
    setup:
      'Pressing increments the counter on instance 1, restarts instance 1 (its memory is wiped), then reads.',
    pressLabel: 'Increment, restart instance 1, read',
    options: [
      {
        id: 'survives',
        label: 'Yes: the read finds the session and its counter',
        explanation: explain.yes,
      },
      { id: 'lost', label: 'No: the read starts a new, empty session', explanation: explain.no },
    ],
    steps: [
      { method: 'POST', action: { action: 'increment' }, instance: '1' },
      { method: 'POST', action: { action: 'restart-instance' }, instance: '1' },
      { method: 'GET', instance: '1' },
    ],
    outcome(results) {
      const before = reportOf(results[0]);
      const read = reportOf(results[2]);
      if (!before || !read) return null;
      return {
        option: read.status === 'ok' && counterOf(read) === counterOf(before) ? 'survives' : 'lost',
        observed: `Before the restart the counter was ${counterOf(before)}; the read after it came back with ${describeResult(results[2])} and counter ${counterOf(read)}.`,
      };
    },
  };
}

/** "instance 2", or "a fresh instance" for a one-request one (its id is a random uuid). */
function instanceName(id: string): string {
  return id.startsWith('fresh') ? 'a fresh instance' : `instance ${id}`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Increment on one instance, read on another. */
export function otherInstanceCheckpoint(
  id: string,
  lesson: string,
  store: StoreId,
  { write, read }: { write: string; read: string },
  explain: Explanations,
): Checkpoint {
  const fresh = write === 'fresh';
  return {
    id,
    lesson,
    store,
    question: fresh
      ? 'On a serverless platform every request may meet a fresh instance. You increment on one, then read on another. Will the read find the session?'
      : `You increment the counter on instance ${write}, then read on instance ${read}. Will instance ${read} find the session?`,
    setup: fresh
      ? 'Pressing increments the counter on a fresh instance, then reads on another fresh instance.'
      : `Pressing increments the counter on instance ${write}, then reads the session on instance ${read}.`,
    pressLabel: fresh
      ? 'Increment on a fresh instance, read on another'
      : `Increment on ${write}, read on ${read}`,
    options: [
      {
        id: 'found',
        label: 'Yes: the other instance reads the same session',
        explanation: explain.yes,
      },
      {
        id: 'missing',
        label: 'No: the other instance starts a new, empty session',
        explanation: explain.no,
      },
    ],
    steps: [
      { method: 'POST', action: { action: 'increment' }, instance: write },
      { method: 'GET', instance: read },
    ],
    outcome(results) {
      const written = reportOf(results[0]);
      const found = reportOf(results[1]);
      if (!written || !found) return null;
      return {
        option:
          found.status === 'ok' && counterOf(found) === counterOf(written) ? 'found' : 'missing',
        observed: `${capitalize(instanceName(written.instance))} saved counter ${counterOf(written)}; ${instanceName(found.instance)} answered with ${describeResult(results[1])} and counter ${counterOf(found)}.`,
      };
    },
  };
}

const notFoundAfterRestart =
  'The session was gone after the restart, so it was not kept anywhere a restart leaves alone.';
const foundAfterRestart =
  'The session was found after the restart, so it was kept outside the process’s memory.';

export const memoryCheckpoints: Checkpoint[] = [
  restartCheckpoint('memory-restart', 'memory', 'memory', {
    yes: foundAfterRestart,
    no: 'The session lived in the process’s memory, which a restart (or a deploy, or a crash) wipes; the browser’s cookie now names nothing.',
  }),
  otherInstanceCheckpoint(
    'memory-other-instance',
    'memory',
    'memory',
    { write: '1', read: '2' },
    {
      yes: 'The second instance found the session, so the instances share where it is kept.',
      no: 'Each instance keeps sessions in its own memory; the cookie names a session only instance 1 knows.',
    },
  ),
];

export const filesystemCheckpoints: Checkpoint[] = [
  restartCheckpoint('filesystem-restart', 'filesystem', 'filesystem', {
    yes: 'The session is a file on the instance’s disk; a restart clears the process’s memory, not its files, so the cookie’s id still finds it.',
    no: notFoundAfterRestart,
  }),
  otherInstanceCheckpoint(
    'filesystem-serverless',
    'filesystem',
    'filesystem',
    { write: 'fresh', read: 'fresh' },
    {
      yes: 'The second instance found the file, so both instances reached the same disk.',
      no: 'The session was written to the first instance’s own disk; the next request met another instance, whose disk never held it.',
    },
  ),
];

export { foundAfterRestart, notFoundAfterRestart };
