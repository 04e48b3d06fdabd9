/**
 * How a lesson's state reads wherever it is shown: the home page's cards (rendered on the server)
 * and the lesson pager (filled in by a script). Each state has a mark as well as words and a
 * colour, so it never rests on colour alone.
 */
import type { LessonState } from '../../server/learner/progress';

export const lessonStateText: Record<LessonState, { mark: string; label: string }> = {
  'not-started': { mark: '○', label: 'Not started' },
  'in-progress': { mark: '◐', label: 'In progress' },
  done: { mark: '✓', label: 'Done' },
};
