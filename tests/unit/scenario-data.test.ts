/** The worked scenarios are well-formed data: ids, one best option per decision, sourced links. */
import { describe, expect, it } from 'vitest';
import { scenarios } from '../../src/course/scenarios';
import { inlineLinks, inlineParts } from '../../src/course/scenarios/inline-markup';
import type { Scenario } from '../../src/course/scenarios/types';

const slug = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

function allText(scenario: Scenario): string[] {
  return [
    scenario.title,
    ...scenario.situation,
    ...scenario.decisions.flatMap((decision) => [
      decision.question,
      ...decision.options.flatMap((option) => [option.label, option.explanation]),
    ]),
    scenario.modelAnswer.summary,
    ...scenario.modelAnswer.points,
  ];
}

describe('scenario data', () => {
  it('has at least four scenarios, the first being the story the course began from', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(4);
    expect(scenarios[0]?.id).toBe('spotify-on-lambda');
    expect(new Set(scenarios.map((scenario) => scenario.id)).size).toBe(scenarios.length);
  });

  describe.each(scenarios)('$id', (scenario) => {
    it('uses slug ids, unique within their scope', () => {
      expect(scenario.id).toMatch(slug);
      const decisionIds = scenario.decisions.map((decision) => decision.id);
      expect(new Set(decisionIds).size).toBe(decisionIds.length);
      for (const decision of scenario.decisions) {
        expect(decision.id).toMatch(slug);
        const optionIds = decision.options.map((option) => option.id);
        expect(new Set(optionIds).size, decision.id).toBe(optionIds.length);
        for (const id of optionIds) expect(id).toMatch(slug);
      }
    });

    it('asks three to five decisions, each with two to six options and exactly one best', () => {
      expect(scenario.decisions.length).toBeGreaterThanOrEqual(3);
      expect(scenario.decisions.length).toBeLessThanOrEqual(5);
      for (const decision of scenario.decisions) {
        expect(decision.options.length, decision.id).toBeGreaterThanOrEqual(2);
        expect(decision.options.length, decision.id).toBeLessThanOrEqual(6);
        const best = decision.options.filter((option) => option.verdict === 'best');
        expect(
          best.map((option) => option.id),
          decision.id,
        ).toHaveLength(1);
      }
    });

    it('names the best option of every decision in its model answer, and nothing else', () => {
      const expected = Object.fromEntries(
        scenario.decisions.map((decision) => [
          decision.id,
          decision.options.find((option) => option.verdict === 'best')?.id,
        ]),
      );
      expect(scenario.modelAnswer.choices).toEqual(expected);
      expect(scenario.modelAnswer.points.length).toBeGreaterThanOrEqual(3);
    });

    it('links only https sources, and no markup is left half-parsed', () => {
      for (const text of allText(scenario)) {
        expect(text.trim().length).toBeGreaterThan(0);
        for (const href of inlineLinks(text)) expect(() => new URL(href)).not.toThrow();
        const leftover = inlineParts(text)
          .filter((part) => part.kind === 'text')
          .map((part) => part.text)
          .join('');
        // A link with an http: address or a stray bracket pair would survive as raw text.
        expect(leftover, text).not.toMatch(/\]\(|`/);
      }
    });
  });
});

describe('inline markup', () => {
  it('splits code and links from text, and nothing else', () => {
    expect(inlineParts('Set `Secure` ([MDN](https://developer.mozilla.org/x)) <b>now</b>')).toEqual(
      [
        { kind: 'text', text: 'Set ' },
        { kind: 'code', text: 'Secure' },
        { kind: 'text', text: ' (' },
        { kind: 'link', text: 'MDN', href: 'https://developer.mozilla.org/x' },
        { kind: 'text', text: ') <b>now</b>' },
      ],
    );
  });

  it('leaves a link that is not https as text', () => {
    expect(inlineParts('[x](javascript:alert(1))')).toEqual([
      { kind: 'text', text: '[x](javascript:alert(1))' },
    ]);
  });
});
