import { z } from 'astro/zod';
import { storeIds } from '../sessions/catalog';

const slug = z
  .string()
  .regex(
    /^[a-z0-9]+(?:-[a-z0-9]+)*$/,
    'use lowercase words joined by hyphens, e.g. "signed-cookie"',
  );

/** Frontmatter of a lesson in `content/lessons/`. */
export const lessonSchema = z.object({
  title: z.string().min(1),
  summary: z.string().min(1).max(300),
  /** Three to five short lines a learner reads first: the lesson's whole argument in brief. */
  inShort: z.array(z.string().min(1).max(200)).min(3).max(5),
  order: z.number().int().min(1),
  minutes: z.number().int().min(1).max(120),
  /** Stores whose live demo sits beside the lesson, by id from the catalog. */
  stores: z.array(z.enum(storeIds)).default([]),
  /** The id of the lesson's quiz: the name of a file in `quizzes/` without `.yaml`. */
  quiz: slug,
  goals: z.array(z.string().min(1)).min(1),
  takeaways: z.array(z.string().min(1)).default([]),
});

const optionSchema = z.object({
  id: slug,
  text: z.string().min(1),
  correct: z.boolean().default(false),
  /** Why this option is right or wrong; shown after grading. */
  explanation: z.string().min(1),
});

const questionSchema = z
  .object({
    id: slug,
    kind: z.enum(['single', 'multiple']),
    prompt: z.string().min(1),
    /** A nudge toward the reasoning, shown folded under the prompt; never the answer itself. */
    hint: z.string().min(1).max(300).optional(),
    options: z.array(optionSchema).min(2).max(8),
  })
  .superRefine((question, ctx) => {
    const correct = question.options.filter((option) => option.correct).length;
    if (correct === 0) {
      ctx.addIssue({ code: 'custom', path: ['options'], message: 'no option is marked correct' });
    }
    if (question.kind === 'single' && correct > 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['options'],
        message: `a single-choice question has ${correct} correct options; use kind: multiple`,
      });
    }
    reportDuplicates(
      question.options.map((option) => option.id),
      'options',
      'option id',
      ctx,
    );
  });

/** A quiz in `quizzes/*.yaml`. */
export const quizSchema = z
  .object({
    title: z.string().min(1),
    /** Share of questions, in percent, a learner must get right to pass. */
    passPercent: z.number().int().min(1).max(100),
    questions: z.array(questionSchema).min(1).max(50),
  })
  .superRefine((quiz, ctx) => {
    reportDuplicates(
      quiz.questions.map((question) => question.id),
      'questions',
      'question id',
      ctx,
    );
  });

function reportDuplicates(ids: string[], path: string, what: string, ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  ids.forEach((id, index) => {
    if (seen.has(id)) {
      ctx.addIssue({
        code: 'custom',
        path: [path, index, 'id'],
        message: `duplicate ${what} "${id}"`,
      });
    }
    seen.add(id);
  });
}

export type LessonFrontmatter = z.infer<typeof lessonSchema>;
export type Quiz = z.infer<typeof quizSchema>;
export type QuizQuestion = Quiz['questions'][number];
