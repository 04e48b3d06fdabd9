import type { Quiz, QuizQuestion } from './schemas';

/** The learner's answers: question id → chosen option ids. */
export type QuizAnswers = Record<string, string[]>;

/** Bad input from the client (unknown ids, oversized forms); routes answer it with 400. */
export class QuizAnswerError extends Error {
  override name = 'QuizAnswerError';
}

export interface GradedOption {
  id: string;
  text: string;
  correct: boolean;
  chosen: boolean;
  explanation: string;
}

export interface GradedQuestion {
  id: string;
  correct: boolean;
  /** Chosen option ids in the quiz's order, without duplicates. */
  chosen: string[];
  options: GradedOption[];
}

export interface QuizGrade {
  /** Rounded down, so a shown 66 % never hides a 66.7 % that fails a 67 % pass mark. */
  scorePercent: number;
  correctCount: number;
  total: number;
  passed: boolean;
  questions: GradedQuestion[];
}

/**
 * Grades a submission. A question counts only when answered exactly: for multiple choice the chosen
 * set must equal the correct set. Partial credit would reward ticking every box (each right option
 * earns credit, the wrong ones cost less than they gain), and the point of these questions is
 * telling which claims hold for a store and which do not — one wrong tick is a wrong belief.
 */
export function gradeQuiz(quiz: Quiz, answers: QuizAnswers): QuizGrade {
  rejectUnknownIds(quiz, answers);
  const questions = quiz.questions.map((question) =>
    // hasOwn: a question id such as "constructor" must not find Object.prototype's member.
    gradeQuestion(
      question,
      new Set(Object.hasOwn(answers, question.id) ? answers[question.id] : []),
    ),
  );
  const correctCount = questions.filter((question) => question.correct).length;
  const total = questions.length;
  // Integer division of exact integers: IEEE rounding makes whole results exact, so floor is safe.
  const scorePercent = Math.floor((correctCount * 100) / total);
  return {
    scorePercent,
    correctCount,
    total,
    // passPercent is a whole number, so comparing the floored score gives the same verdict as
    // comparing the exact fraction.
    passed: scorePercent >= quiz.passPercent,
    questions,
  };
}

function gradeQuestion(question: QuizQuestion, chosenIds: Set<string>): GradedQuestion {
  const options = question.options.map((option) => ({
    id: option.id,
    text: option.text,
    correct: option.correct,
    chosen: chosenIds.has(option.id),
    explanation: option.explanation,
  }));
  // Every option must match: chosen exactly when correct. For a single-choice question this means
  // the one correct option and nothing else, so picking two radios (a hand-made post) is wrong.
  const correct = options.every((option) => option.chosen === option.correct);
  return {
    id: question.id,
    correct,
    chosen: options.filter((option) => option.chosen).map((option) => option.id),
    options,
  };
}

function rejectUnknownIds(quiz: Quiz, answers: QuizAnswers): void {
  const questionsById = new Map(quiz.questions.map((question) => [question.id, question]));
  for (const [questionId, chosen] of Object.entries(answers)) {
    const question = questionsById.get(questionId);
    if (!question) throw new QuizAnswerError(`unknown question "${questionId}"`);
    if (!Array.isArray(chosen)) {
      throw new QuizAnswerError(`answer to "${questionId}" must be a list of option ids`);
    }
    for (const optionId of chosen) {
      if (!question.options.some((option) => option.id === optionId)) {
        throw new QuizAnswerError(
          `unknown option "${String(optionId)}" in question "${questionId}"`,
        );
      }
    }
  }
}

/** Limits on a posted quiz form; a quiz has at most 50 questions of at most 8 options. */
export const MAX_QUIZ_FORM_FIELDS = 100;
export const MAX_QUIZ_FORM_VALUE_LENGTH = 100;

/**
 * Reads a plain HTML form post: each input is named by its question id (radios for single choice,
 * checkboxes for multiple), so a question may appear once per ticked box. Bounded before anything
 * else looks at it; what the ids mean is `gradeQuiz`'s business.
 */
export function parseQuizForm(form: FormData | URLSearchParams): QuizAnswers {
  const answers: QuizAnswers = Object.create(null) as QuizAnswers;
  let fields = 0;
  for (const [name, value] of form.entries()) {
    fields += 1;
    if (fields > MAX_QUIZ_FORM_FIELDS) {
      throw new QuizAnswerError(`too many form fields (at most ${MAX_QUIZ_FORM_FIELDS})`);
    }
    if (typeof value !== 'string') {
      throw new QuizAnswerError(`field "${truncate(name)}" must be text, not a file`);
    }
    if (name.length > MAX_QUIZ_FORM_VALUE_LENGTH || value.length > MAX_QUIZ_FORM_VALUE_LENGTH) {
      throw new QuizAnswerError(
        `field "${truncate(name)}" is longer than ${MAX_QUIZ_FORM_VALUE_LENGTH} characters`,
      );
    }
    (answers[name] ??= []).push(value);
  }
  // A null-prototype object keeps names like "__proto__" inert; hand back an ordinary one.
  return { ...answers };
}

function truncate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** A quiz as the page may see it before grading: no `correct` flags, no explanations. */
export interface PublicQuiz {
  title: string;
  passPercent: number;
  questions: {
    id: string;
    kind: QuizQuestion['kind'];
    prompt: string;
    /** Safe before grading: it points at the reasoning, not at an option. */
    hint?: string;
    options: { id: string; text: string }[];
  }[];
}

/** Copies only the fields listed here, so a field added to the schema later stays private. */
export function publicQuiz(quiz: Quiz): PublicQuiz {
  return {
    title: quiz.title,
    passPercent: quiz.passPercent,
    questions: quiz.questions.map((question) => ({
      id: question.id,
      kind: question.kind,
      prompt: question.prompt,
      ...(question.hint === undefined ? {} : { hint: question.hint }),
      options: question.options.map((option) => ({ id: option.id, text: option.text })),
    })),
  };
}
