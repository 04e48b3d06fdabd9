/**
 * The page's one inspector, docked at the window's foot like DevTools: a lesson with two demos
 * logs both into one list with one numbering and the store named on each row; the drawer opens
 * and closes from the keyboard (its shortcut, Escape), resizes from the keyboard, and keeps both
 * choices across a reload; its code is not loaded until it is first opened.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  expectNoAxeViolations,
  launchBrowser,
  openInspector,
  type BrowserSession,
} from './browser';

const baseURL = inject('baseURL');
/** The cookie-size lesson shows two demos: the signed cookie and SQLite. */
const twoDemoLesson = '/lessons/cookie-size/';

let browser: BrowserSession;
let page: Page;

beforeAll(async () => {
  browser = await launchBrowser();
  page = await browser.context.newPage();
  await page.setViewportSize({ width: 1366, height: 900 });
});
afterAll(async () => browser?.close());

async function idle(): Promise<void> {
  await page.waitForFunction(() => {
    const consoles = [...document.querySelectorAll('section.console')];
    return (
      consoles.length > 0 &&
      consoles.every((element) => element.getAttribute('aria-busy') === 'false') &&
      [...document.querySelectorAll('[data-testid="demo-status"]')].every(
        (element) => element.getAttribute('data-status') !== 'none',
      )
    );
  });
}

const toggle = () => page.getByTestId('inspector-toggle');
const expanded = async () => (await toggle().getAttribute('aria-expanded')) === 'true';
const focusInDrawer = () =>
  page.evaluate(() =>
    Boolean(
      document.querySelector('[data-testid="inspector-drawer"]')?.contains(document.activeElement),
    ),
  );

describe('the inspector drawer', () => {
  it('loads the panel only when first opened', async () => {
    const scripts: string[] = [];
    page.on('request', (request) => {
      if (request.resourceType() === 'script') scripts.push(request.url());
    });
    await page.goto(`${baseURL}${twoDemoLesson}`);
    await idle();
    expect(await expanded()).toBe(false);
    expect(await page.getByTestId('panel').count()).toBe(0);
    const beforeOpen = scripts.length;
    await openInspector(page);
    // Opening fetched code the page had not loaded.
    expect(scripts.length).toBeGreaterThan(beforeOpen);
    page.removeAllListeners('request');
  });

  it('logs every demo on the page in one list, numbered once, each row naming its store', async () => {
    const consoles = page.locator('section.console');
    expect(await consoles.count()).toBe(2);
    await consoles.nth(0).getByTestId('demo-increment').click();
    await idle();
    await consoles.nth(1).getByTestId('demo-increment').click();
    await idle();
    const rows = page.getByTestId('panel-request-row');
    const cells = await rows.evaluateAll((list) =>
      list.map((row) => ({
        seq: Number(row.querySelector('td')?.textContent),
        store: row.querySelectorAll('td')[1]?.textContent?.trim() ?? '',
      })),
    );
    // Two initial reads and two increments, numbered 1…4 across both demos.
    expect(cells.map((cell) => cell.seq)).toEqual([1, 2, 3, 4]);
    const stores = new Set(cells.map((cell) => cell.store));
    expect(stores.size).toBe(2);
    const titles = await consoles.evaluateAll((list) =>
      list.map((element) => element.querySelector('h2')?.textContent?.replace(/^Try it: /, '')),
    );
    expect([...stores].toSorted()).toEqual(titles.toSorted());
    await expectNoAxeViolations(page);
  });

  it('closes with Escape and opens with Alt+Shift+I, with the focus following', async () => {
    await page.getByTestId('panel-tab-cookies').click();
    await page.keyboard.press('Escape');
    expect(await expanded()).toBe(false);
    expect(await toggle().evaluate((button) => button === document.activeElement)).toBe(true);

    await page.keyboard.press('Alt+Shift+KeyI');
    await expect.poll(expanded).toBe(true);
    await expect.poll(focusInDrawer).toBe(true);
    // The panel kept its state while closed: the tab the learner chose is still chosen.
    expect(await page.getByTestId('panel-tab-cookies').getAttribute('aria-selected')).toBe('true');
    expect(await toggle().getAttribute('aria-keyshortcuts')).toBe('Alt+Shift+I');
  });

  it('resizes from the keyboard and remembers its height and state across a reload', async () => {
    const edge = page.getByTestId('inspector-resize');
    const heightOf = () =>
      page
        .getByTestId('inspector-drawer')
        .evaluate((drawer) => drawer.getBoundingClientRect().height);
    const before = Number(await edge.getAttribute('aria-valuenow'));
    const pixelsBefore = await heightOf();
    await edge.focus();
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    const after = Number(await edge.getAttribute('aria-valuenow'));
    expect(after).toBe(before + 10);
    expect(await heightOf()).toBeGreaterThan(pixelsBefore + 50);
    // The page keeps room for the drawer at its foot, so nothing is hidden behind it.
    const room = await page.evaluate(() =>
      parseFloat(getComputedStyle(document.body).paddingBottom),
    );
    expect(Math.abs(room - (await heightOf()))).toBeLessThanOrEqual(1);

    await page.reload();
    await idle();
    await expect.poll(expanded).toBe(true);
    await page.getByTestId('panel').waitFor();
    expect(Number(await page.getByTestId('inspector-resize').getAttribute('aria-valuenow'))).toBe(
      after,
    );
    await page.keyboard.press('Alt+Shift+KeyI');
    await expect.poll(expanded).toBe(false);
    await page.reload();
    await idle();
    expect(await expanded()).toBe(false);
  });
});
