// Counts each lesson's main-path prose words (outside frontmatter, code, CodeTabs and GoDeeper folds), to keep main paths near 1,200 words.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const lessonsDir = new URL('../content/lessons/', import.meta.url).pathname;

/** Strips everything that is not main-path prose, then counts words (link targets and markup dropped). */
export function mainPathWords(source) {
  const text = source
    .replace(/^---\n[\s\S]*?\n---\n/, '')
    .replace(/^```[\s\S]*?^```/gm, '')
    .replace(/<GoDeeper[\s\S]*?<\/GoDeeper>/g, '')
    .replace(/<CodeTabs[\s\S]*?\/>\s*$/gm, '')
    .replace(/^import .*$/gm, '')
    .replace(/<[A-Z][^>]*\/>/g, '')
    .replace(/<\/?[A-Za-z][^>]*>/g, '')
    .replace(/\]\([^)]*\)/g, ']');
  return text.split(/\s+/).filter((word) => /[\p{L}\p{N}]/u.test(word)).length;
}

if (import.meta.url === `file://${process.argv[1]}`) printTable();

function printTable() {
  const rows = readdirSync(lessonsDir)
    .filter((name) => /\.mdx?$/.test(name))
    .map((name) => [name, mainPathWords(readFileSync(join(lessonsDir, name), 'utf8'))]);
  for (const [name, words] of rows.sort((a, b) => b[1] - a[1])) {
    console.log(`${String(words).padStart(6)}  ${name}`);
  }
}
