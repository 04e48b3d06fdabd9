import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  expectNoAxeViolations,
  launchBrowser,
  openInspector,
  type BrowserSession,
} from './browser';
import type { Quiz } from '../../src/course/schemas';
import { correctAnswers, loadQuiz, wrongAnswers } from './quiz-answers';

const baseURL = inject('baseURL');
const lessonPath = '/lessons/signed-cookie/';

async function answer(page: Page, answers: [string, string[]][]): Promise<void> {
  for (const [questionId, optionIds] of answers) {
    for (const optionId of optionIds) {
      await page.locator(`input[name="${questionId}"][value="${optionId}"]`).check();
    }
  }
}

/**
 * Reaches the first question's hint by Tab order (Shift+Tab from its first option), opens it with
 * Enter, and checks the hint text is then visible and was hidden before.
 */
async function openFirstHintByKeyboard(page: Page, quiz: Quiz): Promise<void> {
  const [question] = quiz.questions;
  if (!question?.hint) throw new Error(`${quiz.title}: the first question has no hint`);
  const hint = page.getByTestId('quiz-hint').first();
  const hintText = hint.getByText(question.hint);
  expect(await hintText.isVisible()).toBe(false);
  await page.locator(`input[name="${question.id}"]`).first().focus();
  await page.keyboard.press('Shift+Tab');
  const focusedText = await page.evaluate(() => document.activeElement?.textContent ?? '');
  // The visible word and its hidden context must read as separate words.
  expect(focusedText.replace(/\s+/g, ' ').trim()).toBe('Hint for question 1');
  await page.keyboard.press('Enter');
  await expect.poll(() => hint.evaluate((node) => (node as HTMLDetailsElement).open)).toBe(true);
  expect(await hintText.isVisible()).toBe(true);
}

/** The left border colour of the first graded question matching `selector` in the quiz result. */
async function resultBorderColour(page: Page, selector: string): Promise<string> {
  return page
    .getByTestId('quiz-result')
    .locator(`ol > ${selector}`)
    .first()
    .evaluate((item) => getComputedStyle(item).borderLeftColor);
}

async function numberIn(page: Page, testId: string): Promise<number> {
  const text = (await page.getByTestId(testId).first().textContent()) ?? '';
  const match = /\d[\d,]*/.exec(text);
  if (!match) throw new Error(`no number in ${testId}: "${text}"`);
  return Number(match[0].replace(/,/g, ''));
}

describe('the course in a browser with JavaScript', () => {
  let browser: BrowserSession;
  let page: Page;

  beforeAll(async () => {
    browser = await launchBrowser();
    page = await browser.context.newPage();
  });
  afterAll(async () => browser?.close());

  it('shows the lesson map on the home page', async () => {
    await page.goto(`${baseURL}/`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toMatch(
      /session data/i,
    );
    expect(await page.getByTestId('lesson-signed-cookie').textContent()).toMatch(
      /Live demo: Signed cookie/,
    );
    expect(await page.getByTestId('progress-summary').textContent()).toMatch(
      /^0 of \d+ lessons completed/,
    );
    await expectNoAxeViolations(page);
  });

  it('opens the lesson with a table of contents and highlighted code', async () => {
    await page.getByRole('link', { name: "Flask's signed cookie session" }).click();
    await page.waitForURL(`**${lessonPath}`);
    expect(await page.locator('nav.toc a').count()).toBeGreaterThan(3);
    expect(await page.locator('pre.astro-code').count()).toBeGreaterThan(0);
    await expectNoAxeViolations(page);
  });

  it('runs the demo and the panel numbers follow the real cookie', async () => {
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('Network.enable');
    const sentCookieHeaders: string[] = [];
    cdp.on('Network.requestWillBeSentExtraInfo', (event) => {
      const cookie = Object.entries(event.headers).find(
        ([name]) => name.toLowerCase() === 'cookie',
      );
      sentCookieHeaders.push(cookie ? String(cookie[1]) : '');
    });

    await openInspector(page);
    await page.getByTestId('panel-request-row').first().waitFor();
    expect(await numberIn(page, 'panel-cookie-header-bytes')).toBe(0);

    await page.getByTestId('demo-set-key').fill('user_id');
    await page.getByTestId('demo-set-value').fill('42');
    await page.getByTestId('demo-set').click();
    await expect.poll(() => page.getByTestId('demo-data').textContent()).toMatch(/"user_id": "42"/);
    const setCookieBytes = await numberIn(page, 'panel-set-cookie-bytes');
    expect(setCookieBytes).toBeGreaterThan(50);

    await page.getByTestId('demo-read').click();
    await expect.poll(() => numberIn(page, 'panel-cookie-header-bytes')).toBeGreaterThan(0);
    // What the panel reports equals what Chromium itself says it sent.
    const lastSent = sentCookieHeaders.at(-1) ?? '';
    expect(await numberIn(page, 'panel-cookie-header-bytes')).toBe(Buffer.byteLength(lastSent));
    expect(lastSent).toMatch(/(^|; )session=/);

    const before = await numberIn(page, 'panel-cookie-header-bytes');
    await page.getByTestId('demo-grow-size').selectOption('1024');
    await page.getByTestId('demo-grow').click();
    await page.getByTestId('demo-read').click();
    await expect
      .poll(() => numberIn(page, 'panel-cookie-header-bytes'))
      .toBeGreaterThan(before + 500);
    expect(await numberIn(page, 'panel-round-trip')).toBeGreaterThanOrEqual(0);
    await expectNoAxeViolations(page);
  });

  it("opens a question's hint from the keyboard before answering", async () => {
    const quiz = loadQuiz('signed-cookie');
    await page.locator('[data-testid="quiz-form"]').scrollIntoViewIfNeeded();
    await openFirstHintByKeyboard(page, quiz);
    await expectNoAxeViolations(page);
  });

  it('grades the quiz in place, explains it, and allows a retry', async () => {
    const quiz = loadQuiz('signed-cookie');
    await page.locator('[data-testid="quiz-form"]').scrollIntoViewIfNeeded();
    await answer(page, wrongAnswers(quiz));
    await page.getByTestId('quiz-submit').click();
    await expect.poll(() => page.getByTestId('quiz-score').textContent()).toBe('0%');
    const wrongBorder = await resultBorderColour(page, 'li.wrong');
    await expectNoAxeViolations(page);

    await page.getByTestId('quiz-retry').click();
    await answer(page, correctAnswers(quiz));
    await page.getByTestId('quiz-submit').click();
    await expect.poll(() => page.getByTestId('quiz-score').textContent()).toBe('100%');
    expect(await page.getByTestId('quiz-result').textContent()).toMatch(
      /best score: 100% over 2\s+attempts/i,
    );
    // The result's stylesheet reached the lesson page: right and wrong answers are told apart by
    // the colours the theme defines for them, not left as plain text.
    const rightBorder = await resultBorderColour(page, 'li.right');
    const [ok, danger] = await page.evaluate(() => {
      const probe = document.createElement('span');
      document.body.append(probe);
      const colours = ['--ok', '--danger'].map((name) => {
        probe.style.color = `var(${name})`;
        return getComputedStyle(probe).color;
      });
      probe.remove();
      return colours;
    });
    expect(rightBorder).toBe(ok);
    expect(wrongBorder).toBe(danger);
    expect(rightBorder).not.toBe(wrongBorder);
  });

  it('keeps progress across a reload of the home page', async () => {
    await page.goto(`${baseURL}/`);
    await page.reload();
    expect(await page.getByTestId('lesson-status-signed-cookie').textContent()).toMatch(
      /Completed · best quiz score 100%/,
    );
    expect(await page.getByTestId('progress-summary').textContent()).toMatch(
      /^1 of \d+ lessons completed/,
    );
    await expectNoAxeViolations(page);
  });

  it('names unanswered questions before grading, and grades them on purpose', async () => {
    const quiz = loadQuiz('plain-cookie');
    await page.goto(`${baseURL}/lessons/plain-cookie/`);
    await page.locator('[data-testid="quiz-form"]').scrollIntoViewIfNeeded();
    await expect.poll(() => page.getByTestId('quiz-submit').isEnabled()).toBe(true);
    await answer(page, correctAnswers(quiz).slice(0, 1));
    await page.getByTestId('quiz-submit').click();

    const warning = page.getByTestId('quiz-unanswered');
    await warning.waitFor();
    expect(await page.getByTestId('quiz-result').count()).toBe(0);
    const open = quiz.questions.slice(1).map((_, index) => `Question ${index + 2}`);
    expect(await warning.getByRole('link').allTextContents()).toEqual(open);
    expect(await warning.evaluate((node) => node === document.activeElement)).toBe(true);
    await expectNoAxeViolations(page);

    // Its link takes the learner to the question; answering it takes it off the list.
    await warning.getByRole('link', { name: 'Question 2', exact: true }).click();
    const second = quiz.questions[1];
    if (!second) throw new Error('the plain-cookie quiz has fewer than two questions');
    expect(
      await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name),
    ).toBe(second.id);
    await answer(page, correctAnswers(quiz).slice(1, 2));
    await expect.poll(() => warning.getByRole('link').allTextContents()).toEqual(open.slice(1));

    await page.getByTestId('quiz-submit-anyway').click();
    await expect
      .poll(() => page.getByTestId('quiz-score').textContent())
      .toBe(`${Math.floor(200 / quiz.questions.length)}%`);
    expect(await page.getByTestId('quiz-result').locator('ol > li.wrong').count()).toBe(
      quiz.questions.length - 2,
    );
  });

  it('follows the n and p keyboard shortcuts between lessons', async () => {
    await page.goto(`${baseURL}/lessons/why-sessions/`);
    await page.keyboard.press('n');
    await page.waitForURL((url) => url.pathname !== '/lessons/why-sessions/');
    await page.keyboard.press('p');
    await page.waitForURL('**/lessons/why-sessions/');
    await expectNoAxeViolations(page);
  });

  it('keeps the chosen theme across a reload and passes axe in dark mode', async () => {
    await page.goto(`${baseURL}${lessonPath}`);
    const before = await page.evaluate(() => document.documentElement.dataset.theme);
    expect(before).toBe('light');
    const toggle = page.locator('[data-theme-toggle]');
    // The button names the theme it switches to, and aria-pressed says whether dark is on.
    expect(await toggle.getAttribute('aria-pressed')).toBe('false');
    expect(
      await page.getByRole('button', { name: 'Switch to dark theme', exact: true }).count(),
    ).toBe(1);
    await toggle.click();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    expect(await toggle.getAttribute('aria-pressed')).toBe('true');
    expect(
      await page.getByRole('button', { name: 'Switch to light theme', exact: true }).count(),
    ).toBe(1);
    expect(
      await page.getByRole('button', { name: 'Switch to dark theme', exact: true }).count(),
    ).toBe(0);
    await page.reload();
    const after = await page.evaluate(() => document.documentElement.dataset.theme);
    expect(after).toBe('dark');
    expect(await toggle.getAttribute('aria-pressed')).toBe('true');
    expect(
      await page.getByRole('button', { name: 'Switch to light theme', exact: true }).count(),
    ).toBe(1);
    await expectNoAxeViolations(page);

    await toggle.click();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
    expect(await toggle.getAttribute('aria-pressed')).toBe('false');
    expect(
      await page.getByRole('button', { name: 'Switch to dark theme', exact: true }).count(),
    ).toBe(1);
  });

  it('fits a 360 px wide phone without sideways scrolling', async () => {
    await page.setViewportSize({ width: 360, height: 740 });
    for (const path of ['/', lessonPath]) {
      await page.goto(`${baseURL}${path}`);
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - window.innerWidth,
      );
      expect(overflow, `horizontal overflow on ${path}`).toBeLessThanOrEqual(0);
    }
    await expectNoAxeViolations(page);
  });
});

describe('the course in a browser without JavaScript', () => {
  let browser: BrowserSession;
  let page: Page;

  beforeAll(async () => {
    browser = await launchBrowser({ javaScriptEnabled: false });
    page = await browser.context.newPage();
  });
  afterAll(async () => browser?.close());

  it('submits the quiz as a form and shows the graded result', async () => {
    const quiz = loadQuiz('why-sessions');
    await page.goto(`${baseURL}/lessons/why-sessions/`);
    await answer(page, correctAnswers(quiz));
    await page.getByTestId('quiz-submit').click();
    await page.waitForURL('**/quizzes/why-sessions/attempts/*/');
    expect(await page.getByTestId('quiz-score').textContent()).toBe('100%');
    expect(await page.getByTestId('quiz-result').locator('li.right').count()).toBe(
      quiz.questions.length,
    );
    await expectNoAxeViolations(page);
  });

  it('posts a quiz with unanswered questions as it stands', async () => {
    const quiz = loadQuiz('plain-cookie');
    await page.goto(`${baseURL}/lessons/plain-cookie/`);
    await answer(page, correctAnswers(quiz).slice(0, 1));
    await page.getByTestId('quiz-submit').click();
    await page.waitForURL('**/quizzes/plain-cookie/attempts/*/');
    expect(await page.getByTestId('quiz-result').locator('ol > li.right').count()).toBe(1);
  });

  it('opens a hint without JavaScript, as a native disclosure', async () => {
    const quiz = loadQuiz('plain-cookie');
    await page.goto(`${baseURL}/lessons/plain-cookie/`);
    await openFirstHintByKeyboard(page, quiz);
    await expectNoAxeViolations(page);
  });

  it('keeps progress for the next visit', async () => {
    await page.goto(`${baseURL}/`);
    expect(await page.getByTestId('lesson-status-why-sessions').textContent()).toMatch(/Completed/);
    await expectNoAxeViolations(page);
  });

  it('offers every demo action as a form that posts', async () => {
    await page.goto(`${baseURL}/lessons/signed-cookie/`);
    await page.getByTestId('demo-set-key').fill('plan');
    await page.getByTestId('demo-set-value').fill('no-js');
    await page.getByTestId('demo-set').click();
    await page.waitForURL('**/demos/signed-cookie/?result=*');
    const result = page.getByTestId('demo-result');
    expect(await result.textContent()).toMatch(/"plan": "no-js"/);
    expect(
      Number(
        await page
          .getByTestId('result-request-header-bytes')
          .textContent()
          .then((t) => t?.replace(/\D/g, '')),
      ),
    ).toBeGreaterThan(100);
    await expectNoAxeViolations(page);
  });

  it('hides another learner’s attempt', async () => {
    const other = await launchBrowser({ javaScriptEnabled: false });
    try {
      const otherPage = await other.context.newPage();
      const response = await otherPage.goto(`${baseURL}/quizzes/why-sessions/attempts/1/`);
      expect(response?.status()).toBe(404);
    } finally {
      await other.close();
    }
  });
});
