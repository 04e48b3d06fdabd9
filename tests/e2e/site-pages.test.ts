/**
 * The whole course as a visitor meets it: every lesson renders with its demo and quiz and passes
 * axe, every internal link resolves, and search finds lessons.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { benchmarks } from '../../src/course/benchmarks';
import {
  expectNoAxeViolations,
  launchBrowser,
  openInspector,
  type BrowserSession,
} from './browser';
import { lessons } from './lesson-list';

const baseURL = inject('baseURL');

let browser: BrowserSession;
let page: Page;

beforeAll(async () => {
  browser = await launchBrowser();
  page = await browser.context.newPage();
});
afterAll(async () => browser?.close());

describe.each(lessons)('lesson $id', (lesson) => {
  it('renders its prose, demos, one inspector and quiz, and passes axe with it closed and open', async () => {
    const response = await page.goto(`${baseURL}/lessons/${lesson.id}/`);
    expect(response?.status()).toBe(200);
    expect(await page.locator('h1').textContent()).toBe(lesson.title);
    expect(await page.locator('[data-testid="quiz-form"]').count()).toBe(1);
    expect(await page.locator('.demo section.console').count()).toBe(lesson.stores.length);
    // Several demos on a page share one inspector, as DevTools keeps one log per tab.
    const drawers = page.getByTestId('inspector-drawer');
    expect(await drawers.count()).toBe(lesson.stores.length > 0 ? 1 : 0);
    await page.waitForLoadState('networkidle');
    await expectNoAxeViolations(page);
    if (lesson.stores.length > 0) {
      await openInspector(page);
      await page.waitForLoadState('networkidle');
      await expectNoAxeViolations(page);
      // Closed again for the next page: the choice is remembered in this browser.
      await page.getByTestId('inspector-toggle').click();
    }
  });
});

describe('pages that refuse', () => {
  it.each([
    ['a method a page does not answer', 'DELETE', '/lessons/jwt/', 405],
    ['an unknown demo', 'GET', '/demos/no-such-store/', 404],
    ['a target that does not decode', 'GET', '/review/?%zz', 400],
  ])('%s is a real page that passes axe', async (_label, method, target, status) => {
    // The browser navigates with GET; other methods are sent, then their page is shown as sent.
    if (method === 'GET') {
      const response = await page.goto(`${baseURL}${target}`);
      expect(response?.status()).toBe(status);
    } else {
      const response = await page.request.fetch(`${baseURL}${target}`, { method });
      expect(response.status()).toBe(status);
      await page.goto(`${baseURL}/errors/${status}/`);
    }
    expect(await page.locator('h1').count()).toBe(1);
    await expectNoAxeViolations(page);
  });
});

describe('links', () => {
  it('every internal link on every page resolves', async () => {
    const seen = new Set<string>();
    const queue = ['/'];
    const broken: string[] = [];
    while (queue.length > 0 && seen.size < 300) {
      const path = queue.shift() ?? '/';
      if (seen.has(path)) continue;
      seen.add(path);
      const response = await fetch(`${baseURL}${path}`, { redirect: 'manual' });
      // The instructor area is closed (403) on a site without INSTRUCTOR_TOKEN, as it should be.
      const closedInstructorArea = path.startsWith('/instructor') && response.status === 403;
      if (response.status !== 200 && !closedInstructorArea) {
        broken.push(`${path} → ${response.status}`);
        continue;
      }
      if (closedInstructorArea) continue;
      if (!(response.headers.get('content-type') ?? '').includes('text/html')) continue;
      const html = await response.text();
      for (const match of html.matchAll(/href="(\/[^"#?]*)(?:[?#][^"]*)?"/g)) {
        const target = match[1] ?? '/';
        if (!target.startsWith('/_astro/') && !target.startsWith('/api/') && !seen.has(target))
          queue.push(target);
      }
    }
    expect(broken).toEqual([]);
    expect(seen.size).toBeGreaterThan(lessons.length);
  });
});

describe('search', () => {
  it('finds a lesson by a word in its text', async () => {
    await page.goto(`${baseURL}/search/`);
    await page.getByTestId('search-input').fill('HMAC');
    await expect
      .poll(() => page.getByTestId('search-results').textContent())
      .toMatch(/signed cookie/i);
    await expectNoAxeViolations(page);
  });
});

describe('course extras', () => {
  it('prints every lesson’s takeaways on the cheat sheet', async () => {
    await page.goto(`${baseURL}/cheat-sheet/`);
    expect(await page.locator('.sheet section').count()).toBe(lessons.length);
    await expectNoAxeViolations(page);
  });

  it('lists every benchmark a lesson links, each under its own anchor', async () => {
    await page.goto(`${baseURL}/benchmarks/`);
    for (const benchmark of benchmarks) {
      const section = page.locator(`section#${benchmark.id}`);
      expect(await section.count(), benchmark.id).toBe(1);
      expect(await section.textContent()).toContain(benchmark.command);
    }
    await expectNoAxeViolations(page);
  });
});

describe('site navigation', () => {
  const sections = [
    ['Lessons', '/', '/lessons/signed-cookie/'],
    ['Demos', '/demos/', '/demos/'],
    ['Compare', '/compare/', '/compare/'],
    ['Search', '/search/', '/search/'],
    ['Cheat sheet', '/cheat-sheet/', '/cheat-sheet/'],
    ['Your data', '/your-data/', '/your-data/'],
  ] as const;

  it.each(sections)(
    'links every section and marks %s current on %s',
    async (label, href, visited) => {
      await page.goto(`${baseURL}${visited}`);
      const nav = page.getByRole('navigation', { name: 'Site' });
      for (const [otherLabel, otherHref] of sections) {
        expect(
          await nav.getByRole('link', { name: otherLabel, exact: true }).getAttribute('href'),
        ).toBe(otherHref);
      }
      const current = nav.locator('a[aria-current="page"]');
      expect(await current.count()).toBe(1);
      expect(await current.textContent()).toBe(label);
      expect(await current.getAttribute('href')).toBe(href);
    },
  );

  it('wraps on a 390 px phone without sideways scrolling, reachable by Tab with a visible focus', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.goto(`${baseURL}/compare/`);
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - window.innerWidth,
      );
      expect(overflow).toBeLessThanOrEqual(0);
      const links = page.getByRole('navigation', { name: 'Site' }).getByRole('link');
      for (const link of await links.all()) {
        const box = await link.boundingBox();
        expect(box && box.x >= 0 && box.x + box.width <= 390).toBe(true);
      }
      // Tab from the brand link reaches the first section link, which then shows an outline.
      await page.locator('.brand').focus();
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => {
        const element = document.activeElement;
        return element
          ? { text: element.textContent?.trim(), outline: getComputedStyle(element).outlineStyle }
          : null;
      });
      expect(focused).toEqual({ text: 'Lessons', outline: 'solid' });
      await expectNoAxeViolations(page);
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  });
});
