/**
 * The course's parts, as the home page's map groups the lessons: each part starts at a lesson
 * and runs until the next part starts, so a lesson added between two others joins its neighbours'
 * part without an edit here. tests/unit/course-parts.test.ts checks every starting lesson exists.
 */

export interface CoursePart {
  /** The id of the part's first lesson, in course order. */
  startsAt: string;
  title: string;
  /** One line on what the part's lessons have in common. */
  blurb: string;
}

export const courseParts: readonly CoursePart[] = [
  {
    startsAt: 'why-sessions',
    title: 'Start here',
    blurb: 'What a session is and how cookies carry it.',
  },
  {
    startsAt: 'plain-cookie',
    title: 'Sessions kept in the browser',
    blurb:
      'The whole session rides in a cookie: plain, signed, encrypted, a JWT, and what it costs.',
  },
  {
    startsAt: 'memory',
    title: 'Sessions kept on the server',
    blurb: 'The cookie carries only an id; the data lives in memory, files or a database.',
  },
  {
    startsAt: 'concurrency',
    title: 'Across every store',
    blurb: 'Races, security and the choice itself, for whichever store you pick.',
  },
];

/** A part with its lessons, and the course number (from 1) of its first lesson. */
export interface LessonGroup<L> {
  part: CoursePart;
  firstNumber: number;
  lessons: L[];
}

/**
 * Splits lessons, already in course order, into the parts. Lessons before the first part's start
 * (none, as the course stands) join the first part; a part whose lesson is missing is left out.
 */
export function groupLessons<L extends { id: string }>(
  lessons: readonly L[],
  parts: readonly CoursePart[] = courseParts,
): LessonGroup<L>[] {
  const starts = parts
    .map((part) => ({ part, index: lessons.findIndex((lesson) => lesson.id === part.startsAt) }))
    .filter(({ index }) => index !== -1)
    .sort((a, b) => a.index - b.index);
  return starts.map(({ part, index }, position) => {
    const from = position === 0 ? 0 : index;
    const to = starts[position + 1]?.index ?? lessons.length;
    return { part, firstNumber: from + 1, lessons: lessons.slice(from, to) };
  });
}
