import { flipMiddleCharacter, fromBase64url, reportOf, storeSetCookie } from './read-results';
import type { Checkpoint, StepResult } from './types';

/** The learner's sealed cookie with one character changed. */
function flippedCookie(earlier: readonly StepResult[]) {
  const cookie = storeSetCookie(reportOf(earlier.at(-1)));
  return {
    method: 'POST' as const,
    action: {
      action: 'tamper' as const,
      cookie: cookie?.name ?? 'sealed_session',
      value: flipMiddleCharacter(cookie?.value ?? ''),
    },
  };
}

export const encryptedCookieCheckpoints: Checkpoint[] = [
  {
    id: 'encrypted-cookie-hidden',
    lesson: 'encrypted-cookie',
    store: 'encrypted-cookie',
    question:
      'You set role = learner in the sealed cookie. Can someone without the key find “learner” in it?',
    setup:
      'Pressing sets role = learner in the encrypted-cookie demo; the check decodes every part of the cookie with no key.',
    pressLabel: 'Set role = learner',
    options: [
      {
        id: 'hidden',
        label: 'No: every part decodes to unreadable bytes',
        explanation:
          'AES-GCM encrypts the session: without the key the cookie is noise, though its length still shows roughly how big the session is.',
      },
      {
        id: 'readable',
        label: 'Yes: one part decodes to the JSON, as in Flask’s cookie',
        explanation: 'Part of the cookie decoded to readable session data without any key.',
      },
    ],
    steps: [{ method: 'POST', action: { action: 'set', key: 'role', value: 'learner' } }],
    outcome(results) {
      const cookie = storeSetCookie(reportOf(results[0]));
      if (!cookie) return null;
      const parts = cookie.value.split(/[.*~]/);
      const readable = parts.some((part) => (fromBase64url(part) ?? '').includes('learner'));
      return {
        option: readable ? 'readable' : 'hidden',
        observed: `${cookie.name} is ${cookie.nameValueBytes} bytes; decoding its ${parts.length} part${parts.length === 1 ? '' : 's'} without a key ${readable ? 'showed' : 'did not show'} the word “learner”.`,
      };
    },
  },
  {
    id: 'encrypted-cookie-flipped',
    lesson: 'encrypted-cookie',
    store: 'encrypted-cookie',
    question:
      'You change one character in the middle of the sealed cookie. What will the server do?',
    setup:
      'Pressing sets role = learner, plants the cookie with one character changed, then reads the session.',
    pressLabel: 'Change one character, then read',
    options: [
      {
        id: 'rejected',
        label: 'Refuse the cookie and start an empty session',
        explanation:
          'GCM’s authentication tag covers every byte: one changed character fails the check, so the server reads nothing from it.',
      },
      {
        id: 'garbled',
        label: 'Decrypt it into slightly wrong data',
        explanation: 'The server decrypted the changed cookie and used what came out.',
      },
      {
        id: 'unchanged',
        label: 'Read the session as before',
        explanation: 'The server read the same session as before the change.',
      },
    ],
    steps: [
      { method: 'POST', action: { action: 'set', key: 'role', value: 'learner' } },
      flippedCookie,
      { method: 'GET' },
    ],
    outcome(results) {
      const read = reportOf(results[2]);
      if (!read) return null;
      const option =
        read.status !== 'ok' ? 'rejected' : read.data.role === 'learner' ? 'unchanged' : 'garbled';
      return {
        option,
        observed: `The read came back with status “${read.status}”${read.reason ? ` (${read.reason})` : ''}.`,
      };
    },
  },
];
