/** Every quiz question offers a hint, and no hint hands over a right option's text. */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { quizSchema } from '../../src/course/schemas';

const quizzes = readdirSync('quizzes')
  .filter((file) => file.endsWith('.yaml'))
  .map((file) => ({
    file,
    quiz: quizSchema.parse(parse(readFileSync(`quizzes/${file}`, 'utf8'))),
  }));

function normalise(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').trim();
}

describe.each(quizzes)('$file', ({ quiz }) => {
  it('gives every question a hint', () => {
    const missing = quiz.questions.filter((question) => !question.hint?.trim());
    expect(missing.map((question) => question.id)).toEqual([]);
  });

  it('never quotes a right option in a hint', () => {
    for (const question of quiz.questions) {
      if (!question.hint) continue;
      const hint = normalise(question.hint);
      for (const option of question.options.filter((candidate) => candidate.correct)) {
        expect(hint, `${question.id}: hint contains "${option.text}"`).not.toContain(
          normalise(option.text),
        );
      }
    }
  });
});
