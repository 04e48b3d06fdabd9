/** Scenario grading ranks each scenario's model answer first, alone, and refuses bad input. */
import { describe, expect, it } from 'vitest';
import { findScenario, scenarios } from '../../src/course/scenarios';
import {
  gradeScenario,
  parseScenarioAnswers,
  ScenarioAnswerError,
  type ScenarioAnswers,
} from '../../src/course/scenarios/grading';
import type { Scenario } from '../../src/course/scenarios/types';

/** Every complete answer a learner could give. */
function* everyAnswer(scenario: Scenario): Generator<ScenarioAnswers> {
  const [first, ...rest] = scenario.decisions;
  if (!first) {
    yield {};
    return;
  }
  const tail = { ...scenario, decisions: rest };
  for (const option of first.options) {
    for (const answer of everyAnswer(tail)) yield { [first.id]: option.id, ...answer };
  }
}

describe.each(scenarios)('grading $id', (scenario) => {
  it('grades the model answer best, strictly above every other complete answer', () => {
    const model = gradeScenario(scenario, scenario.modelAnswer.choices);
    expect(model.points).toBe(model.maxPoints);
    expect(model.allBest).toBe(true);
    let others = 0;
    for (const answer of everyAnswer(scenario)) {
      const isModel = scenario.decisions.every(
        (decision) => answer[decision.id] === scenario.modelAnswer.choices[decision.id],
      );
      if (isModel) continue;
      others += 1;
      const grade = gradeScenario(scenario, answer);
      expect(grade.points, JSON.stringify(answer)).toBeLessThan(model.points);
      expect(grade.allBest).toBe(false);
    }
    expect(others).toBeGreaterThan(0);
  });

  it('explains the chosen and the best option of every decision', () => {
    const worst = Object.fromEntries(
      scenario.decisions.map((decision) => [
        decision.id,
        decision.options.find((option) => option.verdict === 'poor')?.id ??
          decision.options.find((option) => option.verdict !== 'best')!.id,
      ]),
    );
    const grade = gradeScenario(scenario, worst);
    for (const decision of grade.decisions) {
      expect(decision.chosen).toBe(worst[decision.id]);
      expect(decision.best).toBe(scenario.modelAnswer.choices[decision.id]);
      expect(decision.options.filter((option) => option.chosen)).toHaveLength(1);
      expect(decision.options.every((option) => option.explanation.length > 20)).toBe(true);
    }
    expect(grade.modelAnswer.summary).toBe(scenario.modelAnswer.summary);
  });
});

describe('bad answers', () => {
  const scenario = findScenario('spotify-on-lambda')!;
  const model = scenario.modelAnswer.choices;

  it.each([
    ['a missing decision', { ...model, store: undefined }, /choose an answer/],
    ['an empty choice', { ...model, store: '' }, /choose an answer/],
    ['an unknown option', { ...model, store: 'mongodb' }, /"mongodb" is not a choice for "store"/],
    ['an unknown decision', { ...model, extra: 'x' }, /unknown decision "extra"/],
    ['a prototype key', { ...model, constructor: 'x' }, /unknown decision "constructor"/],
  ])('refuses %s', (_name, answers, message) => {
    const clean = Object.fromEntries(
      Object.entries(answers).filter(([, value]) => value !== undefined),
    ) as ScenarioAnswers;
    expect(() => gradeScenario(scenario, clean)).toThrow(ScenarioAnswerError);
    expect(() => gradeScenario(scenario, clean)).toThrow(message);
  });

  it('reads form fields and JSON alike', () => {
    const form = new URLSearchParams(model);
    expect(parseScenarioAnswers(form)).toEqual(model);
    expect(parseScenarioAnswers({ answers: { ...model } })).toEqual(model);
    expect(parseScenarioAnswers({ ...model })).toEqual(model);
  });

  it('refuses a field posted twice, a non-string, an oversized value and too many fields', () => {
    const twice = new URLSearchParams(model);
    twice.append('store', 'memory');
    expect(() => parseScenarioAnswers(twice)).toThrow(/answered twice/);
    expect(() => parseScenarioAnswers({ answers: { store: ['dynamodb'] } })).toThrow(
      /must be a string/,
    );
    expect(() => parseScenarioAnswers({ store: 'x'.repeat(81) })).toThrow(/longer than/);
    const many = Object.fromEntries(Array.from({ length: 21 }, (_, index) => [`f${index}`, 'x']));
    expect(() => parseScenarioAnswers(many)).toThrow(/more than 20 fields/);
  });

  it('finds no scenario for unknown or prototype ids', () => {
    expect(findScenario('nope')).toBeUndefined();
    expect(findScenario('constructor')).toBeUndefined();
    expect(findScenario('__proto__')).toBeUndefined();
  });
});
