/**
 * Small costs that explain the gap between a store and its primitive: the codec work every store
 * of that kind must do (JSON, base64url) and the per-request extras some stores add (a SHA-256 of
 * the token, a fresh random id, a deadline timer, Flask's key derivation).
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { sha256 } from '@oslojs/crypto/sha2';
import { FLASK_SESSION_SALT } from '../../src/sessions/codecs/flask-session-cookie';
import type { SessionData } from '../../src/sessions/types';
import { benchSecret, keep } from './bench-case';
import { since, type TimedOp } from './measure';
import { randomText } from './sessions';

export interface ReferenceCost {
  name: string;
  op: TimedOp;
}

/** Costs that grow with the session. */
export function sizedCosts(session: SessionData): ReferenceCost[] {
  const json = JSON.stringify(session);
  const bytes = Buffer.from(json, 'utf8');
  const base64url = bytes.toString('base64url');
  const timed =
    (work: () => unknown): TimedOp =>
    () => {
      const start = performance.now();
      keep(work());
      return since(start);
    };
  return [
    { name: 'JSON.parse', op: timed(() => JSON.parse(json)) },
    { name: 'JSON.stringify', op: timed(() => JSON.stringify(session)) },
    { name: 'base64url encode (Buffer)', op: timed(() => bytes.toString('base64url')) },
    { name: 'base64url decode (Buffer)', op: timed(() => Buffer.from(base64url, 'base64url')) },
  ];
}

/** Costs that do not depend on the session's size. */
export function fixedCosts(): ReferenceCost[] {
  const secret = randomText(32);
  const encoder = new TextEncoder();
  const timed =
    (work: () => unknown): TimedOp =>
    () => {
      const start = performance.now();
      keep(work());
      return since(start);
    };
  return [
    {
      name: 'SHA-256 of a token secret (@oslojs/crypto)',
      op: timed(() => sha256(encoder.encode(secret))),
    },
    {
      name: 'SHA-256 of a token secret (node:crypto)',
      op: timed(() => createHash('sha256').update(secret).digest()),
    },
    {
      name: 'Flask key derivation HMAC-SHA1(secret, salt)',
      op: timed(() => createHmac('sha1', benchSecret).update(FLASK_SESSION_SALT).digest()),
    },
    {
      name: 'random session id (32 bytes, base64url)',
      op: timed(() => randomBytes(32).toString('base64url')),
    },
    {
      name: 'deadline timer (setTimeout + clearTimeout)',
      op: timed(() => clearTimeout(setTimeout(() => {}, 500))),
    },
  ];
}
