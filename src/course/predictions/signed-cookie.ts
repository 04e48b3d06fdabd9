import { inflateSync } from 'node:zlib';
import { reportOf, storeSetCookie, toBase64url } from './read-results';
import type { Checkpoint, StepResult } from './types';

/**
 * The JSON inside a Flask session cookie, read without the key: `[.]payload.timestamp.signature`,
 * where a leading "." marks a zlib-compressed payload.
 */
export function flaskPayload(value: string): string | null {
  const compressed = value.startsWith('.');
  const payload = (compressed ? value.slice(1) : value).split('.')[0] ?? '';
  if (!/^[A-Za-z0-9_-]+$/.test(payload)) return null;
  const bytes = Buffer.from(payload, 'base64url');
  try {
    return (compressed ? inflateSync(bytes) : bytes).toString('utf8');
  } catch {
    return null;
  }
}

/** The learner's cookie with its payload replaced by `{"role":"admin"}`, signature kept. */
function forgedAdminCookie(earlier: readonly StepResult[]) {
  const cookie = storeSetCookie(reportOf(earlier.at(-1)));
  const value = cookie?.value ?? '';
  const [, timestamp = '', signature = ''] = (value.startsWith('.') ? value.slice(1) : value).split(
    '.',
  );
  return {
    method: 'POST' as const,
    action: {
      action: 'tamper' as const,
      cookie: cookie?.name ?? 'session',
      value: `${toBase64url('{"role":"admin"}')}.${timestamp}.${signature}`,
    },
  };
}

export const signedCookieCheckpoints: Checkpoint[] = [
  {
    id: 'signed-cookie-readable',
    lesson: 'signed-cookie',
    store: 'signed-cookie',
    question:
      'You set role = learner in Flask’s signed cookie. Can someone without the secret key read “learner” in it?',
    setup:
      'Pressing sets role = learner in the signed-cookie demo; the check decodes the cookie with no key.',
    pressLabel: 'Set role = learner',
    options: [
      {
        id: 'readable',
        label: 'Yes: base64url-decoding the first part shows the JSON',
        explanation:
          'Signing proves who wrote the cookie; it hides nothing. The first part is the session JSON in base64url.',
      },
      {
        id: 'hidden',
        label: 'No: without the key the value is unreadable',
        explanation: 'Decoding the cookie without a key did not reveal the data.',
      },
    ],
    steps: [{ method: 'POST', action: { action: 'set', key: 'role', value: 'learner' } }],
    outcome(results) {
      const cookie = storeSetCookie(reportOf(results[0]));
      if (!cookie) return null;
      const payload = flaskPayload(cookie.value);
      const readable = payload !== null && payload.includes('"role":"learner"');
      return {
        option: readable ? 'readable' : 'hidden',
        observed: readable
          ? `Decoding the first part of ${cookie.name} without any key gave ${payload!.slice(0, 120)}.`
          : `Decoding ${cookie.name} without a key gave nothing readable.`,
      };
    },
  },
  {
    id: 'signed-cookie-forged',
    lesson: 'signed-cookie',
    store: 'signed-cookie',
    question:
      'You replace the payload with {"role":"admin"} and keep the old timestamp and signature. What will Flask’s check do?',
    setup:
      'Pressing sets role = learner, plants the edited cookie with the old signature, then reads the session.',
    pressLabel: 'Forge role = admin, then read',
    options: [
      {
        id: 'rejected',
        label: 'Reject it and start an empty session',
        explanation:
          'The HMAC covers the payload; a changed payload no longer matches the signature, and without the key no one can make one that does.',
      },
      {
        id: 'believed',
        label: 'Accept it: the session now says admin',
        explanation: 'The server accepted the edited payload as if it had signed it.',
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
      const believed = read.status === 'ok' && read.data.role === 'admin';
      return {
        option: believed ? 'believed' : 'rejected',
        observed: `The read came back with status “${read.status}”${read.reason ? ` (${read.reason})` : ''}.`,
      };
    },
  },
];
