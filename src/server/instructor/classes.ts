/**
 * Classes an instructor runs: a name, a short join code learners type or scan, and the anonymous
 * learners who joined. Membership is the only link between a class and a learner; what the
 * instructor sees of members is aggregate (`class-figures.ts`) or pseudonymous (the CSV export).
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { SiteDb } from '../platform/site-db/open';
import type { ClassroomTable } from '../platform/site-db/tables';
import { changed, transaction, writeTransaction } from '../platform/site-db/transactions';

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

const classColumns = ['id', 'code', 'name', 'created_at'] as const;

async function countOf(query: {
  executeTakeFirstOrThrow(): Promise<{ count: number | string | bigint }>;
}): Promise<number> {
  return Number((await query.executeTakeFirstOrThrow()).count);
}

function toClassroom(row: ClassroomTable): Classroom {
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

export async function createClass(
  db: SiteDb,
  nameInput: unknown,
  now = Date.now(),
  generateCode: () => string = newJoinCode,
): Promise<Classroom> {
  const name = validateClassName(nameInput);
  return writeTransaction(db, 'classes', async (trx): Promise<Classroom> => {
    const classes = await countOf(
      trx.selectFrom('classroom').select((eb) => eb.fn.countAll().as('count')),
    );
    if (classes >= maxClasses) {
      throw new ClassInputError(
        `this server already has ${maxClasses} classes, the most it keeps; delete old ones first`,
        409,
      );
    }
    // A collision is one in millions per class; a few tries make failing practically impossible.
    for (let attempt = 0; attempt < 20; attempt++) {
      const code = generateCode();
      const taken = await trx
        .selectFrom('classroom')
        .select('id')
        .where('code', '=', code)
        .executeTakeFirst();
      if (taken) continue;
      const id = randomUUID();
      await trx.insertInto('classroom').values({ id, code, name, created_at: now }).execute();
      return { id, code, name, createdAt: new Date(now) };
    }
    throw new Error('could not find an unused join code');
  });
}

export async function listClasses(db: SiteDb): Promise<ClassroomSummary[]> {
  const rows = await db
    .selectFrom('classroom as c')
    .select((eb) => [
      'c.id',
      'c.code',
      'c.name',
      'c.created_at',
      eb
        .selectFrom('classroom_member as m')
        .select((member) => member.fn.countAll<number>().as('members'))
        .whereRef('m.classroom_id', '=', 'c.id')
        .as('members'),
    ])
    .orderBy('c.created_at', 'desc')
    .orderBy('c.id')
    .execute();
  return rows.map((row) => ({ ...toClassroom(row), members: Number(row.members ?? 0) }));
}

export async function getClass(db: SiteDb, id: string): Promise<Classroom | null> {
  if (id.length > 64) return null;
  const row = await db
    .selectFrom('classroom')
    .select(classColumns)
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? toClassroom(row) : null;
}

export async function findClassByCode(db: SiteDb, codeInput: unknown): Promise<Classroom | null> {
  const code = normalizeJoinCode(codeInput);
  if (code === null) return null;
  const row = await db
    .selectFrom('classroom')
    .select(classColumns)
    .where('code', '=', code)
    .executeTakeFirst();
  return row ? toClassroom(row) : null;
}

export async function memberCount(db: SiteDb, classId: string): Promise<number> {
  return countOf(
    db
      .selectFrom('classroom_member')
      .select((eb) => eb.fn.countAll().as('count'))
      .where('classroom_id', '=', classId),
  );
}

export async function isMember(db: SiteDb, classId: string, learnerId: string): Promise<boolean> {
  const row = await db
    .selectFrom('classroom_member')
    .select('learner_id')
    .where('classroom_id', '=', classId)
    .where('learner_id', '=', learnerId)
    .executeTakeFirst();
  return row !== undefined;
}

/** Adds the learner; joining twice keeps the first join time. Returns false if already a member. */
export async function joinClass(
  db: SiteDb,
  classId: string,
  learnerId: string,
  now = Date.now(),
): Promise<boolean> {
  // One lock per class: joins to different classes do not wait for each other.
  return writeTransaction(db, `class-members:${classId}`, async (trx) => {
    if (await isMember(trx, classId, learnerId)) return false;
    if ((await memberCount(trx, classId)) >= maxMembersPerClass) {
      throw new ClassInputError(
        `this class already has ${maxMembersPerClass} learners, the most a class takes`,
        409,
      );
    }
    const result = await trx
      .insertInto('classroom_member')
      .values({ classroom_id: classId, learner_id: learnerId, joined_at: now })
      .onConflict((conflict) => conflict.columns(['classroom_id', 'learner_id']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
  });
}

/** Removes the learner from the class; their own progress stays theirs. */
export async function leaveClass(db: SiteDb, classId: string, learnerId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('classroom_member')
    .where('classroom_id', '=', classId)
    .where('learner_id', '=', learnerId)
    .executeTakeFirst();
  return changed(result) === 1;
}

/**
 * Deletes the class and every membership in it. Learners' quiz attempts and progress are theirs
 * (they can delete them on /your-data/) and stay; nothing else refers to the class: figures and
 * CSV exports are computed on request and never stored, and the CSV pseudonyms are derived from
 * the class id, so a new class gives the same learners new ones.
 */
export async function deleteClass(
  db: SiteDb,
  id: string,
): Promise<{ deleted: boolean; memberships: number }> {
  return transaction(db, async (trx) => {
    const memberships = changed(
      await trx.deleteFrom('classroom_member').where('classroom_id', '=', id).executeTakeFirst(),
    );
    const deleted =
      changed(await trx.deleteFrom('classroom').where('id', '=', id).executeTakeFirst()) === 1;
    return { deleted, memberships };
  });
}
