/**
 * Small costs that explain the gap between a store and its primitive: the codec work a store of
 * that kind must do (JSON, base64url, Flask's tagged JSON, the plain cookie's escaping), the
 * per-request extras some stores add (a SHA-256 of the token, a fresh random id, a deadline
 * timer, Flask's key derivation), and what handing a crypto API raw key bytes costs.
 */
import { createCipheriv, createHash, createHmac, createSecretKey, randomBytes } from 'node:crypto';
import { sha256 } from '@oslojs/crypto/sha2';
import { SignJWT, jwtVerify } from 'jose';
import { FLASK_SESSION_SALT } from '../../src/sessions/codecs/flask-session-cookie';
import { decodeTaggedJson, encodeTaggedJson } from '../../src/sessions/codecs/flask-tagged-json';
import { decodePlainCookie, encodePlainCookie } from '../../src/sessions/stores/plain-cookie/store';
import type { SessionData } from '../../src/sessions/types';
import { benchSecret, keep } from './bench-case';
import { since, type TimedOp } from './measure';
import { randomText } from './sessions';

export interface ReferenceCost {
  name: string;
  op: TimedOp;
}

function timed(work: () => unknown): TimedOp {
  return () => {
    const start = performance.now();
    keep(work());
    return since(start);
  };
}

function timedAsync(work: () => Promise<unknown>): TimedOp {
  return async () => {
    const start = performance.now();
    keep(await work());
    return since(start);
  };
}

/** Costs that grow with the session. */
export function sizedCosts(session: SessionData): ReferenceCost[] {
  const json = JSON.stringify(session);
  const bytes = Buffer.from(json, 'utf8');
  const base64url = bytes.toString('base64url');
  const flaskJson = encodeTaggedJson(session);
  const plainCookie = encodePlainCookie(session);
  return [
    { name: 'JSON.parse', op: timed(() => JSON.parse(json)) },
    { name: 'JSON.stringify', op: timed(() => JSON.stringify(session)) },
    { name: 'base64url encode (Buffer)', op: timed(() => bytes.toString('base64url')) },
    { name: 'base64url decode (Buffer)', op: timed(() => Buffer.from(base64url, 'base64url')) },
    { name: 'Flask tagged JSON encode (store codec)', op: timed(() => encodeTaggedJson(session)) },
    {
      name: 'Flask tagged JSON decode (store codec)',
      op: timed(() => decodeTaggedJson(flaskJson)),
    },
    { name: 'plain-cookie encode (store codec)', op: timed(() => encodePlainCookie(session)) },
    {
      name: 'plain-cookie decode (store codec)',
      op: timed(() => decodePlainCookie('plain_session', plainCookie)),
    },
  ];
}

/** Costs that do not depend on the session's size (the JWT rows use the 200 B session). */
export async function fixedCosts(smallSession: SessionData): Promise<ReferenceCost[]> {
  const secret = randomText(32);
  const encoder = new TextEncoder();
  const message = randomText(64);
  const rawKey = new Uint8Array(randomBytes(32));
  const keyObject = createSecretKey(rawKey);
  const cryptoKey = await crypto.subtle.importKey(
    'raw',
    rawKey,
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign', 'verify'],
  );
  const iv = randomBytes(12);
  const token = await new SignJWT({ data: smallSession })
    .setProtectedHeader({ alg: 'HS256' })
    .sign(rawKey);
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
      name: 'HMAC-SHA1 of 64 B, key as Buffer',
      op: timed(() => createHmac('sha1', Buffer.from(rawKey)).update(message).digest()),
    },
    {
      name: 'HMAC-SHA1 of 64 B, key as KeyObject',
      op: timed(() => createHmac('sha1', keyObject).update(message).digest()),
    },
    {
      name: 'AES-256-GCM cipher set-up, key as Uint8Array',
      op: timed(() => createCipheriv('aes-256-gcm', rawKey, iv)),
    },
    {
      name: 'AES-256-GCM cipher set-up, key as KeyObject',
      op: timed(() => createCipheriv('aes-256-gcm', keyObject, iv)),
    },
    {
      name: 'jose jwtVerify 200 B, key as Uint8Array',
      op: timedAsync(() => jwtVerify(token, rawKey, { algorithms: ['HS256'] })),
    },
    {
      name: 'jose jwtVerify 200 B, key as CryptoKey',
      op: timedAsync(() => jwtVerify(token, cryptoKey, { algorithms: ['HS256'] })),
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
