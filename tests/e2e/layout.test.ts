/**
 * How the wide pages use the screen and how small defects stay fixed, in real Chromium at a
 * laptop (1366×900) and a phone (390×844) size, in both themes: the home page's two-column map,
 * the comparison table that fits a laptop, quiz prompts inside their box, the review page named
 * once, search without JavaScript, and no words glued to a link or code by the template's
 * whitespace.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { expectNoAxeViolations, launchBrowser, type BrowserSession } from './browser';

const baseURL = inject('baseURL');
const laptop = { width: 1366, height: 900 };
const phone = { width: 390, height: 844 };

let browser: BrowserSession;
let page: Page;

beforeAll(async () => {
  browser = await launchBrowser();
  page = await browser.context.newPage();
});
afterAll(async () => browser?.close());

/** Opens a page in a theme, chosen the way the site's toggle stores it. */
async function open(path: string, viewport: typeof laptop, theme: 'light' | 'dark' = 'light') {
  await page.setViewportSize(viewport);
  await page.goto(`${baseURL}/`);
  await page.evaluate((chosen) => localStorage.setItem('theme', chosen), theme);
  await page.goto(`${baseURL}${path}`, { waitUntil: 'networkidle' });
  expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
}

/** The left edges of the lesson cards, in page order. */
async function lessonCards(): Promise<{ id: string; left: number }[]> {
  return page
    .locator('[data-testid^="lesson-"]:not([data-testid^="lesson-status-"])')
    .evaluateAll((cards) =>
      cards.map((card) => ({
        id: card.getAttribute('data-testid')!.slice('lesson-'.length),
        left: Math.round(card.getBoundingClientRect().left),
      })),
    );
}

async function horizontalOverflow(): Promise<number> {
  return page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
}

describe('the home page', () => {
  for (const theme of ['light', 'dark'] as const) {
    it(`lays the lessons out in two columns on a laptop, in course order (${theme})`, async () => {
      await open('/', laptop, theme);
      const cards = await lessonCards();
      expect(cards.length).toBeGreaterThan(10);
      const columns = [...new Set(cards.map((card) => card.left))];
      expect(columns).toHaveLength(2);
      // Down the first column, then the second: the left edge changes exactly once.
      const firstRight = cards.findIndex((card) => card.left === Math.max(...columns));
      expect(cards.slice(firstRight).every((card) => card.left === Math.max(...columns))).toBe(
        true,
      );
      const numbers = await page.locator('[data-testid^="lesson-"] .number').allTextContents();
      expect(numbers).toEqual(cards.map((_, index) => `${index + 1}.`));
      expect(await horizontalOverflow()).toBe(0);
      await expectNoAxeViolations(page);
    });

    it(`stacks everything in one column on a phone (${theme})`, async () => {
      await open('/', phone, theme);
      const cards = await lessonCards();
      expect(new Set(cards.map((card) => card.left)).size).toBe(1);
      expect(await horizontalOverflow()).toBe(0);
      await expectNoAxeViolations(page);
    });
  }

  it('groups the lessons into parts with headings', async () => {
    await open('/', laptop);
    const parts = page.locator('.map section[aria-labelledby^="part-"]');
    expect(await parts.count()).toBeGreaterThanOrEqual(3);
    expect(await parts.first().getByRole('heading', { level: 3 }).textContent()).toBeTruthy();
  });
});

describe('the comparison table', () => {
  it('fits a 1366 px screen without scrolling sideways', async () => {
    await open('/compare/', laptop);
    const region = page.getByRole('region', { name: /Every store, measured/ });
    const { scrollWidth, clientWidth } = await region.evaluate((element) => ({
      scrollWidth: element.scrollWidth,
      clientWidth: element.clientWidth,
    }));
    expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
    expect(await horizontalOverflow()).toBe(0);
    await expectNoAxeViolations(page);
  });

  it('scrolls inside its own region on a phone, never the page', async () => {
    await open('/compare/', phone, 'dark');
    expect(await horizontalOverflow()).toBe(0);
    await expectNoAxeViolations(page);
  });
});

describe('the final review', () => {
  it('names the page once: one heading, no region repeating it', async () => {
    await open('/review/', laptop);
    const snapshot = await page.getByRole('main').ariaSnapshot();
    expect(snapshot.match(/Final review/g)).toHaveLength(1);
  });

  for (const viewport of [phone, laptop]) {
    it(`keeps every question's prompt inside its box at ${viewport.width} px`, async () => {
      await open('/review/', viewport, 'dark');
      const escapes = await page.locator('fieldset').evaluateAll((fieldsets) =>
        fieldsets.flatMap((fieldset) => {
          const box = fieldset.getBoundingClientRect();
          const border = parseFloat(getComputedStyle(fieldset).borderTopWidth);
          const legend = fieldset.querySelector('legend')!.getBoundingClientRect();
          return legend.top >= box.top + border && legend.bottom <= box.bottom ? [] : [fieldset.id];
        }),
      );
      expect(escapes).toEqual([]);
      await expectNoAxeViolations(page);
    });
  }
});

describe('search', () => {
  it('says without JavaScript that it needs it, and links the lessons and the cheat sheet', async () => {
    const scriptless = await launchBrowser({ javaScriptEnabled: false });
    try {
      const noScriptPage = await scriptless.context.newPage();
      await noScriptPage.goto(`${baseURL}/search/`);
      const notice = noScriptPage.getByTestId('search-needs-javascript');
      expect(await notice.isVisible()).toBe(true);
      expect(await notice.textContent()).toMatch(/needs JavaScript/);
      expect(await noScriptPage.locator('main').textContent()).not.toMatch(/Loading/);
      expect(await notice.getByRole('link', { name: 'cheat sheet' }).getAttribute('href')).toBe(
        '/cheat-sheet/',
      );
      const lessonList = noScriptPage.getByRole('complementary', { name: 'All lessons' });
      expect(await lessonList.getByRole('link').count()).toBeGreaterThan(10);
      await expectNoAxeViolations(noScriptPage);
    } finally {
      await scriptless.close();
    }
  });

  it('uses the width on a laptop: results beside the lesson list', async () => {
    await open('/search/', laptop, 'dark');
    const search = await page.getByRole('search').boundingBox();
    const lessons = await page.getByRole('complementary', { name: 'All lessons' }).boundingBox();
    expect(lessons!.x).toBeGreaterThan(search!.x + search!.width);
    expect(await page.getByTestId('search-status').textContent()).toMatch(/Type to search/);
    await expectNoAxeViolations(page);
  });
});

/**
 * Words glued to the edge of a link, code or emphasis ("on the" + "<a>course page</a>" read "on
 * thecourse page"): Astro drops a line break between text and an element on the next line.
 * A code word followed by "s" or "'s" is written that way on purpose (`POST`s).
 */
describe('spacing around links and code', () => {
  const pages = [
    '/',
    '/search/',
    '/review/',
    '/compare/',
    '/cheat-sheet/',
    '/benchmarks/',
    '/demos/',
    '/demos/signed-cookie/',
    '/your-data/',
    '/join/',
    '/instructor/',
    '/lessons/why-sessions/',
    '/lessons/cookie-size/',
    '/lessons/security/',
  ];

  it('leaves no word glued to an inline element on any page, with or without JavaScript', async () => {
    const scriptless = await launchBrowser({ javaScriptEnabled: false });
    try {
      const noScriptPage = await scriptless.context.newPage();
      const glued: string[] = [];
      for (const target of [page, noScriptPage]) {
        await target.setViewportSize(laptop);
        for (const path of pages) {
          await target.goto(`${baseURL}${path}`);
          const found = await target.evaluate(() => {
            const shown = (node: Node | null): string =>
              !node
                ? ''
                : node.nodeType === Node.TEXT_NODE
                  ? (node.textContent ?? '')
                  : node instanceof Element && getComputedStyle(node).display === 'inline'
                    ? (node.textContent ?? '')
                    : '';
            const joins: string[] = [];
            for (const element of document.body.querySelectorAll(
              'a, code, strong, em, span, time, kbd, abbr, b, i, small, mark',
            )) {
              if (getComputedStyle(element).display !== 'inline' || element.closest('pre'))
                continue;
              const text = element.textContent ?? '';
              const before = shown(element.previousSibling);
              const after = shown(element.nextSibling);
              if (/[\p{L}\p{N},.;:·)]$/u.test(before) && /^[\p{L}\p{N}(]/u.test(text)) {
                joins.push(`${before.slice(-20)}|${text.slice(0, 20)}`);
              }
              const pluralOfCode = element.tagName === 'CODE' && /^(s|[’']s)\b/.test(after);
              if (
                !pluralOfCode &&
                /[\p{L}\p{N}.,;:)]$/u.test(text) &&
                /^[\p{L}\p{N}(·]/u.test(after)
              ) {
                joins.push(`${text.slice(-20)}|${after.slice(0, 20)}`);
              }
            }
            return joins;
          });
          glued.push(...found.map((join) => `${path}: ${join}`));
        }
      }
      expect(glued).toEqual([]);
    } finally {
      await scriptless.close();
    }
  });
});
