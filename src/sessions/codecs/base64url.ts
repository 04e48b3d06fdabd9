/**
 * Unpadded base64url (RFC 4648 §5), the alphabet itsdangerous writes cookies in.
 *
 * Decoding returns `null` instead of throwing: every caller decodes untrusted cookie text and
 * turns a failure into a status for the learner, so an exception would only be caught again.
 *
 * Node's decoder is lenient (it skips characters outside the alphabet and also reads `+` and `/`),
 * so the text is checked against what the decoded bytes encode to, rather than with a regular
 * expression over the whole text, which costs several times more on a cookie-sized value.
 */

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
  const unpadded = text.endsWith('=') ? text.replace(/={1,2}$/, '') : text;
  const bytes = Buffer.from(unpadded, 'base64url');
  const encoded = bytes.toString('base64url');
  if (encoded === unpadded) return bytes;
  // Otherwise only the last character may differ, in its unused low bits, and it must still be in
  // the alphabet. A skipped character or a 4n + 1 length shows as a shorter encoding.
  const last = unpadded.length - 1;
  const sameBefore =
    encoded.length === unpadded.length && encoded.slice(0, last) === unpadded.slice(0, last);
  return sameBefore && isAlphabetCharacter(unpadded.charCodeAt(last)) ? bytes : null;
}

/**
 * Base64url that is exactly what an encoder writes: decoders ignore the unused low bits of the
 * last character, and for signed or sealed values a changed character must never decode to the
 * same bytes.
 */
export function decodeBase64UrlExact(text: string): Uint8Array | null {
  const bytes = Buffer.from(text, 'base64url');
  // Text an encoder wrote encodes back to itself; nothing else does, whatever Node decoded.
  return bytes.toString('base64url') === text ? bytes : null;
}

function isAlphabetCharacter(code: number): boolean {
  return (
    (code >= 0x41 && code <= 0x5a) || // A–Z
    (code >= 0x61 && code <= 0x7a) || // a–z
    (code >= 0x30 && code <= 0x39) || // 0–9
    code === 0x2d || // -
    code === 0x5f // _
  );
}
