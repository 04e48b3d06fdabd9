import { getCollection, getEntry, type CollectionEntry } from 'astro:content';

export type Lesson = CollectionEntry<'lessons'>;

/** Lessons in course order. Two lessons with one `order` would make prev/next ambiguous. */
export async function getLessons(): Promise<Lesson[]> {
  const lessons = (await getCollection('lessons')).sort((a, b) => a.data.order - b.data.order);
  lessons.forEach((lesson, index) => {
    const previous = lessons[index - 1];
    if (previous && previous.data.order === lesson.data.order) {
      throw new Error(
        `content/lessons/${lesson.id}: field "order" (${lesson.data.order}) is also used by ${previous.id}`,
      );
    }
  });
  return lessons;
}

/** Fails the build, naming the lesson file and field, when a lesson points at a missing quiz. */
export async function getLessonQuiz(lesson: Lesson) {
  const quiz = await getEntry('quizzes', lesson.data.quiz);
  if (!quiz) {
    throw new Error(
      `content/lessons/${lesson.id}: field "quiz" names "${lesson.data.quiz}", ` +
        `but there is no quizzes/${lesson.data.quiz}.yaml`,
    );
  }
  return quiz;
}
