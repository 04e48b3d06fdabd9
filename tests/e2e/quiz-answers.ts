/** Reads a quiz's answer key from its YAML file, so tests follow the content instead of copying it. */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { quizSchema, type Quiz } from '../../src/course/schemas';

export function loadQuiz(id: string): Quiz {
  return quizSchema.parse(parse(readFileSync(`quizzes/${id}.yaml`, 'utf8')));
}

export function correctAnswers(quiz: Quiz): [questionId: string, optionIds: string[]][] {
  return quiz.questions.map((question) => [
    question.id,
    question.options.filter((option) => option.correct).map((option) => option.id),
  ]);
}

export function wrongAnswers(quiz: Quiz): [questionId: string, optionIds: string[]][] {
  return quiz.questions.map((question) => [
    question.id,
    question.options
      .filter((option) => !option.correct)
      .slice(0, 1)
      .map((option) => option.id),
  ]);
}
