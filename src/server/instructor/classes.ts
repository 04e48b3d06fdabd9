/**
 * Classes an instructor runs: a name, a short join code learners type or scan, and the anonymous
 * learners who joined. Membership is the only link between a class and a learner; what the
 * instructor sees of members is aggregate (`class-figures.ts`) or pseudonymous (the CSV export).
 */
import { randomInt, randomUUID } from 'node:crypto';
import { preparedFor, type Database } from '../platform/database';

/**
 * Join codes avoid letters and digits that read alike on a projector or a phone keyboard
 * (0/O, 1/I/L, 5/S, 2/Z, 8/B): 25 symbols, so six of them give 244 million codes.
 */
export const joinCodeAlphabet = 'ACDEFGHJKMNPQRTUVWXY34679';
export const joinCodeLength = 6;
export const maxClassNameLength = 80;
/** Bounds, so a signed-in instructor's slip (or script) cannot fill the database. */
export const maxClasses = 500;
export const maxMembersPerClass = 2_000;

export interface Classroom {
  id: string;
  code: string;
  name: string;
  createdAt: Date;
}

export interface ClassroomSummary extends Classroom {
  members: number;
}

/** Input an instructor or learner can fix: routes answer it with 400 (or 409 when full). */
export class ClassInputError extends Error {
  override name = 'ClassInputError';
  constructor(
    message: string,
    readonly status: 400 | 404 | 409 = 400,
  ) {
    super(message);
  }
}

interface ClassRow {
  id: string;
  code: string;
  name: string;
  created_at: number;
}

function prepareStatements(db: Database) {
  return {
    insert: db.prepare<[string, string, string, number]>(
      'INSERT INTO classroom (id, code, name, created_at) VALUES (?, ?, ?, ?)',
    ),
    count: db.prepare<[], number>('SELECT count(*) FROM classroom').pluck(),
    codeTaken: db
      .prepare<[string], number>('SELECT count(*) FROM classroom WHERE code = ?')
      .pluck(),
    byId: db.prepare<[string], ClassRow>(
      'SELECT id, code, name, created_at FROM classroom WHERE id = ?',
    ),
    byCode: db.prepare<[string], ClassRow>(
      'SELECT id, code, name, created_at FROM classroom WHERE code = ?',
    ),
    list: db.prepare<[], ClassRow & { members: number }>(
      `SELECT c.id, c.code, c.name, c.created_at,
              (SELECT count(*) FROM classroom_member m WHERE m.classroom_id = c.id) AS members
       FROM classroom AS c ORDER BY c.created_at DESC, c.id`,
    ),
    memberCount: db
      .prepare<[string], number>('SELECT count(*) FROM classroom_member WHERE classroom_id = ?')
      .pluck(),
    isMember: db
      .prepare<[string, string], number>(
        'SELECT count(*) FROM classroom_member WHERE classroom_id = ? AND learner_id = ?',
      )
      .pluck(),
    join: db.prepare<[string, string, number]>(
      `INSERT INTO classroom_member (classroom_id, learner_id, joined_at) VALUES (?, ?, ?)
       ON CONFLICT (classroom_id, learner_id) DO NOTHING`,
    ),
    leave: db.prepare<[string, string]>(
      'DELETE FROM classroom_member WHERE classroom_id = ? AND learner_id = ?',
    ),
    deleteMembers: db.prepare<[string]>('DELETE FROM classroom_member WHERE classroom_id = ?'),
    deleteClass: db.prepare<[string]>('DELETE FROM classroom WHERE id = ?'),
  };
}

const statementCache = new WeakMap<Database, ReturnType<typeof prepareStatements>>();
const statementsFor = (db: Database) => preparedFor(statementCache, db, prepareStatements);

function toClassroom(row: ClassRow): Classroom {
  return { id: row.id, code: row.code, name: row.name, createdAt: new Date(row.created_at) };
}

/** A trimmed name of 1–80 characters without control characters, or a ClassInputError. */
export function validateClassName(input: unknown): string {
  if (typeof input !== 'string') throw new ClassInputError('give the class a name');
  const name = input.trim().replace(/\s+/g, ' ');
  if (name === '') throw new ClassInputError('give the class a name');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) {
    throw new ClassInputError('the class name cannot contain control characters');
  }
  // Counted in characters (code points), as SQLite's length() counts them.
  const length = [...name].length;
  if (length > maxClassNameLength) {
    throw new ClassInputError(
      `the class name has ${length} characters; at most ${maxClassNameLength}`,
    );
  }
  return name;
}

/**
 * The code as stored, from what a learner typed: case, spaces and dashes do not matter. Null when
 * it cannot be a code at all (wrong length or a symbol the alphabet leaves out).
 */
export function normalizeJoinCode(input: unknown): string | null {
  if (typeof input !== 'string' || input.length > 40) return null;
  const code = input.toUpperCase().replace(/[\s-]/g, '');
  if (code.length !== joinCodeLength) return null;
  return [...code].every((symbol) => joinCodeAlphabet.includes(symbol)) ? code : null;
}

export function newJoinCode(): string {
  let code = '';
  for (let index = 0; index < joinCodeLength; index++) {
    code += joinCodeAlphabet[randomInt(joinCodeAlphabet.length)];
  }
  return code;
}

export function createClass(
  db: Database,
  nameInput: unknown,
  now = Date.now(),
  generateCode: () => string = newJoinCode,
): Classroom {
  const name = validateClassName(nameInput);
  const statements = statementsFor(db);
  const create = db.transaction((): Classroom => {
    if (statements.count.get()! >= maxClasses) {
      throw new ClassInputError(
        `this server already has ${maxClasses} classes, the most it keeps; delete old ones first`,
        409,
      );
    }
    // A collision is one in millions per class; a few tries make failing practically impossible.
    for (let attempt = 0; attempt < 20; attempt++) {
      const code = generateCode();
      if (statements.codeTaken.get(code)! > 0) continue;
      const id = randomUUID();
      statements.insert.run(id, code, name, now);
      return { id, code, name, createdAt: new Date(now) };
    }
    throw new Error('could not find an unused join code');
  });
  return create.immediate();
}

export function listClasses(db: Database): ClassroomSummary[] {
  return statementsFor(db)
    .list.all()
    .map((row) => ({ ...toClassroom(row), members: row.members }));
}

export function getClass(db: Database, id: string): Classroom | null {
  if (id.length > 64) return null;
  const row = statementsFor(db).byId.get(id);
  return row ? toClassroom(row) : null;
}

export function findClassByCode(db: Database, codeInput: unknown): Classroom | null {
  const code = normalizeJoinCode(codeInput);
  if (code === null) return null;
  const row = statementsFor(db).byCode.get(code);
  return row ? toClassroom(row) : null;
}

export function memberCount(db: Database, classId: string): number {
  return statementsFor(db).memberCount.get(classId) ?? 0;
}

export function isMember(db: Database, classId: string, learnerId: string): boolean {
  return (statementsFor(db).isMember.get(classId, learnerId) ?? 0) > 0;
}

/** Adds the learner; joining twice keeps the first join time. Returns false if already a member. */
export function joinClass(db: Database, classId: string, learnerId: string, now = Date.now()) {
  const statements = statementsFor(db);
  const join = db.transaction((): boolean => {
    if (statements.isMember.get(classId, learnerId)! > 0) return false;
    if (statements.memberCount.get(classId)! >= maxMembersPerClass) {
      throw new ClassInputError(
        `this class already has ${maxMembersPerClass} learners, the most a class takes`,
        409,
      );
    }
    return statements.join.run(classId, learnerId, now).changes === 1;
  });
  return join.immediate();
}

/** Removes the learner from the class; their own progress stays theirs. */
export function leaveClass(db: Database, classId: string, learnerId: string): boolean {
  return statementsFor(db).leave.run(classId, learnerId).changes === 1;
}

/**
 * Deletes the class and every membership in it. Learners' quiz attempts and progress are theirs
 * (they can delete them on /your-data/) and stay; nothing else refers to the class: figures and
 * CSV exports are computed on request and never stored, and the CSV pseudonyms are derived from
 * the class id, so a new class gives the same learners new ones.
 */
export function deleteClass(db: Database, id: string): { deleted: boolean; memberships: number } {
  const statements = statementsFor(db);
  return db.transaction(() => {
    const memberships = statements.deleteMembers.run(id).changes;
    const deleted = statements.deleteClass.run(id).changes === 1;
    return { deleted, memberships };
  })();
}
