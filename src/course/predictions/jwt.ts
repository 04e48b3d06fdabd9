import { fromBase64url, reportOf, storeSetCookie, toBase64url } from './read-results';
import type { Checkpoint } from './types';

export const jwtCheckpoints: Checkpoint[] = [
  {
    id: 'jwt-readable',
    lesson: 'jwt',
    store: 'jwt',
    question:
      'You set role = learner in the JWT cookie. Can someone without the key read the claims?',
    setup:
      'Pressing sets role = learner in the JWT demo; the check decodes the token’s middle part with no key.',
    pressLabel: 'Set role = learner',
    options: [
      {
        id: 'readable',
        label: 'Yes: the middle part is base64url JSON with the session in it',
        explanation:
          'A signed JWT (JWS) is encoded, not encrypted: anyone can read its claims; only changing them is prevented.',
      },
      {
        id: 'hidden',
        label: 'No: the claims are encrypted',
        explanation: 'Decoding the token without a key did not show the claims.',
      },
    ],
    steps: [{ method: 'POST', action: { action: 'set', key: 'role', value: 'learner' } }],
    outcome(results) {
      const cookie = storeSetCookie(reportOf(results[0]));
      if (!cookie) return null;
      const claims = fromBase64url(cookie.value.split('.')[1] ?? '') ?? '';
      const readable = claims.includes('"role":"learner"');
      return {
        option: readable ? 'readable' : 'hidden',
        observed: readable
          ? `The token’s middle part decodes, with no key, to ${claims.slice(0, 140)}.`
          : 'The token’s middle part did not decode to readable claims.',
      };
    },
  },
  {
    id: 'jwt-alg-none',
    lesson: 'jwt',
    store: 'jwt',
    question:
      'You send a token whose header says "alg": "none", with role = admin and no signature. What will the server do?',
    setup:
      'Pressing plants an unsigned token (alg none, role admin) in the JWT cookie, then reads the session.',
    pressLabel: 'Plant an alg-none token, then read',
    options: [
      {
        id: 'rejected',
        label: 'Refuse it: the server decides the algorithm, not the token',
        explanation:
          'This server pins HS256 and refuses any other alg before looking at the payload, so an unsigned token proves nothing.',
      },
      {
        id: 'believed',
        label: 'Accept it: the header says no signature is needed',
        explanation:
          'The server let the token choose its own algorithm, the classic alg-none hole: anyone can now claim any role.',
      },
    ],
    steps: [
      {
        method: 'POST',
        action: {
          action: 'tamper',
          cookie: 'jwt',
          value: `${toBase64url('{"alg":"none","typ":"JWT"}')}.${toBase64url('{"data":{"role":"admin"}}')}.`,
        },
      },
      { method: 'GET' },
    ],
    outcome(results) {
      const read = reportOf(results[1]);
      if (!read) return null;
      const believed = read.status === 'ok' && read.data.role === 'admin';
      return {
        option: believed ? 'believed' : 'rejected',
        observed: `The read came back with status “${read.status}”${read.reason ? ` (${read.reason})` : ''}.`,
      };
    },
  },
];
