/**
 * Single-character edits of a cookie value: the smallest forgery there is. Positions are spread
 * over the whole value (first and last character always), so every part of a token is hit: the
 * payload, the timestamp, the signature, an id's unused low bits in its last character.
 */

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** The value with the character at `position` replaced by the next one in base64url order. */
export function bumpCharacter(value: string, position: number, step = 1): string {
  const current = value[position]!;
  const at = alphabet.indexOf(current);
  // Outside the alphabet ('.', '%', '{'): any letter is a change.
  const replacement = at === -1 ? 'A' : alphabet[(at + step) % alphabet.length]!;
  return value.slice(0, position) + replacement + value.slice(position + 1);
}

/** Up to `count` positions, evenly spread, always including the first and the last. */
export function spreadPositions(length: number, count: number): number[] {
  if (length <= count) return Array.from({ length }, (_, index) => index);
  const positions = new Set<number>();
  for (let index = 0; index < count; index++) {
    positions.add(Math.round((index * (length - 1)) / (count - 1)));
  }
  return [...positions];
}
