/** Every lesson and quiz in the repository satisfies its schema, and the course hangs together. */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { lessonSchema, quizSchema } from '../../src/course/schemas';

const lessonFiles = readdirSync('content/lessons').filter((file) => /\.mdx?$/.test(file));
const quizFiles = readdirSync('quizzes').filter((file) => file.endsWith('.yaml'));

function frontmatter(file: string): unknown {
  const match = /^---\n([\s\S]*?)\n---\n/.exec(readFileSync(`content/lessons/${file}`, 'utf8'));
  if (!match) throw new Error(`${file} has no frontmatter`);
  return parse(match[1] ?? '');
}

describe('course content', () => {
  const lessons = lessonFiles.map((file) => ({
    file,
    data: lessonSchema.parse(frontmatter(file)),
  }));
  const quizIds = new Set(quizFiles.map((file) => file.replace(/\.yaml$/, '')));

  it.each(quizFiles)('quiz %s is valid, with 5 or more questions mixing both kinds', (file) => {
    const quiz = quizSchema.parse(parse(readFileSync(`quizzes/${file}`, 'utf8')));
    expect(quiz.questions.length).toBeGreaterThanOrEqual(5);
    expect(new Set(quiz.questions.map((question) => question.kind))).toEqual(
      new Set(['single', 'multiple']),
    );
  });

  it('gives every lesson an existing quiz and a unique order', () => {
    for (const { file, data } of lessons)
      expect(quizIds.has(data.quiz), `${file} → ${data.quiz}`).toBe(true);
    const orders = lessons.map(({ data }) => data.order);
    expect(new Set(orders).size).toBe(orders.length);
  });

  it('rejects the mistakes content authors make, naming the field', () => {
    const question = {
      id: 'q',
      kind: 'single',
      prompt: 'p',
      options: [
        { id: 'a', text: 'a', correct: true, explanation: 'e' },
        { id: 'b', text: 'b', correct: true, explanation: 'e' },
      ],
    };
    const result = quizSchema.safeParse({
      title: 't',
      passPercent: 80,
      questions: [question, question],
    });
    expect(result.success).toBe(false);
    const issues = result.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^questions\.0\.options: a single-choice question has 2 correct options/,
        ),
        'questions.1.id: duplicate question id "q"',
      ]),
    );
    const missingExplanation = quizSchema.safeParse({
      title: 't',
      passPercent: 80,
      questions: [
        { ...question, options: [{ id: 'a', text: 'a', correct: true }, question.options[1]] },
      ],
    });
    expect(missingExplanation.error?.issues.map((issue) => issue.path.join('.'))).toContain(
      'questions.0.options.0.explanation',
    );
  });
});
