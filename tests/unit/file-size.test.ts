/**
 * Small files, one idea each: no source file under src/ passes 400 lines. A file that grows past
 * it is the cue to split it by its ideas, as the demo console and the stores were split.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const limit = 400;
const sourceFile = /\.(ts|svelte|astro|mjs)$/;

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return sourceFile.test(entry.name) ? [path] : [];
  });
}

const lineCount = (path: string) => readFileSync(path, 'utf8').split('\n').length;

describe('source files', () => {
  it(`finds the source files it measures`, () => {
    expect(sourceFiles('src').length).toBeGreaterThan(100);
  });

  it(`stay within ${limit} lines each`, () => {
    const long = sourceFiles('src')
      .map((path) => ({ path, lines: lineCount(path) }))
      .filter(({ lines }) => lines > limit);
    expect(long).toEqual([]);
  });
});
