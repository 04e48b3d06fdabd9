/**
 * Progress in three states, as a learner makes it in Chromium: pressing a lesson's demo button or
 * reading the lesson to its end makes it "In progress" on the home page and in the lesson pager,
 * passing its quiz makes it "Done". Reading alone stores nothing for a browser without a learner.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { LEARNER_SESSION_COOKIE } from '../../src/server/learner/learner-sessions';
import { expectNoAxeViolations, launchBrowser, wakeDemos, type BrowserSession } from './browser';
import { correctAnswers, loadQuiz } from './quiz-answers';

const baseURL = inject('baseURL');
/** A mark waits for the demo's own answer, then for its own: longer than a poll's default. */
const settled = { timeout: 10_000 };

const statusOf = async (page: Page, lesson: string) =>
  (await page.getByTestId(`lesson-status-${lesson}`).textContent())?.replace(/\s+/g, ' ').trim();

const summary = async (page: Page) =>
  (await page.getByTestId('progress-summary').textContent())?.replace(/\s+/g, ' ').trim();

/** The pager badge's words once the script has filled it in ('' while it is hidden). */
const pagerState = (page: Page, which: 'current' | 'previous' | 'next') =>
  page
    .getByTestId(`pager-state-${which}`)
    .evaluate((badge: HTMLElement) => (badge.hidden ? '' : badge.textContent!.trim()));

async function openLesson(page: Page, lesson: string): Promise<void> {
  await page.goto(`${baseURL}/lessons/${lesson}/`);
  // The pager has asked for this browser's states: the current lesson's badge is shown.
  await page.locator('[data-testid="pager-state-current"]:not([hidden])').waitFor();
}

/**
 * Every demo console on the page runs and has read its session, so a press is answered here. A
 * lesson's demos wake on first use: the pointer comes over one first, as a learner's does.
 */
const demoReady = (page: Page) => wakeDemos(page);

async function learnerCookie(browser: BrowserSession) {
  return (await browser.context.cookies()).find((cookie) => cookie.name === LEARNER_SESSION_COOKIE);
}

/** The lesson's end comes into view the way a reader gets there: scrolling down to it. */
async function readToTheEnd(page: Page): Promise<void> {
  await page.locator('#takeaways-heading, #quiz-heading').first().scrollIntoViewIfNeeded();
}

describe('lesson progress, with JavaScript', () => {
  let browser: BrowserSession;
  let page: Page;

  beforeAll(async () => {
    browser = await launchBrowser();
    page = await browser.context.newPage();
    await page.setViewportSize({ width: 1366, height: 900 });
  });
  afterAll(async () => browser?.close());

  it('stores nothing when a browser without a learner reads a lesson to its end', async () => {
    await openLesson(page, 'jwt');
    const marked = page.waitForResponse(
      (response) =>
        response.url().endsWith('/api/progress') && response.request().method() === 'POST',
    );
    await readToTheEnd(page);
    // The mark went out and was answered: nothing recorded, no cookie.
    expect(await (await marked).json()).toMatchObject({ recorded: false, learner: false });
    expect(await pagerState(page, 'current')).toMatch(/Not started/);
    expect(await learnerCookie(browser)).toBeUndefined();
    await page.goto(`${baseURL}/`);
    expect(await statusOf(page, 'jwt')).toMatch(/Not started/);
    expect(await page.locator('.hint').textContent()).toMatch(/Nothing is stored before that/);
  });

  it('puts a lesson in progress when a demo button is pressed', async () => {
    await openLesson(page, 'plain-cookie');
    expect(await pagerState(page, 'current')).toBe('○ Not started');
    const marked = page.waitForResponse(
      (response) =>
        response.url().endsWith('/api/progress') && response.request().method() === 'POST',
    );
    await demoReady(page);
    await page.locator('#live-demo').getByTestId('demo-increment').first().click();
    expect((await marked).status()).toBe(200);
    await expect.poll(() => pagerState(page, 'current'), settled).toBe('◐ In progress');
    expect(await learnerCookie(browser)).toBeDefined();

    await page.goto(`${baseURL}/`);
    expect(await statusOf(page, 'plain-cookie')).toBe('◐ In progress');
    expect(await summary(page)).toMatch(/^0 of \d+ lessons done · 1 in progress/);
    await expectNoAxeViolations(page);
  });

  it('puts a lesson in progress when it is read to its end, for a learner', async () => {
    await openLesson(page, 'signed-cookie');
    expect(await pagerState(page, 'current')).toBe('○ Not started');
    await readToTheEnd(page);
    await expect.poll(() => pagerState(page, 'current'), settled).toBe('◐ In progress');
    await page.goto(`${baseURL}/`);
    expect(await statusOf(page, 'signed-cookie')).toBe('◐ In progress');
  });

  it('marks a lesson done when its quiz is passed, in the pager at once and on the home page', async () => {
    await openLesson(page, 'plain-cookie');
    // The quiz island must be running, so the answer comes back to this page, not a result page.
    await page.locator('#quiz-heading').scrollIntoViewIfNeeded();
    await page.locator('astro-island[component-url*="QuizForm"]:not([ssr])').waitFor();
    for (const [question, options] of correctAnswers(loadQuiz('plain-cookie'))) {
      for (const option of options) {
        await page.locator(`input[name="${question}"][value="${option}"]`).check();
      }
    }
    await page.getByTestId('quiz-submit').click();
    await expect.poll(() => page.getByTestId('quiz-score').textContent()).toBe('100%');
    await expect.poll(() => pagerState(page, 'current'), settled).toBe('✓ Done');

    await page.goto(`${baseURL}/`);
    expect(await statusOf(page, 'plain-cookie')).toBe('✓ Done · best quiz score 100%');
    expect(await summary(page)).toMatch(/^1 of \d+ lessons done · 1 in progress/);
  });

  it('shows the neighbours’ states in the pager', async () => {
    await openLesson(page, 'plain-cookie');
    const next = await page.locator('a[rel="next"]').getAttribute('href');
    const previous = await page.locator('a[rel="prev"]').getAttribute('href');
    expect(await pagerState(page, 'current')).toBe('✓ Done');
    await page.goto(`${baseURL}${next}`);
    await expect.poll(() => pagerState(page, 'previous'), settled).toBe('✓ Done');
    await page.goto(`${baseURL}${previous}`);
    await expect.poll(() => pagerState(page, 'next'), settled).toBe('✓ Done');
    // The link names the state too, for a reader who hears the pager rather than sees it.
    expect(await page.locator('a[rel="next"]').textContent()).toMatch(/Done/);
    await expectNoAxeViolations(page);
  });

  it('passes axe on the home page in both themes', async () => {
    for (const theme of ['light', 'dark']) {
      await page.goto(`${baseURL}/`);
      await page.evaluate((chosen) => localStorage.setItem('theme', chosen), theme);
      await page.reload();
      await expectNoAxeViolations(page);
    }
  });
});

describe('a first press that saves into a server store', () => {
  let browser: BrowserSession;
  let page: Page;

  beforeAll(async () => {
    browser = await launchBrowser();
    page = await browser.context.newPage();
  });
  afterAll(async () => browser?.close());

  it('leaves one learner owning both the demo session and the started lesson', async () => {
    await openLesson(page, 'sqlite');
    expect(await learnerCookie(browser)).toBeUndefined();
    // The demo creates the learner; the mark waits for its answer and lands on the same one.
    await demoReady(page);
    await page.locator('#live-demo').getByTestId('demo-increment').first().click();
    await expect.poll(() => pagerState(page, 'current'), settled).toBe('◐ In progress');
    await page.goto(`${baseURL}/your-data/`);
    expect(await page.getByTestId('learner-demo-sessions-sqlite').textContent()).toMatch(/^\s*1\b/);
    expect(
      await page.getByTestId('learner-lessons').locator('a[href="/lessons/sqlite/"]').count(),
    ).toBe(1);
  });
});

describe('lesson progress, without JavaScript', () => {
  let browser: BrowserSession;
  let page: Page;

  beforeAll(async () => {
    browser = await launchBrowser({ javaScriptEnabled: false });
    page = await browser.context.newPage();
  });
  afterAll(async () => browser?.close());

  it('claims no state in the pager and links to the course page instead', async () => {
    await page.goto(`${baseURL}/lessons/plain-cookie/`);
    for (const which of ['current', 'previous', 'next'] as const) {
      expect(await page.getByTestId(`pager-state-${which}`).isVisible()).toBe(false);
    }
    const progress = page.getByTestId('pager-progress');
    expect(await progress.innerText()).toBe('Your progress in every lesson');
    expect(await progress.getByRole('link').getAttribute('href')).toBe('/#progress-heading');
    await expectNoAxeViolations(page);
  });
});

describe('/api/progress on the running server', () => {
  const api = `${baseURL}/api/progress`;
  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(api, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body,
    });

  it('answers every lesson of the course, not started, for a browser without a learner', async () => {
    const response = await fetch(api);
    expect(response.status).toBe(200);
    expect(response.headers.getSetCookie()).toEqual([]);
    const body = (await response.json()) as { learner: boolean; lessons: Record<string, unknown> };
    expect(body.learner).toBe(false);
    expect(Object.keys(body.lessons)).toContain('plain-cookie');
    expect(new Set(Object.values(body.lessons).map((lesson) => JSON.stringify(lesson)))).toEqual(
      new Set([JSON.stringify({ state: 'not-started', bestScorePercent: null })]),
    );
  });

  it.each([
    ['a lesson the course does not have', post('{"lesson":"../etc","reason":"demo"}'), 400],
    ['an unknown reason', post('{"lesson":"plain-cookie","reason":"glance"}'), 400],
    ['a body over the bound', post(JSON.stringify({ pad: 'x'.repeat(20_000) })), 413],
    [
      'another site',
      post('{"lesson":"plain-cookie","reason":"demo"}', { Origin: 'https://evil.example' }),
      403,
    ],
  ])('refuses %s with a JSON error', async (_label, sent, status) => {
    const response = await sent;
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(typeof ((await response.json()) as { error?: unknown }).error).toBe('string');
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it('answers a method it does not take with 405 and Allow', async () => {
    const response = await fetch(api, { method: 'PUT' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toMatch(/GET.*POST/);
  });
});
