/**
 * The learner sees what a press did without scrolling: on the signed-cookie lesson, at a laptop
 * (1366×900) and a phone (390×844) size, the result strip under the buttons is inside the
 * viewport after the press, its figures are the inspector's, its button opens the inspector on
 * that request, and on a phone the "Try it" link at the lesson's start reaches the demo from the
 * keyboard. Then every demo button of every lesson, at both sizes: the strip is in view after it.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  closeInspector,
  expectNoAxeViolations,
  launchBrowser,
  type BrowserSession,
} from './browser';
import { lessons } from './lesson-list';

const baseURL = inject('baseURL');
const laptop = { width: 1366, height: 900 };
const phone = { width: 390, height: 844 };
const lesson = '/lessons/signed-cookie/';

let browser: BrowserSession;
let page: Page;

beforeAll(async () => {
  browser = await launchBrowser();
  page = await browser.context.newPage();
});
afterAll(async () => browser?.close());

async function open(viewport: typeof laptop, theme: 'light' | 'dark') {
  await page.setViewportSize(viewport);
  await page.goto(`${baseURL}/`);
  await page.evaluate((chosen) => localStorage.setItem('theme', chosen), theme);
  await page.goto(`${baseURL}${lesson}`);
  await idle();
  await closeInspector(page);
}

/** Requests the page's one log holds, as the inspector's bar counts them. */
const logged = async () =>
  Number(await page.getByTestId('inspector-count').getAttribute('data-count'));

/** Waits until every demo on the page has read its session and has nothing in flight. */
async function idle(): Promise<void> {
  await page.waitForFunction(() => {
    const consoles = [...document.querySelectorAll('section.console')];
    const statuses = [...document.querySelectorAll('[data-testid="demo-status"]')];
    return (
      consoles.length > 0 &&
      consoles.every((element) => element.getAttribute('aria-busy') === 'false') &&
      statuses.every((element) => element.getAttribute('data-status') !== 'none')
    );
  });
}

/** The element's box against the viewport: fully inside, nothing to scroll to. */
async function insideViewport(testId: string): Promise<boolean> {
  return page
    .getByTestId(testId)
    .first()
    .evaluate((element) => {
      const box = element.getBoundingClientRect();
      return (
        box.height > 0 &&
        box.top >= 0 &&
        box.left >= 0 &&
        box.bottom <= window.innerHeight &&
        box.right <= window.innerWidth
      );
    });
}

/** Presses a demo button and waits for its answer, then reports how far the page scrolled. */
async function press(testId: string, requests: number): Promise<{ scrolled: number }> {
  const requestsBefore = await logged();
  const button = page.getByTestId(testId).first();
  await button.scrollIntoViewIfNeeded();
  const before = await page.evaluate(() => window.scrollY);
  await button.click();
  await expect.poll(logged, { timeout: 20_000 }).toBeGreaterThanOrEqual(requestsBefore + requests);
  await idle();
  await expect.poll(() => page.getByTestId('strip-change').count()).toBe(1);
  return { scrolled: (await page.evaluate(() => window.scrollY)) - before };
}

const numberIn = async (testId: string) =>
  Number((await page.getByTestId(testId).first().textContent())?.replace(/[^\d.]/g, ''));

/**
 * The strip and the inspector name the same bytes for the same request. The strip's button opens
 * the inspector on that request, and it is in view with the focus in it.
 */
async function expectStripMatchesPanel(): Promise<void> {
  await page.getByTestId('strip-show-panel').click();
  await page.getByTestId('panel').waitFor();
  await expect
    .poll(() =>
      page.getByTestId('panel').evaluate((panel) => {
        const box = panel.getBoundingClientRect();
        return box.top >= 0 && box.top < window.innerHeight && document.activeElement === panel;
      }),
    )
    .toBe(true);
  const selectedRow = page.locator('[data-testid="panel-request-row"].selected td').first();
  expect(Number(await selectedRow.textContent())).toBe(await numberIn('strip-request'));
  const note = (await page.getByTestId('panel').locator('.summary-note').textContent()) ?? '';
  expect(note).toContain(`request #${await numberIn('strip-request')},`);
  expect(await numberIn('strip-http-status')).toBe(200);
  expect(await numberIn('strip-cookie-bytes')).toBe(await numberIn('panel-cookie-header-bytes'));
  expect(await numberIn('strip-set-cookie-bytes')).toBe(await numberIn('panel-set-cookie-bytes'));
  // Server time: load + save (+ work) from the Timing tab's Server-Timing column, each rounded
  // to the microsecond there, so they may differ from the strip's sum by that rounding.
  await page.getByTestId('panel-tab-timing').first().click();
  const phases = await page
    .locator('[role="tabpanel"]:not([hidden]) tbody tr')
    .evaluateAll((rows) =>
      rows
        .map((row) => ({
          name: row.querySelector('th')?.textContent?.trim() ?? '',
          ms: Number(row.querySelectorAll('td')[2]?.textContent),
        }))
        .filter(({ name }) => /^(load|save|work)(-\d+)?$/.test(name))
        .map(({ ms }) => ms),
    );
  await page.getByTestId('panel-tab-network').first().click();
  expect(phases.length).toBeGreaterThan(0);
  const sum = phases.reduce((total, ms) => total + ms, 0);
  expect(Math.abs((await numberIn('strip-server-ms')) - sum)).toBeLessThanOrEqual(
    0.0005 * phases.length + 1e-9,
  );
}

describe.each([
  ['laptop', laptop, 'light'],
  ['laptop', laptop, 'dark'],
  ['phone', phone, 'light'],
  ['phone', phone, 'dark'],
] as const)('the result strip on a %s (%o, %s)', (kind, viewport, theme) => {
  it('is in view after a press, with the panel’s figures', async () => {
    await open(viewport, theme);
    if (kind === 'phone') {
      // From the top of the lesson, the keyboard reaches the demo through the "Try it" link.
      const link = page.getByRole('link', { name: /Try it: jump to the live demo/ });
      expect(await insideViewport('try-demo')).toBe(true);
      await link.focus();
      await page.keyboard.press('Enter');
      await expect.poll(() => insideViewport('demo-increment')).toBe(true);
    } else {
      expect(await page.getByTestId('try-demo').isVisible()).toBe(false);
    }

    const { scrolled } = await press('demo-increment', 1);
    expect(scrolled).toBe(0);
    expect(await insideViewport('result-strip')).toBe(true);
    expect(await page.getByTestId('strip-change').textContent()).toMatch(
      /session created, counter = 1|counter \d+ → \d+/,
    );
    expect(await page.getByTestId('result-strip').locator('[aria-live="polite"]').count()).toBe(1);
    await expectStripMatchesPanel();
    await expectNoAxeViolations(page);

    // The "too big" demo, further down the forms: the strip is still in view and says why.
    await press('demo-grow-anyway', 2);
    expect(await insideViewport('result-strip')).toBe(true);
    expect(await page.getByTestId('strip-change').textContent()).toMatch(
      /^cookie rejected: too big \(\d+ B > 4096\)$/,
    );
    await expectStripMatchesPanel();
    expect(await insideViewport('result-strip')).toBe(true);
    // The key columns fit the drawer at a laptop's width: the request list does not scroll.
    if (kind === 'laptop') {
      const list = page.getByRole('group', { name: 'Request list' });
      expect(await list.evaluate((box) => box.scrollWidth - box.clientWidth)).toBeLessThanOrEqual(
        0,
      );
    }
    expect(await sidewaysOverflow()).toBeLessThanOrEqual(0);
    await expectNoAxeViolations(page);

    // Escape closes the inspector from inside it and gives the focus back to its button.
    await page.keyboard.press('Escape');
    const toggle = page.getByTestId('inspector-toggle');
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    expect(await toggle.evaluate((button) => button === document.activeElement)).toBe(true);
    await expectNoAxeViolations(page);
  });
});

const sidewaysOverflow = () =>
  page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

/** Every button a demo offers, in the order the forms show them; the race has its own tests. */
const demoButtons = [
  'demo-read',
  'demo-increment',
  'demo-set',
  'demo-grow',
  'demo-second-session',
  'demo-revoke-all',
  'demo-tamper-send',
  'demo-clear',
];

describe.each([
  ['laptop', laptop],
  ['phone', phone],
] as const)('every demo button of every lesson on a %s', (_kind, viewport) => {
  it.each(lessons.filter((entry) => entry.stores.length > 0))(
    '$id: the outcome is in view after each press',
    async ({ id, stores }) => {
      await page.setViewportSize(viewport);
      await page.goto(`${baseURL}/lessons/${id}/`);
      await idle();
      await closeInspector(page);
      const consoles = page.locator('section.console');
      expect(await consoles.count()).toBe(stores.length);
      const missed: string[] = [];
      for (let index = 0; index < stores.length; index++) {
        const demo = consoles.nth(index);
        if ((await demo.getByTestId('demo-set-key').count()) > 0) {
          await demo.getByTestId('demo-set-key').fill('colour');
          await demo.getByTestId('demo-set-value').fill('teal');
        }
        for (const testId of demoButtons) {
          const button = demo.getByTestId(testId).first();
          if ((await button.count()) === 0 || !(await button.isEnabled())) continue;
          const before = await logged();
          await button.click();
          await expect.poll(logged, { timeout: 20_000 }).toBeGreaterThan(before);
          await idle();
          const strip = demo.getByTestId('result-strip');
          await strip.getByTestId('strip-change').waitFor();
          const inView = await strip.evaluate((element) => {
            const box = element.getBoundingClientRect();
            return box.height > 0 && box.top >= 0 && box.bottom <= window.innerHeight;
          });
          if (!inView) missed.push(`${stores[index]} ${testId}`);
        }
      }
      expect(missed).toEqual([]);
      expect(await sidewaysOverflow()).toBeLessThanOrEqual(0);
    },
  );
});
