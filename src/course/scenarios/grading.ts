/**
 * Grades a learner's answer to a scenario. Each decision earns the points of the chosen option's
 * verdict; the result carries every option's verdict and reason, so the learner sees why their
 * choice fits or not next to the best one, and the model answer that defends the whole set.
 */
import { verdictPoints, type ModelAnswer, type Scenario, type Verdict } from './types';

/** The learner's answer: decision id → chosen option id. */
export type ScenarioAnswers = Readonly<Record<string, string>>;

/** Bad input from the client (a missing, unknown or repeated choice); routes answer it with 400. */
export class ScenarioAnswerError extends Error {
  override name = 'ScenarioAnswerError';
}

export interface GradedOption {
  id: string;
  label: string;
  verdict: Verdict;
  explanation: string;
  chosen: boolean;
}

export interface GradedDecision {
  id: string;
  question: string;
  chosen: string;
  verdict: Verdict;
  best: string;
  options: GradedOption[];
}

export interface ScenarioGrade {
  scenarioId: string;
  title: string;
  points: number;
  maxPoints: number;
  /** Every decision answered with its best option. */
  allBest: boolean;
  decisions: GradedDecision[];
  modelAnswer: Pick<ModelAnswer, 'summary' | 'points'>;
}

/** What `POST /api/scenario/{id}` answers to a script or the scenario island. */
export interface ScenarioSubmissionResult {
  grade: ScenarioGrade;
}

/** What the page may show before grading: the situation and the choices, no verdicts. */
export interface PublicScenario {
  id: string;
  title: string;
  situation: readonly string[];
  decisions: { id: string; question: string; options: { id: string; label: string }[] }[];
}

export function publicScenario(scenario: Scenario): PublicScenario {
  return {
    id: scenario.id,
    title: scenario.title,
    situation: scenario.situation,
    decisions: scenario.decisions.map((decision) => ({
      id: decision.id,
      question: decision.question,
      options: decision.options.map(({ id, label }) => ({ id, label })),
    })),
  };
}

/** Grades a complete answer: one known option for every decision, nothing else. */
export function gradeScenario(scenario: Scenario, answers: ScenarioAnswers): ScenarioGrade {
  const known = new Set(scenario.decisions.map((decision) => decision.id));
  const unknown = Object.keys(answers).filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new ScenarioAnswerError(`unknown decision "${unknown[0]!.slice(0, 40)}"`);
  }
  const decisions = scenario.decisions.map((decision): GradedDecision => {
    // hasOwn: a decision id such as "constructor" must not find Object.prototype's member.
    const chosenId = Object.hasOwn(answers, decision.id) ? answers[decision.id] : undefined;
    if (chosenId === undefined || chosenId === '') {
      throw new ScenarioAnswerError(`choose an answer for "${decision.question}"`);
    }
    const chosen = decision.options.find((option) => option.id === chosenId);
    if (!chosen) {
      throw new ScenarioAnswerError(
        `"${chosenId.slice(0, 40)}" is not a choice for "${decision.id}"`,
      );
    }
    const best = decision.options.find((option) => option.verdict === 'best');
    return {
      id: decision.id,
      question: decision.question,
      chosen: chosen.id,
      verdict: chosen.verdict,
      best: best?.id ?? '',
      options: decision.options.map((option) => ({ ...option, chosen: option.id === chosen.id })),
    };
  });
  const points = decisions.reduce((sum, decision) => sum + verdictPoints[decision.verdict], 0);
  return {
    scenarioId: scenario.id,
    title: scenario.title,
    points,
    maxPoints: scenario.decisions.length * verdictPoints.best,
    allBest: decisions.every((decision) => decision.verdict === 'best'),
    decisions,
    modelAnswer: { summary: scenario.modelAnswer.summary, points: scenario.modelAnswer.points },
  };
}

const maxFields = 20;
const maxValueLength = 80;

/**
 * Reads answers from form fields or a JSON object (`{ "answers": { … } }` or the fields at the
 * top level). A field posted twice, a non-string value or an oversized one is refused, not guessed.
 */
export function parseScenarioAnswers(
  input: URLSearchParams | Record<string, unknown>,
): ScenarioAnswers {
  const entries: [string, unknown][] =
    input instanceof URLSearchParams
      ? [...input.entries()]
      : Object.entries(
          typeof input.answers === 'object' &&
            input.answers !== null &&
            !Array.isArray(input.answers)
            ? (input.answers as Record<string, unknown>)
            : input,
        );
  if (entries.length > maxFields) throw new ScenarioAnswerError(`more than ${maxFields} fields`);
  const answers: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of entries) {
    if (typeof value !== 'string') {
      throw new ScenarioAnswerError(`the answer to "${name.slice(0, 40)}" must be a string`);
    }
    if (name.length > maxValueLength || value.length > maxValueLength) {
      throw new ScenarioAnswerError(`a field is longer than ${maxValueLength} characters`);
    }
    if (Object.hasOwn(answers, name)) {
      throw new ScenarioAnswerError(`"${name}" was answered twice; choose one option`);
    }
    answers[name] = value;
  }
  return answers;
}
