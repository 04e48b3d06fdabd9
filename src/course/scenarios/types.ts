/**
 * A worked scenario for the Choosing lesson: a situation, the decisions that matter in it (the
 * store, where a secret lives, cookie attributes, expiry, revocation), a verdict and a reason for
 * every option, and a model answer that defends the best combination. Written as typed data so a
 * test can check that the model answer is the one combination graded best.
 *
 * Text fields may use two bits of inline markup: `code` and [a link](https://…). Claims about a
 * spec or a vendor carry their link in the sentence that makes them.
 */

/** How well an option fits this situation; the grade is the sum of the points. */
export type Verdict = 'best' | 'workable' | 'poor';

export const verdictPoints: Readonly<Record<Verdict, number>> = { best: 2, workable: 1, poor: 0 };

export interface ScenarioOption {
  /** Lowercase words joined by hyphens; the value the form posts. */
  id: string;
  label: string;
  verdict: Verdict;
  /** Why it fits or does not, in this situation. */
  explanation: string;
}

export interface ScenarioDecision {
  /** The form field's name. */
  id: string;
  /** The question, read as the fieldset's legend. */
  question: string;
  options: readonly ScenarioOption[];
}

export interface ModelAnswer {
  /** The best option of every decision, by decision id: what the grader must rank first. */
  choices: Readonly<Record<string, string>>;
  /** One paragraph: the answer in a sentence or two, then the reason. */
  summary: string;
  /** The defence, point by point, each with its source. */
  points: readonly string[];
}

export interface Scenario {
  id: string;
  title: string;
  /** A few short paragraphs: the app, its users, where it runs, what it must do, its budget. */
  situation: readonly string[];
  decisions: readonly ScenarioDecision[];
  modelAnswer: ModelAnswer;
}
