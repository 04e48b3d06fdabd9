/**
 * A "predict, then press" checkpoint: the learner commits to what a demo will show, then the
 * server performs the real demo requests and this definition reads what actually happened from
 * their responses. Nothing here holds an answer: `outcome` maps real reports to an option.
 */
import type { DemoAction, DemoResponse } from '../../lab/demo-api';
import type { StoreId } from '../../sessions/catalog';

/** One demo request of a press, as the demo API would receive it from the learner's browser. */
export interface PressStep {
  /** `GET` reads the session; `POST` sends `action`. */
  method: 'GET' | 'POST';
  action?: DemoAction;
  /** The simulated instance: "1"–"4" or "fresh"; instance 1 when left out (the console's default). */
  instance?: string;
  /** Send this many identical requests at once, all carrying the same cookies (a race). */
  together?: number;
}

/** What one request of the press got back: the demo report, or the API's error. */
export type StepResult =
  { ok: true; body: DemoResponse } | { ok: false; status: number; error: string };

/**
 * A step, or a function that builds it from the results so far (a forgery edits the cookie the
 * previous step was given).
 */
export type StepSpec = PressStep | ((earlier: readonly StepResult[]) => PressStep);

/** What the press showed: the option that really happened, and the facts it was read from. */
export interface Observation {
  option: string;
  /** One line of what the server reported, with the real numbers. */
  observed: string;
}

export interface CheckpointOption {
  id: string;
  label: string;
  /** Shown after the press when this option is what happened: why it happened. */
  explanation: string;
}

export interface Checkpoint {
  /** Unique across the course; `<Predict id="…" />` names it. */
  id: string;
  /** The lesson whose progress it counts toward. */
  lesson: string;
  store: StoreId;
  /** The question, as the fieldset's legend. */
  question: string;
  /** What pressing will do, in one line, so the learner predicts about a known action. */
  setup: string;
  /** The press button's text. */
  pressLabel: string;
  options: readonly CheckpointOption[];
  steps: readonly StepSpec[];
  /**
   * Reads the option that happened from the real results; null when the results fit no option
   * (the page then shows what came back, and no verdict).
   */
  outcome(results: readonly StepResult[]): Observation | null;
}
