/**
 * What the instructor's dashboard shows for a class, all of it aggregate: how many members are
 * active, and per quiz and question how many got it right and which wrong answer was most chosen.
 * No learner id ever leaves this module.
 */
import type { Quiz } from '../../course/schemas';
import { sql } from 'kysely';
import type { SiteDb } from '../platform/site-db/open';
import { gradeQuiz, QuizAnswerError, type QuizAnswers } from '../../course/quiz-grading';

export const activeWindowMs = 5 * 60 * 1000;

export interface QuestionFigure {
  id: string;
  prompt: string;
  /** Latest attempts that graded this question. */
  answered: number;
  right: number;
  /** right / answered, 0–1; null before anyone answered. */
  rightShare: number | null;
  /** The wrong option picked most often (ties: the first in the quiz), or null if none was. */
  mostChosenWrong: { optionId: string; text: string; count: number } | null;
}

export interface QuizFigure {
  quizId: string;
  title: string;
  /** Members with at least one attempt since joining; each counts with their latest attempt. */
  learners: number;
  passed: number;
  averageScorePercent: number;
  questions: QuestionFigure[];
}

export interface ClassActivity {
  members: number;
  /** Members active in the last `activeWindowMs` (see `classActivity`). */
  active: number;
}

export interface QuizEntry {
  title: string;
  quiz: Quiz;
}

interface LatestAttemptRow {
  quiz_id: string;
  answers_json: string;
  score_percent: number;
  passed: number;
}

export async function classActivity(
  db: SiteDb,
  classId: string,
  now = Date.now(),
): Promise<ClassActivity> {
  const since = now - activeWindowMs;
  // Active: any trace of the member in the window that the site records with a time. The learner
  // session's last_seen_at moves (at most once a minute) whenever a server page or route reads the
  // learner cookie: the course page, every demo request, a quiz, the data page, the join page.
  // Quiz attempts carry their own times. Reading a prerendered lesson page sends nothing the
  // server sees, so it does not count.
  const { rows } = await sql<{ members: number; active: number }>`
    SELECT count(*) AS members,
           count(*) FILTER (WHERE
             EXISTS (SELECT 1 FROM learner_session AS s
                     WHERE s.learner_id = m.learner_id AND s.last_seen_at >= ${since})
             OR EXISTS (SELECT 1 FROM quiz_attempt AS a
                        WHERE a.learner_id = m.learner_id AND a.created_at >= ${since})
           ) AS active
    FROM classroom_member AS m
    WHERE m.classroom_id = ${classId}`.execute(db);
  return { members: Number(rows[0]?.members ?? 0), active: Number(rows[0]?.active ?? 0) };
}

/**
 * Per quiz in `quizzes` (in its order) that members attempted: each member's latest attempt,
 * graded again against the quiz as it is now. Attempts that no longer grade (the quiz changed
 * under them) are counted in `ungradable` and left out.
 */
export async function classQuizFigures(
  db: SiteDb,
  classId: string,
  quizzes: ReadonlyMap<string, QuizEntry>,
): Promise<{ quizzes: QuizFigure[]; ungradable: number }> {
  // Each member's latest attempt per quiz since joining; attempt ids grow with time.
  const { rows } = await sql<LatestAttemptRow>`
    SELECT a.quiz_id, a.answers_json, a.score_percent, a.passed
    FROM quiz_attempt AS a
    JOIN (
      SELECT max(b.id) AS id
      FROM classroom_member AS m
      JOIN quiz_attempt AS b ON b.learner_id = m.learner_id AND b.created_at >= m.joined_at
      WHERE m.classroom_id = ${classId}
      GROUP BY b.learner_id, b.quiz_id
    ) AS latest ON latest.id = a.id`.execute(db);
  const byQuiz = new Map<string, LatestAttemptRow[]>();
  let ungradable = 0;
  for (const row of rows) {
    if (!quizzes.has(row.quiz_id)) {
      ungradable++;
      continue;
    }
    const list = byQuiz.get(row.quiz_id) ?? [];
    list.push(row);
    byQuiz.set(row.quiz_id, list);
  }

  const figures: QuizFigure[] = [];
  for (const [quizId, { title, quiz }] of quizzes) {
    const attempts = byQuiz.get(quizId);
    if (!attempts) continue;
    const tallies = quiz.questions.map((question) => ({
      question,
      answered: 0,
      right: 0,
      wrong: new Map<string, number>(),
    }));
    let learners = 0;
    let passed = 0;
    let scoreSum = 0;
    for (const attempt of attempts) {
      let grade;
      try {
        grade = gradeQuiz(quiz, JSON.parse(attempt.answers_json) as QuizAnswers);
      } catch (error) {
        if (!(error instanceof QuizAnswerError) && !(error instanceof SyntaxError)) throw error;
        ungradable++;
        continue;
      }
      learners++;
      if (attempt.passed === 1) passed++;
      scoreSum += attempt.score_percent;
      grade.questions.forEach((graded, index) => {
        const tally = tallies[index]!;
        tally.answered++;
        if (graded.correct) tally.right++;
        for (const option of graded.options) {
          if (option.chosen && !option.correct) {
            tally.wrong.set(option.id, (tally.wrong.get(option.id) ?? 0) + 1);
          }
        }
      });
    }
    if (learners === 0) continue;
    figures.push({
      quizId,
      title,
      learners,
      passed,
      averageScorePercent: Math.round(scoreSum / learners),
      questions: tallies.map(({ question, answered, right, wrong }) => {
        let most: QuestionFigure['mostChosenWrong'] = null;
        for (const option of question.options) {
          const count = wrong.get(option.id) ?? 0;
          if (count > 0 && (most === null || count > most.count)) {
            most = { optionId: option.id, text: option.text, count };
          }
        }
        return {
          id: question.id,
          prompt: question.prompt,
          answered,
          right,
          rightShare: answered === 0 ? null : right / answered,
          mostChosenWrong: most,
        };
      }),
    });
  }
  return { quizzes: figures, ungradable };
}
