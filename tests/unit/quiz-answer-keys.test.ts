/** Every quiz in the repository grades its own answer key 100% and an all-wrong submission 0%. */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { quizSchema } from '../../src/course/schemas';
import { gradeQuiz } from '../../src/course/quiz-grading';

const quizzes = readdirSync('quizzes')
  .filter((file) => file.endsWith('.yaml'))
  .map((file) => ({
    file,
    quiz: quizSchema.parse(parse(readFileSync(`quizzes/${file}`, 'utf8'))),
  }));

describe.each(quizzes)('$file', ({ quiz }) => {
  it('grades its correct answers 100% and passes', () => {
    const answers = Object.fromEntries(
      quiz.questions.map((question) => [
        question.id,
        question.options.filter((option) => option.correct).map((option) => option.id),
      ]),
    );
    expect(gradeQuiz(quiz, answers)).toMatchObject({ scorePercent: 100, passed: true });
  });

  it('grades an all-wrong submission 0%', () => {
    const answers = Object.fromEntries(
      quiz.questions.map((question) => [
        question.id,
        question.options.filter((option) => !option.correct).map((option) => option.id),
      ]),
    );
    expect(gradeQuiz(quiz, answers)).toMatchObject({ scorePercent: 0, passed: false });
  });
});
