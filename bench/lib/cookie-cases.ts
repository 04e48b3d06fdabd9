/**
 * The four stores whose session travels in the cookie, each beside the one operation it cannot do
 * without. The primitives work on the same payload the store handles (for the signed cookie, the
 * very bytes the store signed), with keys made once and held the way each API prefers: a
 * KeyObject for node:crypto, a CryptoKey for jose. Raw key bytes cost an extra key set-up on every
 * call; the reference costs table shows how much.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  createSecretKey,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import { deflateSync, inflateSync } from 'node:zlib';
import { SignJWT, jwtVerify } from 'jose';
import { FLASK_SESSION_SALT } from '../../src/sessions/codecs/flask-session-cookie';
import { createEncryptedCookieStore } from '../../src/sessions/stores/encrypted-cookie/store';
import { createJwtStore } from '../../src/sessions/stores/jwt/store';
import { createPlainCookieStore } from '../../src/sessions/stores/plain-cookie/store';
import { createSignedCookieStore } from '../../src/sessions/stores/signed-cookie/store';
import { testInstance } from '../../tests/support/simulated-browser';
import { benchSecret, keep, type BenchCase } from './bench-case';
import { driveStore } from './driver';
import { since } from './measure';

const cookieInstance = (directory: string) => testInstance('bench-cookie', directory);

const plainCookie: BenchCase = {
  id: 'plain-cookie',
  network: false,
  async setup(session, { directory }, owner) {
    const store = createPlainCookieStore({ secure: false });
    const driver = await driveStore(store, cookieInstance(directory), session, owner);
    const cookie = driver.cookie();
    return {
      driver,
      load: {
        name: 'decodeURIComponent + JSON.parse',
        op: () => {
          const start = performance.now();
          keep(JSON.parse(decodeURIComponent(cookie)));
          return since(start);
        },
      },
      save: {
        name: 'JSON.stringify + encodeURIComponent',
        op: () => {
          const start = performance.now();
          keep(encodeURIComponent(JSON.stringify(session)));
          return since(start);
        },
      },
    };
  },
};

const signedCookie: BenchCase = {
  id: 'signed-cookie',
  network: false,
  async setup(session, { directory }, owner) {
    const store = createSignedCookieStore({ secrets: [benchSecret], secure: false });
    const driver = await driveStore(store, cookieInstance(directory), session, owner);
    // Flask's format: [.]payload "." timestamp "." signature, the leading "." meaning zlib.
    const cookie = driver.cookie();
    const signedPart = cookie.slice(0, cookie.lastIndexOf('.'));
    const signature = Buffer.from(cookie.slice(cookie.lastIndexOf('.') + 1), 'latin1');
    const payload = signedPart.slice(0, signedPart.lastIndexOf('.'));
    const compressed = payload.startsWith('.');
    const payloadBytes = Buffer.from(compressed ? payload.slice(1) : payload, 'base64url');
    const json = Buffer.from(JSON.stringify(session), 'utf8');
    // itsdangerous' "hmac" key derivation, done once here.
    const key = createSecretKey(
      createHmac('sha1', benchSecret).update(FLASK_SESSION_SALT).digest(),
    );
    const sign = () => Buffer.from(createHmac('sha1', key).update(signedPart).digest('base64url'));
    return {
      driver,
      note: compressed
        ? `Flask compresses this session (${json.length} B JSON → ${payloadBytes.length} B zlib), so the primitive includes deflate/inflate`
        : `Flask does not compress this session, so the primitive has no zlib`,
      load: {
        name: `HMAC-SHA1 verify${compressed ? ' + inflate' : ''}`,
        op: () => {
          const start = performance.now();
          keep(timingSafeEqual(sign(), signature));
          if (compressed) keep(inflateSync(payloadBytes));
          return since(start);
        },
      },
      save: {
        name: `${compressed ? 'deflate + ' : ''}HMAC-SHA1 sign`,
        op: () => {
          const start = performance.now();
          if (compressed) keep(deflateSync(json));
          keep(sign());
          return since(start);
        },
      },
    };
  },
};

const encryptedCookie: BenchCase = {
  id: 'encrypted-cookie',
  network: false,
  async setup(session, { directory }, owner) {
    const store = createEncryptedCookieStore({ secrets: [benchSecret], secure: false });
    const driver = await driveStore(store, cookieInstance(directory), session, owner);
    const key = createSecretKey(randomBytes(32));
    const aad = Buffer.from('v1.0123abcd', 'utf8');
    const iat = Math.floor(Date.now() / 1000);
    // What the store seals: the data inside an iat/exp envelope.
    const plaintext = Buffer.from(JSON.stringify({ iat, exp: iat + 14 * 86_400, data: session }));
    const seal = (iv: Buffer) => {
      const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
      cipher.setAAD(aad);
      return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    };
    const iv = randomBytes(12);
    const sealed = seal(iv);
    const ciphertext = sealed.subarray(0, sealed.length - 16);
    const tag = sealed.subarray(sealed.length - 16);
    return {
      driver,
      load: {
        name: 'AES-256-GCM open',
        op: () => {
          const start = performance.now();
          const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
          decipher.setAAD(aad);
          decipher.setAuthTag(tag);
          keep(Buffer.concat([decipher.update(ciphertext), decipher.final()]));
          return since(start);
        },
      },
      save: {
        name: 'AES-256-GCM seal (random IV)',
        op: () => {
          const start = performance.now();
          keep(seal(randomBytes(12)));
          return since(start);
        },
      },
    };
  },
};

const jwt: BenchCase = {
  id: 'jwt',
  network: false,
  async setup(session, { directory }, owner) {
    const store = createJwtStore({ secrets: [benchSecret], secure: false });
    const driver = await driveStore(store, cookieInstance(directory), session, owner);
    const key = await crypto.subtle.importKey(
      'raw',
      randomBytes(32),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign', 'verify'],
    );
    const iat = Math.floor(Date.now() / 1000);
    // The same header and claims the store writes, so the token is the same size.
    const sign = () =>
      new SignJWT({ data: session })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: '0123abcd' })
        .setIssuer('session-lab')
        .setIssuedAt(iat)
        .setExpirationTime(iat + 86_400)
        .sign(key);
    const token = await sign();
    return {
      driver,
      load: {
        name: 'jose jwtVerify HS256',
        op: async () => {
          const start = performance.now();
          keep(await jwtVerify(token, key, { algorithms: ['HS256'] }));
          return since(start);
        },
      },
      save: {
        name: 'jose SignJWT HS256',
        op: async () => {
          const start = performance.now();
          keep(await sign());
          return since(start);
        },
      },
    };
  },
};

export const cookieCases: BenchCase[] = [plainCookie, signedCookie, encryptedCookie, jwt];
