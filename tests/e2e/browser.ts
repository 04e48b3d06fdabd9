/**
 * Real headless Chromium from the system (never a downloaded browser), and an axe-core check
 * that fails the test on any violation.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

export interface BrowserSession {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * axe needs timers, which Chromium stops when scripts are disabled. Pages of a no-JavaScript
 * session are therefore checked in a twin browser that has its cookies and runs page scripts,
 * with the site's script files blocked so the DOM stays the one a no-JavaScript visitor gets.
 */
const scriptlessTwins = new WeakMap<BrowserContext, () => Promise<BrowserSession>>();

/** A fresh profile per call, so cookies from one test never leak into another. */
export async function launchBrowser(
  options: { javaScriptEnabled?: boolean } = {},
): Promise<BrowserSession> {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `Chromium is not installed at ${chromiumPath}: apt-get install chromium (or set CHROMIUM_PATH)`,
    );
  }
  const userDataDir = await mkdtemp(path.join(tmpdir(), 'session-lab-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    javaScriptEnabled: options.javaScriptEnabled ?? true,
    viewport: { width: 1280, height: 900 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  let twin: Promise<BrowserSession> | undefined;
  if (options.javaScriptEnabled === false) {
    scriptlessTwins.set(context, () => {
      twin ??= launchBrowser().then(async (session) => {
        await session.context.route('**/*.js', (route) => route.abort());
        return session;
      });
      return twin;
    });
  }
  return {
    context,
    async close() {
      await context.close();
      if (twin) await (await twin).close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

interface AxeViolation {
  id: string;
  help: string;
  nodes: { target: unknown[] }[];
}

/** Runs axe-core on the page as it is now; a violation fails with what and where. */
export async function expectNoAxeViolations(page: Page): Promise<void> {
  const twin = scriptlessTwins.get(page.context());
  if (twin) {
    const session = await twin();
    await session.context.clearCookies();
    await session.context.addCookies(await page.context().cookies());
    const twinPage = await session.context.newPage();
    try {
      await twinPage.goto(page.url());
      await expectNoAxeViolations(twinPage);
    } finally {
      await twinPage.close();
    }
    return;
  }
  // Evaluated through the DevTools protocol, so it also runs on pages with JavaScript disabled.
  await page.evaluate(axeSource);
  const violations = (await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: { run: (context: Document) => Promise<{ violations: unknown[] }> };
      }
    ).axe;
    return (await axe.run(document)).violations;
  })) as AxeViolation[];
  const summary = violations.map(
    (violation) =>
      `${violation.id}: ${violation.help} at ${violation.nodes.map((node) => JSON.stringify(node.target)).join(', ')}`,
  );
  expect(summary, `axe violations on ${page.url()}`).toEqual([]);
}

/**
 * Opens the page's inspector drawer the way a learner does, with its button, and waits for the
 * panel (its code loads on first open). Does nothing when the drawer is open already.
 */
export async function openInspector(page: Page): Promise<void> {
  const toggle = page.getByTestId('inspector-toggle');
  if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
  await page.getByTestId('panel').waitFor();
}

/** Closes the inspector drawer with its button when it is open (it remembers being open). */
export async function closeInspector(page: Page): Promise<void> {
  const toggle = page.getByTestId('inspector-toggle');
  if ((await toggle.getAttribute('aria-expanded')) === 'true') await toggle.click();
}
