import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';
import { lessonSchema, quizSchema } from './course/schemas';

const lessons = defineCollection({
  loader: glob({ pattern: '*.{md,mdx}', base: './content/lessons' }),
  schema: lessonSchema,
});

const quizzes = defineCollection({
  loader: glob({ pattern: '*.yaml', base: './quizzes' }),
  schema: quizSchema,
});

export const collections = { lessons, quizzes };
