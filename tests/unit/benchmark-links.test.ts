/**
 * Lessons link every measured figure to `/benchmarks/#<id>`; the page is built from
 * src/course/benchmarks.ts. A link to an id that is not listed, a benchmark whose file is gone,
 * or a listed lesson that no longer quotes its benchmark fails here rather than leaving a reader
 * on a page without the figure's source.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { benchmarks } from '../../src/course/benchmarks';

const lessonsDir = path.resolve('content/lessons');
const lessonFiles = readdirSync(lessonsDir).filter((file) => /\.mdx?$/.test(file));
const linkPattern = /\/benchmarks\/#([a-z0-9-]+)/g;

/** Benchmark ids each lesson links, by lesson id (file name without extension). */
function linksByLesson(): Map<string, Set<string>> {
  const links = new Map<string, Set<string>>();
  for (const file of lessonFiles) {
    const text = readFileSync(path.join(lessonsDir, file), 'utf8');
    const ids = new Set([...text.matchAll(linkPattern)].map((match) => match[1]!));
    links.set(file.replace(/\.mdx?$/, ''), ids);
  }
  return links;
}

describe('benchmark links', () => {
  const known = new Set(benchmarks.map((benchmark) => benchmark.id));

  it('gives every benchmark a unique id', () => {
    expect(known.size).toBe(benchmarks.length);
  });

  it('links lessons only to benchmarks the page lists', () => {
    for (const [lesson, ids] of linksByLesson()) {
      for (const id of ids) expect(known, `${lesson} links /benchmarks/#${id}`).toContain(id);
    }
  });

  it('points every benchmark at a file that exists', () => {
    for (const benchmark of benchmarks) {
      expect(existsSync(path.resolve(benchmark.file)), benchmark.file).toBe(true);
    }
  });

  it('names as quoting lessons only lessons that link the benchmark', () => {
    const links = linksByLesson();
    for (const benchmark of benchmarks) {
      for (const lesson of benchmark.quotedIn) {
        expect(links.get(lesson), `${lesson} should link /benchmarks/#${benchmark.id}`).toContain(
          benchmark.id,
        );
      }
    }
  });
});
