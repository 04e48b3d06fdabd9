import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { quizSchema } from '../../src/course/schemas';
import {
  ClassInputError,
  createClass,
  deleteClass,
  findClassByCode,
  getClass,
  isMember,
  joinClass,
  joinCodeAlphabet,
  leaveClass,
  listClasses,
  newJoinCode,
  normalizeJoinCode,
  validateClassName,
} from '../../src/server/instructor/classes';
import { type Database } from '../../src/server/platform/database';
import type { SiteDb } from '../../src/server/platform/site-db/open';
import { memorySiteDb, type TestSiteDb } from '../support/site-db';
import {
  classPseudonym,
  classResultsCsv,
  csvField,
  resultsCsvHeader,
} from '../../src/server/instructor/results-csv';
import { LearnerSessions } from '../../src/server/learner/learner-sessions';
import { recordQuizAttempt } from '../../src/server/learner/progress';
import { gradeQuiz } from '../../src/course/quiz-grading';

const quiz = quizSchema.parse({
  title: 'Cookies, "signed", and sealed',
  passPercent: 50,
  questions: [
    {
      id: 'readable',
      kind: 'single',
      prompt: 'Can the browser read a signed cookie?',
      options: [
        { id: 'yes', text: 'Yes', correct: true, explanation: 'Signing is not encryption.' },
        { id: 'no', text: 'No', explanation: 'It is only signed.' },
      ],
    },
  ],
});

let site: TestSiteDb;
let db: SiteDb;
let file: Database;
let learners: LearnerSessions;

beforeEach(async () => {
  site = memorySiteDb();
  ({ db, file } = site);
  learners = new LearnerSessions(db);
});

afterEach(() => site.close());

/** `count` new learners' ids, made one after another. */
async function newLearners(count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let made = 0; made < count; made++) ids.push((await learners.createLearner()).id);
  return ids;
}

describe('class names and join codes', () => {
  it('trims names, keeps up to 80 characters and refuses the rest', async () => {
    expect(validateClassName('  Web  security\tA  ')).toBe('Web security A');
    expect(validateClassName('é'.repeat(80))).toHaveLength(80);
    expect(() => validateClassName('x'.repeat(81))).toThrow(ClassInputError);
    expect(() => validateClassName('   ')).toThrow(/name/);
    expect(() => validateClassName(42)).toThrow(ClassInputError);
    expect(() => validateClassName('a\u0000b')).toThrow(/control/);
  });

  it('makes six-symbol codes from the unambiguous alphabet', async () => {
    for (let index = 0; index < 200; index++) {
      const code = newJoinCode();
      expect(code).toMatch(/^[A-Z0-9]{6}$/);
      for (const symbol of code) expect(joinCodeAlphabet).toContain(symbol);
    }
    for (const confusable of ['0', 'O', '1', 'I', 'L']) {
      expect(joinCodeAlphabet).not.toContain(confusable);
    }
  });

  it('reads codes as learners type them', async () => {
    expect(normalizeJoinCode('acd-efg')).toBe('ACDEFG');
    expect(normalizeJoinCode(' ac def g ')).toBe('ACDEFG');
    expect(normalizeJoinCode('ACDEF')).toBeNull();
    expect(normalizeJoinCode('ACDEF0')).toBeNull();
    expect(normalizeJoinCode('x'.repeat(100))).toBeNull();
    expect(normalizeJoinCode(undefined)).toBeNull();
  });

  it('gives every class a unique code, trying again on a collision', async () => {
    const codes = ['AAAAAA', 'AAAAAA', 'CCCCCC'];
    const first = await createClass(db, 'First', 1, () => 'AAAAAA');
    const second = await createClass(db, 'Second', 2, () => codes.shift()!);
    expect(first.code).toBe('AAAAAA');
    expect(second.code).toBe('CCCCCC');
    expect((await findClassByCode(db, 'cccccc'))?.id).toBe(second.id);
    expect((await getClass(db, first.id))?.name).toBe('First');
  });
});

describe('membership', () => {
  it('joins once, lists member counts, and leaves', async () => {
    const classroom = await createClass(db, 'Morning group');
    const learner = (await learners.createLearner()).id;
    expect(await joinClass(db, classroom.id, learner, 10)).toBe(true);
    expect(await joinClass(db, classroom.id, learner, 20)).toBe(false);
    expect(await isMember(db, classroom.id, learner)).toBe(true);
    expect(await listClasses(db)).toEqual([
      expect.objectContaining({ id: classroom.id, members: 1 }),
    ]);
    expect(await leaveClass(db, classroom.id, learner)).toBe(true);
    expect(await isMember(db, classroom.id, learner)).toBe(false);
  });

  it('loses the membership when the learner deletes their data', async () => {
    const classroom = await createClass(db, 'Evening group');
    const learner = (await learners.createLearner()).id;
    await joinClass(db, classroom.id, learner);
    file.prepare('DELETE FROM learner WHERE id = ?').run(learner);
    expect((await listClasses(db))[0]?.members).toBe(0);
  });

  it('deletes a class with its memberships and leaves the learners’ progress alone', async () => {
    const classroom = await createClass(db, 'Short course');
    const learner = (await learners.createLearner()).id;
    await joinClass(db, classroom.id, learner, 0);
    await recordQuizAttempt(db, learner, 'signed', gradeQuiz(quiz, { readable: ['yes'] }), 5);
    expect(await deleteClass(db, classroom.id)).toEqual({ deleted: true, memberships: 1 });
    expect(await getClass(db, classroom.id)).toBeNull();
    expect(await findClassByCode(db, classroom.code)).toBeNull();
    expect(file.prepare('SELECT count(*) FROM classroom_member').pluck().get()).toBe(0);
    expect(file.prepare('SELECT count(*) FROM quiz_attempt').pluck().get()).toBe(1);
    expect(await deleteClass(db, classroom.id)).toEqual({ deleted: false, memberships: 0 });
  });
});

/** A minimal RFC 4180 reader, independent of the writer under test. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        field += '"';
        index++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\r' && text[index + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      index++;
    } else field += char;
  }
  return rows;
}

describe('the results export', () => {
  it('quotes fields that need it and defuses spreadsheet formulas', async () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('=SUM(A1)')).toBe("'=SUM(A1)");
    expect(csvField(75)).toBe('75');
  });

  it('lists members’ attempts since joining, under per-class pseudonyms', async () => {
    const classroom = await createClass(db, 'Export me');
    const other = await createClass(db, 'Another class');
    const [alice, bob, outsider] = await newLearners(3);
    await recordQuizAttempt(db, alice!, 'signed', gradeQuiz(quiz, { readable: ['no'] }), 500);
    await joinClass(db, classroom.id, alice!, 1_000);
    await joinClass(db, classroom.id, bob!, 1_000);
    await joinClass(db, other.id, alice!, 1_000);
    await recordQuizAttempt(db, alice!, 'signed', gradeQuiz(quiz, { readable: ['no'] }), 2_000);
    await recordQuizAttempt(db, alice!, 'signed', gradeQuiz(quiz, { readable: ['yes'] }), 3_000);
    await recordQuizAttempt(db, bob!, 'signed', gradeQuiz(quiz, { readable: ['yes'] }), 4_000);
    await recordQuizAttempt(db, outsider!, 'signed', gradeQuiz(quiz, { readable: ['yes'] }), 4_000);

    const { csv, rows, truncated } = await classResultsCsv(db, classroom.id, {
      signed: quiz.title,
    });
    expect(truncated).toBe(false);
    expect(rows).toBe(3);
    expect(csv.endsWith('\r\n')).toBe(true);
    const parsed = parseCsv(csv);
    expect(parsed[0]).toEqual([...resultsCsvHeader]);
    const a = classPseudonym(classroom.id, alice!);
    const b = classPseudonym(classroom.id, bob!);
    expect(a).toMatch(/^[0-9a-f]{8}$/);
    expect(a).not.toBe(classPseudonym(other.id, alice!));
    expect(parsed.slice(1)).toEqual([
      [a, 'signed', quiz.title, '0', 'no', new Date(2_000).toISOString()],
      [a, 'signed', quiz.title, '100', 'yes', new Date(3_000).toISOString()],
      [b, 'signed', quiz.title, '100', 'yes', new Date(4_000).toISOString()],
    ]);
    for (const learner of [alice, bob, outsider]) expect(csv).not.toContain(learner);
  });
});
