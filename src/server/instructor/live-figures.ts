/**
 * Everything the dashboard polls for one class, as one JSON-ready object: activity and quiz
 * figures of its members, and the site-wide store figures.
 */
import type { AppContext } from '../platform/app-context';
import {
  activeWindowMs,
  classActivity,
  classQuizFigures,
  type QuizEntry,
  type QuizFigure,
} from './class-figures';
import { cachedStoreFigures, type StoreFigure } from './store-figures';

export interface LiveClassFigures {
  generatedAt: string;
  activeWindowMinutes: number;
  members: number;
  active: number;
  quizzes: QuizFigure[];
  /** Latest attempts left out because they no longer grade against the quiz as it is now. */
  ungradable: number;
  stores: StoreFigure[];
}

export async function liveClassFigures(
  app: Pick<AppContext, 'db' | 'stores' | 'instances' | 'config'>,
  classId: string,
  quizzes: ReadonlyMap<string, QuizEntry>,
  now = Date.now(),
): Promise<LiveClassFigures> {
  const [activity, quizFigures] = await Promise.all([
    classActivity(app.db, classId, now),
    classQuizFigures(app.db, classId, quizzes),
  ]);
  const stores = await cachedStoreFigures(
    {
      db: app.db,
      stores: app.stores,
      instances: app.instances,
    },
    now,
  );
  return {
    generatedAt: new Date(now).toISOString(),
    activeWindowMinutes: activeWindowMs / 60_000,
    members: activity.members,
    active: activity.active,
    quizzes: quizFigures.quizzes,
    ungradable: quizFigures.ungradable,
    stores,
  };
}
