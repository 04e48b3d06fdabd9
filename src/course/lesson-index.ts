import { getLessons } from './lessons';

/** Lesson id → its quiz id, the mapping progress needs to turn passed quizzes into lessons done. */
export async function getLessonQuizMap(): Promise<Record<string, string>> {
  return Object.fromEntries((await getLessons()).map((lesson) => [lesson.id, lesson.data.quiz]));
}

/** The lesson whose quiz this is, for links back from a result page. */
export async function findLessonByQuiz(quizId: string) {
  return (await getLessons()).find((lesson) => lesson.data.quiz === quizId);
}
