/**
 * A class's quiz results as CSV (RFC 4180): one row per attempt a member made since joining, with
 * a per-class pseudonym instead of the learner id, so a spreadsheet can follow one learner across
 * quizzes without learning who they are or linking them to another class.
 */
import { createHash } from 'node:crypto';
import type { SiteDb } from '../platform/site-db/open';

/** Exports stop here; a class of 2 000 learners doing every quiz five times stays far below. */
export const maxExportRows = 100_000;

export const resultsCsvHeader = [
  'learner',
  'quiz',
  'quiz_title',
  'score_percent',
  'passed',
  'submitted_at',
] as const;

/**
 * The first 8 hex digits of SHA-256(class id ":" learner id). Learner ids are 160 random bits, so
 * the pseudonym cannot be turned back into one; 32 bits keep a class of thousands collision-free
 * in practice while staying short enough to read aloud.
 */
export function classPseudonym(classId: string, learnerId: string): string {
  return createHash('sha256').update(`${classId}:${learnerId}`, 'utf8').digest('hex').slice(0, 8);
}

/**
 * One CSV field: quoted when it holds a comma, quote, CR or LF, with quotes doubled. A text field
 * that a spreadsheet would run as a formula (= + - @ at the start) gets a leading apostrophe.
 */
export function csvField(value: string | number | boolean): string {
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(rows: readonly (readonly (string | number | boolean)[])[]): string {
  return rows.map((row) => row.map(csvField).join(',') + '\r\n').join('');
}

export interface ResultsCsv {
  csv: string;
  rows: number;
  truncated: boolean;
}

export async function classResultsCsv(
  db: SiteDb,
  classId: string,
  quizTitles: Readonly<Record<string, string>>,
): Promise<ResultsCsv> {
  const attempts = await db
    .selectFrom('classroom_member as m')
    .innerJoin('quiz_attempt as a', (join) =>
      join.onRef('a.learner_id', '=', 'm.learner_id').onRef('a.created_at', '>=', 'm.joined_at'),
    )
    .select(['a.learner_id', 'a.quiz_id', 'a.score_percent', 'a.passed', 'a.created_at'])
    .where('m.classroom_id', '=', classId)
    .orderBy('a.created_at')
    .orderBy('a.id')
    .limit(maxExportRows + 1)
    .execute();
  const truncated = attempts.length > maxExportRows;
  const rows = attempts
    .slice(0, maxExportRows)
    .map((attempt) => [
      classPseudonym(classId, attempt.learner_id),
      attempt.quiz_id,
      Object.hasOwn(quizTitles, attempt.quiz_id) ? quizTitles[attempt.quiz_id]! : '',
      attempt.score_percent,
      attempt.passed === 1 ? 'yes' : 'no',
      new Date(attempt.created_at).toISOString(),
    ]);
  return { csv: toCsv([resultsCsvHeader, ...rows]), rows: rows.length, truncated };
}
