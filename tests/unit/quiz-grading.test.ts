import { describe, expect, it } from 'vitest';
import { quizSchema, type Quiz } from '../../src/course/schemas';
import {
  QuizAnswerError,
  gradeQuiz,
  parseQuizForm,
  publicQuiz,
} from '../../src/course/quiz-grading';

const quiz: Quiz = quizSchema.parse({
  title: 'Signed cookies',
  passPercent: 67,
  questions: [
    {
      id: 'who-reads',
      kind: 'single',
      prompt: 'Who can read a signed cookie?',
      hint: 'Think about what signing adds to the value and what it leaves as it was.',
      options: [
        {
          id: 'anyone',
          text: 'Anyone holding it',
          correct: true,
          explanation: 'Signing is not encryption.',
        },
        { id: 'server-only', text: 'Only the server', explanation: 'The payload is plain base64.' },
      ],
    },
    {
      id: 'what-holds',
      kind: 'multiple',
      prompt: 'Which are true of a signed cookie?',
      options: [
        {
          id: 'tamper-evident',
          text: 'Tamper-evident',
          correct: true,
          explanation: 'The HMAC fails.',
        },
        {
          id: 'size-bound',
          text: 'Bound to about 4 KB',
          correct: true,
          explanation: 'Browsers drop it.',
        },
        {
          id: 'revocable',
          text: 'Revocable by the server',
          explanation: 'Nothing is stored to delete.',
        },
      ],
    },
    {
      id: 'constructor',
      kind: 'single',
      prompt: 'A question whose id shadows an Object.prototype member',
      options: [
        { id: 'yes', text: 'Yes', correct: true, explanation: 'Ids are data, not properties.' },
        { id: 'no', text: 'No', explanation: 'They are.' },
      ],
    },
  ],
});

const allCorrect = {
  'who-reads': ['anyone'],
  'what-holds': ['tamper-evident', 'size-bound'],
  constructor: ['yes'],
};

describe('gradeQuiz', () => {
  it('gives 100 % and a pass when everything is right', () => {
    const grade = gradeQuiz(quiz, allCorrect);
    expect(grade).toMatchObject({ scorePercent: 100, correctCount: 3, total: 3, passed: true });
    expect(grade.questions.every((question) => question.correct)).toBe(true);
  });

  it('gives 0 % when everything is wrong or unanswered', () => {
    const wrong = gradeQuiz(quiz, {
      'who-reads': ['server-only'],
      'what-holds': ['revocable'],
      constructor: ['no'],
    });
    expect(wrong).toMatchObject({ scorePercent: 0, correctCount: 0, passed: false });
    expect(gradeQuiz(quiz, {})).toMatchObject({ scorePercent: 0, correctCount: 0, passed: false });
  });

  it('counts a partly right multiple-choice answer as wrong', () => {
    const missingOne = gradeQuiz(quiz, { ...allCorrect, 'what-holds': ['tamper-evident'] });
    const oneTooMany = gradeQuiz(quiz, {
      ...allCorrect,
      'what-holds': ['tamper-evident', 'size-bound', 'revocable'],
    });
    for (const grade of [missingOne, oneTooMany]) {
      expect(grade.questions.find((question) => question.id === 'what-holds')?.correct).toBe(false);
      expect(grade.correctCount).toBe(2);
    }
  });

  it('rounds the score down and passes only at or above the pass mark', () => {
    const twoOfThree = gradeQuiz(quiz, { ...allCorrect, constructor: ['no'] });
    expect(twoOfThree.scorePercent).toBe(66);
    expect(twoOfThree.passed).toBe(false);
    expect(
      gradeQuiz({ ...quiz, passPercent: 66 }, { ...allCorrect, constructor: ['no'] }).passed,
    ).toBe(true);
  });

  it('treats two options chosen on a single-choice question as wrong', () => {
    const grade = gradeQuiz(quiz, { ...allCorrect, 'who-reads': ['anyone', 'server-only'] });
    expect(grade.questions[0]?.correct).toBe(false);
  });

  it('reports what was chosen and explains every option', () => {
    const grade = gradeQuiz(quiz, { 'what-holds': ['size-bound', 'tamper-evident', 'size-bound'] });
    const question = grade.questions[1];
    expect(question?.chosen).toEqual(['tamper-evident', 'size-bound']);
    expect(question?.options[2]).toEqual({
      id: 'revocable',
      text: 'Revocable by the server',
      correct: false,
      chosen: false,
      explanation: 'Nothing is stored to delete.',
    });
    expect(grade.questions[2]).toMatchObject({ id: 'constructor', correct: false, chosen: [] });
  });

  it('rejects unknown question and option ids, naming them', () => {
    expect(() => gradeQuiz(quiz, { 'no-such-question': ['anyone'] })).toThrow(QuizAnswerError);
    expect(() => gradeQuiz(quiz, { 'no-such-question': [] })).toThrow(/no-such-question/);
    expect(() => gradeQuiz(quiz, { 'who-reads': ['tamper-evident'] })).toThrow(
      /unknown option "tamper-evident" in question "who-reads"/,
    );
    expect(() => gradeQuiz(quiz, { toString: ['x'] })).toThrow(QuizAnswerError);
  });
});

describe('parseQuizForm', () => {
  it('groups repeated checkbox names and accepts URLSearchParams and FormData alike', () => {
    const body = 'who-reads=anyone&what-holds=tamper-evident&what-holds=size-bound&constructor=yes';
    const fromParams = parseQuizForm(new URLSearchParams(body));
    expect(fromParams).toEqual(allCorrect);
    const form = new FormData();
    for (const [name, value] of new URLSearchParams(body)) form.append(name, value);
    expect(parseQuizForm(form)).toEqual(allCorrect);
    expect(gradeQuiz(quiz, fromParams).scorePercent).toBe(100);
  });

  it('allows 100 fields and refuses the 101st', () => {
    const params = new URLSearchParams();
    for (let i = 0; i < 100; i += 1) params.append('what-holds', 'size-bound');
    expect(parseQuizForm(params)['what-holds']).toHaveLength(100);
    params.append('what-holds', 'size-bound');
    expect(() => parseQuizForm(params)).toThrow(/too many form fields/);
  });

  it('refuses values and names over 100 characters', () => {
    expect(parseQuizForm(new URLSearchParams({ q: 'v'.repeat(100) })).q?.[0]).toHaveLength(100);
    expect(() => parseQuizForm(new URLSearchParams({ q: 'v'.repeat(101) }))).toThrow(
      QuizAnswerError,
    );
    expect(() => parseQuizForm(new URLSearchParams({ ['n'.repeat(101)]: 'v' }))).toThrow(
      QuizAnswerError,
    );
  });

  it('refuses uploaded files', () => {
    const form = new FormData();
    form.append('who-reads', new Blob(['anyone']), 'answer.txt');
    expect(() => parseQuizForm(form)).toThrow(/must be text/);
  });

  it('keeps a "__proto__" field as data, which grading then rejects', () => {
    const answers = parseQuizForm(new URLSearchParams('__proto__=x'));
    expect(Object.getPrototypeOf(answers)).toBe(Object.prototype);
    expect(Object.keys(answers)).toEqual(['__proto__']);
    expect(() => gradeQuiz(quiz, answers)).toThrow(/unknown question "__proto__"/);
  });
});

describe('publicQuiz', () => {
  it('keeps what the page needs and leaks no correctness or explanation', () => {
    const shown = publicQuiz(quiz);
    const json = JSON.stringify(shown);
    expect(json).not.toContain('correct');
    expect(json).not.toContain('explanation');
    for (const question of quiz.questions) {
      for (const option of question.options) expect(json).not.toContain(option.explanation);
    }
    expect(shown.questions.map((question) => question.id)).toEqual(
      quiz.questions.map((question) => question.id),
    );
    expect(shown.questions[1]?.options[0]).toEqual({
      id: 'tamper-evident',
      text: 'Tamper-evident',
    });
    expect(shown.questions[1]?.kind).toBe('multiple');
  });

  it("passes a question's hint, and adds no hint field where the quiz has none", () => {
    const shown = publicQuiz(quiz);
    expect(shown.questions[0]?.hint).toBe(
      'Think about what signing adds to the value and what it leaves as it was.',
    );
    expect(shown.questions[1]).not.toHaveProperty('hint');
  });
});
