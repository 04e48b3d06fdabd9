/**
 * Unpadded base64url (RFC 4648 §5), the alphabet itsdangerous writes cookies in.
 *
 * Decoding returns `null` instead of throwing: every caller decodes untrusted cookie text and
 * turns a failure into a status for the learner, so an exception would only be caught again.
 */

const BASE64URL_TEXT = /^[A-Za-z0-9_-]*$/;

export function encodeBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/**
 * Accepts unpadded text (as Flask writes it) and tolerates up to two `=` of padding. Returns null
 * for characters outside the alphabet and for lengths no encoder can produce (4n + 1).
 * Unused low bits in the last character are not checked: a caller that must reject every
 * altered character (signatures) compares encoded strings instead of decoded bytes.
 */
export function decodeBase64Url(text: string): Uint8Array | null {
  const unpadded = text.replace(/={1,2}$/, '');
  if (!BASE64URL_TEXT.test(unpadded) || unpadded.length % 4 === 1) return null;
  const padded = unpadded + '='.repeat((4 - (unpadded.length % 4)) % 4);
  return new Uint8Array(Buffer.from(padded, 'base64url'));
}

/**
 * Base64url that is exactly what an encoder writes: decoders ignore the unused low bits of the
 * last character, and for signed or sealed values a changed character must never decode to the
 * same bytes.
 */
export function decodeBase64UrlExact(text: string): Uint8Array | null {
  const bytes = decodeBase64Url(text);
  return bytes !== null && encodeBase64Url(bytes) === text ? bytes : null;
}
