/**
 * Values for every route parameter: the real ones (so requests reach the code behind the
 * parameter) and odd ones (unknown, encoded, oversized, prototype names). A parameter without an
 * entry here fails the route-table test, so a new route cannot be fuzzed with placeholder text.
 */
import { readdirSync } from 'node:fs';
import { checkpoints } from '../../../src/course/predictions';
import { storeIds } from '../../../src/sessions/catalog';

/** Things the fuzzed site holds, made before the run: a class and a quiz attempt. */
export interface SiteFixtures {
  classId: string;
  joinCode: string;
  attemptId: string;
}

const names = (dir: string, extension: RegExp) =>
  readdirSync(dir)
    .filter((file) => extension.test(file))
    .map((file) => file.replace(extension, ''));

export const quizIds = names('quizzes', /\.yaml$/);
export const lessonIds = names('content/lessons', /\.mdx?$/);
export const checkpointIds = checkpoints.map((checkpoint) => checkpoint.id);

const oddValues = [
  'nope',
  '__proto__',
  'constructor',
  '%2e%2e',
  '..%2F..%2Fetc',
  '%00',
  'x'.repeat(300),
];

export function paramValues(fixtures: SiteFixtures): Record<string, string[]> {
  return {
    store: [...storeIds, 'SQLITE', 'sqlite.json', ...oddValues],
    quiz: [...quizIds, ...oddValues],
    slug: [...lessonIds, ...oddValues],
    // A class id (instructor pages) or a checkpoint id (a prediction's result page).
    id: [fixtures.classId, ...checkpointIds, '0', '-1', '1e3', ...oddValues],
    checkpoint: [...checkpointIds, ...oddValues],
    attempt: [fixtures.attemptId, '0', '-1', '1.5', 'NaN', '9007199254740993', ...oddValues],
    status: ['400', '405', '411', '413', '500', '404', ...oddValues],
    code: [fixtures.joinCode, fixtures.joinCode.toLowerCase(), 'AAAAAA', ...oddValues],
  };
}

/** Files the site serves as they are: everything the build put next to the pages. */
export function staticAssets(): string[] {
  return readdirSync('dist/client', { recursive: true, encoding: 'utf8' })
    .map((file) => file.split('\\').join('/'))
    .filter((file) => /\.[a-z0-9_]+$/i.test(file) && !file.endsWith('.html'))
    .map((file) => `/${file}`)
    .sort();
}
