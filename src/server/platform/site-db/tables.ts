/**
 * The site's own tables as the query builder sees them, one interface per table, in the column
 * types both databases return: times are integer milliseconds since the epoch (BIGINT in
 * PostgreSQL, parsed to numbers), flags are 0 or 1, hashes are bytes. The schema itself is in
 * `../migrations.ts`; a column added there is added here.
 */
import type { Generated } from 'kysely';

export interface LearnerTable {
  id: string;
  created_at: number;
  last_active_at: number;
}

export interface LearnerSessionTable {
  id: string;
  secret_hash: Uint8Array;
  learner_id: string;
  created_at: number;
  expires_at: number;
  last_seen_at: number;
}

export interface QuizAttemptTable {
  id: Generated<number>;
  learner_id: string;
  quiz_id: string;
  score_percent: number;
  passed: 0 | 1;
  answers_json: string;
  created_at: number;
}

export interface LessonProgressTable {
  learner_id: string;
  lesson_id: string;
  first_visited_at: number;
  completed_at: number | null;
}

export interface InstructorSessionTable {
  id: string;
  secret_hash: Uint8Array;
  created_at: number;
  expires_at: number;
  last_seen_at: number;
}

export interface ClassroomTable {
  id: string;
  code: string;
  name: string;
  created_at: number;
}

export interface ClassroomMemberTable {
  classroom_id: string;
  learner_id: string;
  joined_at: number;
}

export interface PredictionTable {
  learner_id: string;
  checkpoint_id: string;
  lesson_id: string;
  predicted: string;
  predicted_at: number;
  pressed_at: number | null;
  outcome: string | null;
  observed: string | null;
  correct: 0 | 1 | null;
}

export interface SiteTables {
  learner: LearnerTable;
  learner_session: LearnerSessionTable;
  quiz_attempt: QuizAttemptTable;
  lesson_progress: LessonProgressTable;
  instructor_session: InstructorSessionTable;
  classroom: ClassroomTable;
  classroom_member: ClassroomMemberTable;
  prediction: PredictionTable;
}

/** Every table, parents before children: the order a copy inserts them in. */
export const siteTableNames = [
  'learner',
  'learner_session',
  'quiz_attempt',
  'lesson_progress',
  'instructor_session',
  'classroom',
  'classroom_member',
  'prediction',
] as const satisfies readonly (keyof SiteTables)[];
