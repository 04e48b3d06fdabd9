/**
 * "Predict, then press" in real Chromium against the built server: the press stays locked until a
 * prediction is committed, the outcome shown is the one the server's real response carries (and
 * what the browser's own next demo request finds), a form without JavaScript records, presses and
 * lands on a page with the outcome, and axe finds nothing on either.
 */
import { mkdir } from 'node:fs/promises';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { PredictionAnswer } from '../../src/course/predictions/answer';
import { expectNoAxeViolations, launchBrowser, type BrowserSession } from './browser';

const baseURL = inject('baseURL');
const shots = '/tmp/predict-shots';

let browser: BrowserSession;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

/** The checkpoint's section once its island has hydrated (client:visible: scrolled into view). */
async function checkpoint(page: Page, id: string): Promise<Locator> {
  const section = page.locator(`section[data-checkpoint="${id}"]`);
  await section.scrollIntoViewIfNeeded();
  await expect.poll(() => section.getAttribute('data-ready'), { timeout: 10_000 }).toBe('true');
  return section;
}

/** Commits `option`, presses, and returns the server's JSON answer to the press. */
async function commitAndPress(
  page: Page,
  section: Locator,
  option: string,
  { keyboard = false }: { keyboard?: boolean } = {},
) {
  const press = section.getByTestId('predict-press');
  expect(await press.isDisabled()).toBe(true);
  expect(await section.getByTestId('predict-lock').textContent()).toContain(
    'Locked until you commit a prediction',
  );
  if (keyboard) {
    // Arrow keys move through the radio group and select; Tab reaches the buttons in order.
    const radios = section.locator('input[type="radio"]');
    await radios.first().focus();
    await page.keyboard.press('Space');
    while (!(await section.getByTestId(`predict-option-${option}`).isChecked())) {
      await page.keyboard.press('ArrowDown');
    }
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe(
      'predict-commit',
    );
    await page.keyboard.press('Enter');
  } else {
    await section.getByTestId(`predict-option-${option}`).check();
    await section.getByTestId('predict-commit').click();
  }
  await expect.poll(() => press.isDisabled(), { timeout: 10_000 }).toBe(false);
  expect(await section.getByTestId('predict-lock').textContent()).toContain('Unlocked');

  const answered = page.waitForResponse(
    (response) =>
      response.url().includes('/predictions/') &&
      response.request().method() === 'POST' &&
      response.request().postData()?.includes('"press"') === true,
  );
  if (keyboard) {
    // The commit button is disabled once used; the focus moves on to the unlocked press button.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe(
      'predict-press',
    );
    await page.keyboard.press('Enter');
  } else {
    await press.click();
  }
  const answer = (await (await answered).json()) as PredictionAnswer;
  await section.getByTestId('predict-outcome').waitFor();
  return answer;
}

describe('a checkpoint with JavaScript', () => {
  it('unlocks the press only after a commit, and shows the outcome the server really reported', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${baseURL}/lessons/memory/`);
    const section = await checkpoint(page, 'memory-restart');
    const answer = await commitAndPress(page, section, 'survives');

    // What the page shows is what the server's answer says …
    expect(answer.press).not.toBeNull();
    const happened = section.getByTestId('predict-happened');
    expect(await happened.getAttribute('data-outcome')).toBe(answer.press!.outcome);
    expect(await section.getByTestId('predict-observed').textContent()).toBe(
      answer.press!.observed,
    );
    expect(await section.getByTestId('predict-outcome').getAttribute('data-correct')).toBe(
      String(answer.press!.outcome === 'survives'),
    );
    // … and the browser's own next request to the demo finds what that outcome claims.
    const read = await page.evaluate(async () => {
      const reply = await fetch('/api/demo/memory?instance=1', {
        headers: { Accept: 'application/json' },
      });
      return ((await reply.json()) as { status: string }).status;
    });
    expect(answer.press!.outcome).toBe(read === 'ok' ? 'survives' : 'lost');
    // The lesson's demo, not used yet, woke at the press and read what the press left.
    await expect
      .poll(() => page.getByTestId('demo-status').first().getAttribute('data-status'), {
        timeout: 10_000,
      })
      .toBe(read);
    await expectNoAxeViolations(page);

    // Opened again, the checkpoint shows where the learner left off.
    await page.reload();
    const again = await checkpoint(page, 'memory-restart');
    await again.getByTestId('predict-outcome').waitFor();
    expect(await again.getByTestId('predict-happened').getAttribute('data-outcome')).toBe(
      answer.press!.outcome,
    );
    expect(await again.getByTestId('predict-option-survives').isChecked()).toBe(true);
    expect(await again.getByTestId('predict-press').isDisabled()).toBe(false);
    await page.close();
  });

  it('a 5 KB cookie, by keyboard: the outcome matches what Chromium itself kept', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${baseURL}/lessons/cookie-size/`);
    const section = await checkpoint(page, 'cookie-size-dropped');
    const answer = await commitAndPress(page, section, 'kept', { keyboard: true });
    const cookies = await browser.context.cookies(`${baseURL}/api/demo/signed-cookie`);
    const session = cookies.find((cookie) => cookie.name === 'session');
    expect(session).toBeDefined();
    const kept = session!.name.length + session!.value.length > 4096;
    expect(answer.press!.outcome).toBe(kept ? 'kept' : 'dropped');
    expect(await section.getByTestId('predict-outcome').getAttribute('data-correct')).toBe(
      String(kept),
    );
    await page.close();
  });

  it('a store with no server here: says the result could not be checked', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${baseURL}/lessons/redis-memcached/`);
    const section = await checkpoint(page, 'redis-other-instance');
    const answer = await commitAndPress(page, section, 'found');
    expect(answer.press).toMatchObject({ outcome: null, correct: null });
    expect(await section.getByTestId('predict-outcome').textContent()).toContain(
      'could not be checked',
    );
    expect(await section.getByTestId('predict-observed').textContent()).toMatch(
      /Redis is not running on this server/,
    );
    await page.close();
  });

  it('takes screenshots of one checkpoint, light and dark, wide and narrow', async () => {
    await mkdir(shots, { recursive: true });
    for (const [width, height] of [
      [1366, 900],
      [390, 844],
    ] as const) {
      for (const scheme of ['light', 'dark'] as const) {
        // A fresh learner each time: a returning one would find the checkpoint already pressed.
        await browser.context.clearCookies();
        const page = await browser.context.newPage();
        await page.setViewportSize({ width, height });
        await page.emulateMedia({ colorScheme: scheme });
        await page.goto(`${baseURL}/lessons/jwt/`);
        const section = await checkpoint(page, 'jwt-alg-none');
        await commitAndPress(page, section, 'believed');
        await section.screenshot({
          path: `${shots}/jwt-alg-none-${width}x${height}-${scheme}.png`,
        });
        await page.close();
      }
    }
  });
});

describe('a checkpoint without JavaScript', () => {
  let scriptless: BrowserSession;

  beforeAll(async () => {
    scriptless = await launchBrowser({ javaScriptEnabled: false });
  });

  afterAll(async () => {
    await scriptless?.close();
  });

  it('posts the form, which records, presses and lands on the outcome page', async () => {
    const page = await scriptless.context.newPage();
    await page.goto(`${baseURL}/lessons/sqlite/`);
    const section = page.locator('section[data-checkpoint="sqlite-wrong-secret"]');
    expect(await section.getAttribute('data-ready')).toBe('false');
    await section.getByTestId('predict-option-found').check();
    await Promise.all([
      page.waitForURL(/\/predictions\/sqlite-wrong-secret\/#result$/),
      section.getByTestId('predict-submit').click(),
    ]);
    const outcome = page.getByTestId('predict-outcome');
    expect(await page.getByTestId('predict-happened').getAttribute('data-outcome')).toBe('refused');
    expect(await outcome.getAttribute('data-correct')).toBe('false');
    expect(await page.getByTestId('predict-observed').textContent()).toMatch(
      /status “(new|tampered)”/,
    );
    // The learner's data page lists the prediction with what happened.
    await page.goto(`${baseURL}/your-data/`);
    const row = page.getByTestId('learner-predictions').locator('tbody tr');
    expect(await row.count()).toBe(1);
    expect(await row.first().textContent()).toContain('not right');
    // The prediction started the lesson and counts toward it.
    const lesson = page
      .getByTestId('learner-lessons')
      .locator('tbody tr', { hasText: 'Database sessions' });
    expect(await lesson.textContent()).toContain('1 of 2');
    await page.goto(`${baseURL}/predictions/sqlite-wrong-secret/`);
    await expectNoAxeViolations(page);
    await page.close();
  });
});
