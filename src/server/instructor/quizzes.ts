/**
 * The quizzes, in course order (each lesson's quiz, then any other such as the final review), with
 * their titles: what the class figures grade against and the CSV names.
 */
import { getCollection } from 'astro:content';
import { getLessons } from '../../course/lessons';
import type { QuizEntry } from './class-figures';

export async function quizEntries(): Promise<Map<string, QuizEntry>> {
  const quizzes = new Map((await getCollection('quizzes')).map((quiz) => [quiz.id, quiz.data]));
  const order = [...new Set((await getLessons()).map((lesson) => lesson.data.quiz))];
  for (const id of [...quizzes.keys()].sort()) if (!order.includes(id)) order.push(id);
  const entries = new Map<string, QuizEntry>();
  for (const id of order) {
    const quiz = quizzes.get(id);
    if (quiz) entries.set(id, { title: quiz.title, quiz });
  }
  return entries;
}

export async function quizTitles(): Promise<Record<string, string>> {
  return Object.fromEntries([...(await quizEntries())].map(([id, entry]) => [id, entry.title]));
}
