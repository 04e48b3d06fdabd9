/**
 * The two bits of Markdown scenario text uses, `code` and [a link](https://…), split into parts a
 * Svelte or Astro component renders as elements. No HTML passes through: every part is text.
 */
export type InlinePart =
  | { kind: 'text'; text: string }
  | { kind: 'code'; text: string }
  | { kind: 'link'; text: string; href: string };

const token = /`([^`]+)`|\[([^\]]+)\]\((https:\/\/[^)\s]+)\)/g;

export function inlineParts(source: string): InlinePart[] {
  const parts: InlinePart[] = [];
  let last = 0;
  for (const match of source.matchAll(token)) {
    if (match.index > last) parts.push({ kind: 'text', text: source.slice(last, match.index) });
    if (match[1] !== undefined) parts.push({ kind: 'code', text: match[1] });
    else parts.push({ kind: 'link', text: match[2]!, href: match[3]! });
    last = match.index + match[0].length;
  }
  if (last < source.length) parts.push({ kind: 'text', text: source.slice(last) });
  return parts;
}

/** Every link's address in the text, for the test that checks sources are primary and https. */
export function inlineLinks(source: string): string[] {
  return inlineParts(source).flatMap((part) => (part.kind === 'link' ? [part.href] : []));
}
