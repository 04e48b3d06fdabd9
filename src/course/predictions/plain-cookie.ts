import { reportOf, storeSetCookie } from './read-results';
import type { Checkpoint, StepResult } from './types';

/** The plain cookie's value as JSON, or null when it is not percent-encoded JSON. */
function plainJson(value: string): Record<string, unknown> | null {
  try {
    const parsed: unknown = JSON.parse(decodeURIComponent(value));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** The cookie the learner's last `set` was given, edited to claim the admin role. */
function forgedAdminCookie(earlier: readonly StepResult[]) {
  const cookie = storeSetCookie(reportOf(earlier.at(-1)));
  const data = cookie ? (plainJson(cookie.value) ?? {}) : {};
  return {
    method: 'POST' as const,
    action: {
      action: 'tamper' as const,
      cookie: cookie?.name ?? 'plain_session',
      value: encodeURIComponent(JSON.stringify({ ...data, role: 'admin' })),
    },
  };
}

export const plainCookieCheckpoints: Checkpoint[] = [
  {
    id: 'plain-cookie-readable',
    lesson: 'plain-cookie',
    store: 'plain-cookie',
    question: 'You set role = learner. What will the Cookies tab show as the cookie’s value?',
    setup: 'Pressing sets the key role to learner in the plain-cookie demo.',
    pressLabel: 'Set role = learner',
    options: [
      {
        id: 'readable',
        label: 'The session itself: JSON that says role is learner',
        explanation:
          'The value is the session as percent-encoded JSON: anyone holding the cookie reads it, no key needed.',
      },
      {
        id: 'opaque',
        label: 'A random-looking value that does not contain the word “learner”',
        explanation:
          'The value did not contain the data in readable form, so this store hides or refers to it.',
      },
    ],
    steps: [{ method: 'POST', action: { action: 'set', key: 'role', value: 'learner' } }],
    outcome(results) {
      const cookie = storeSetCookie(reportOf(results[0]));
      if (!cookie) return null;
      const json = plainJson(cookie.value);
      const readable = json?.role === 'learner';
      return {
        option: readable ? 'readable' : 'opaque',
        observed: `The response set ${cookie.name}=${cookie.value.slice(0, 80)}${cookie.value.length > 80 ? '…' : ''} (${cookie.nameValueBytes} bytes).`,
      };
    },
  },
  {
    id: 'plain-cookie-forged',
    lesson: 'plain-cookie',
    store: 'plain-cookie',
    question:
      'You edit the cookie to say role = admin, as anyone can in DevTools. What will the server do?',
    setup:
      'Pressing sets role = learner, plants an edited cookie that says role = admin, then reads the session.',
    pressLabel: 'Forge role = admin, then read',
    options: [
      {
        id: 'believed',
        label: 'Believe it: the session now says admin',
        explanation:
          'Nothing in a plain cookie proves the server wrote it, so the edited value is read as the truth.',
      },
      {
        id: 'refused',
        label: 'Notice the edit and refuse the cookie',
        explanation:
          'The server refused the edited cookie: it could tell the value was not one it had written.',
      },
    ],
    steps: [
      { method: 'POST', action: { action: 'set', key: 'role', value: 'learner' } },
      forgedAdminCookie,
      { method: 'GET' },
    ],
    outcome(results) {
      const read = reportOf(results[2]);
      if (!read) return null;
      return {
        option: read.status === 'ok' && read.data.role === 'admin' ? 'believed' : 'refused',
        observed: `The read came back with status “${read.status}” and role = ${JSON.stringify(read.data.role ?? null)}.`,
      };
    },
  },
];
