/**
 * Where a form post without JavaScript is sent to read its graded result. The answer is a handful
 * of public option ids, nothing about the learner, so it travels in the query string and the
 * result page grades it again: reloading or bookmarking the page shows the same result, and no
 * server-side stash or cookie is needed (unlike a demo result, which holds session data).
 */
import type { ScenarioAnswers } from './grading';

export function scenarioResultPath(scenarioId: string, answers: ScenarioAnswers): string {
  const query = new URLSearchParams(Object.entries(answers)).toString();
  return `/scenarios/${encodeURIComponent(scenarioId)}/result/?${query}`;
}

/** Where the learner goes back to answer again: the scenario in its lesson. */
export function scenarioLessonPath(scenarioId: string): string {
  return `/lessons/choosing/#scenario-${encodeURIComponent(scenarioId)}`;
}
