import Database from 'better-sqlite3';
import { countSiteRows } from '../support/site-rows';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { expectNoAxeViolations, launchBrowser, type BrowserSession } from './browser';
import { correctAnswers, loadQuiz } from './quiz-answers';
import { liveServerStores, unconfiguredStores } from './stores';

const baseURL = inject('baseURL');
/** Two cookie stores and every server store that works on the test site. */
const withSessions = ['plain-cookie', 'signed-cookie', ...liveServerStores];
const dataDir = inject('dataDir');
const databaseUrl = inject('databaseUrl');

/** Demo sessions made through the demo API from the page, so they carry the browser's cookies. */
async function createSessions(page: Page, stores: string[]): Promise<void> {
  for (const store of stores) {
    const response = await page.request.post(`${baseURL}/api/demo/${store}`, {
      data: { action: 'set', key: 'favourite', value: `kept by ${store}` },
    });
    expect(response.status(), store).toBe(200);
  }
}

async function anotherDevice(page: Page, store: string): Promise<void> {
  const response = await page.request.post(`${baseURL}/api/demo/${store}`, {
    data: { action: 'second-session' },
  });
  expect(response.status(), store).toBe(200);
}

async function takeQuiz(page: Page, javaScript: boolean): Promise<void> {
  await page.goto(`${baseURL}/lessons/why-sessions/`);
  for (const [question, options] of correctAnswers(loadQuiz('why-sessions'))) {
    for (const option of options) {
      await page.locator(`input[name="${question}"][value="${option}"]`).check();
    }
  }
  await page.getByTestId('quiz-submit').click();
  if (!javaScript) await page.waitForURL('**/quizzes/why-sessions/attempts/*/');
  const score = page.getByTestId('quiz-score');
  await score.waitFor();
  expect(await score.textContent()).toBe('100%');
}

async function learnerId(page: Page): Promise<string> {
  const body = (await (await page.request.get(`${baseURL}/api/learner`)).json()) as {
    learner: { learner: { id: string } } | null;
  };
  if (!body.learner) throw new Error('this browser has no learner');
  return body.learner.learner.id;
}

/** Session files on the server's disk that name this learner as their owner, on any instance. */
async function filesOwnedBy(learner: string): Promise<number> {
  const root = path.join(dataDir, 'instances');
  let owned = 0;
  for (const instance of await readdir(root).catch(() => [])) {
    const directory = path.join(root, instance);
    for (const name of await readdir(directory).catch(() => [])) {
      if (!name.endsWith('.json')) continue;
      const text = await readFile(path.join(directory, name), 'utf8').catch(() => '');
      if (text.includes(learner)) owned++;
    }
  }
  return owned;
}

/** Counts rows straight from the server's database file, read-only. */
function countRows(sql: string, learner: string): number {
  const db = new Database(path.join(dataDir, 'session-lab.sqlite'), {
    readonly: true,
    fileMustExist: true,
  });
  try {
    return db.prepare<[{ id: string }], number>(sql).pluck().get({ id: learner }) ?? 0;
  } finally {
    db.close();
  }
}

const sqliteSessionsOf = (learner: string) =>
  countRows('SELECT count(*) FROM demo_session WHERE owner = @id', learner);
/**
 * Every row that names the learner: the site's own tables (in PostgreSQL when the test site has
 * one, else in SQLite) and the SQLite lesson's demo sessions, which always live in SQLite.
 */
const everyRowOf = async (learner: string) =>
  sqliteSessionsOf(learner) +
  (await countSiteRows(
    { dataDir, databaseUrl },
    `SELECT (SELECT count(*) FROM learner WHERE id = $1)
          + (SELECT count(*) FROM learner_session WHERE learner_id = $1)
          + (SELECT count(*) FROM quiz_attempt WHERE learner_id = $1)
          + (SELECT count(*) FROM lesson_progress WHERE learner_id = $1)`,
    [learner],
  ));

/** Every cookie the browser keeps for the site, whatever its path. */
async function cookieNames(browser: BrowserSession): Promise<string[]> {
  return (await browser.context.cookies()).map((cookie) => cookie.name);
}

async function expectProgressGone(page: Page): Promise<void> {
  await page.goto(`${baseURL}/`);
  expect(await page.getByTestId('progress-summary').textContent()).toMatch(/^0 of \d+ lessons/);
  expect(await page.getByTestId('lesson-status-why-sessions').textContent()).toMatch(/Not started/);
}

describe('your session data, with JavaScript', () => {
  let browser: BrowserSession;
  let page: Page;
  let learner: string;

  beforeAll(async () => {
    browser = await launchBrowser();
    page = await browser.context.newPage();
    await page.goto(`${baseURL}/`);
    await createSessions(page, withSessions);
    await anotherDevice(page, 'filesystem');
    await anotherDevice(page, 'sqlite');
    await takeQuiz(page, true);
    learner = await learnerId(page);
  });
  afterAll(async () => browser?.close());

  it('lists the learner’s progress and what every store holds for this browser', async () => {
    await page.goto(`${baseURL}/your-data/`);
    expect(await page.getByTestId('learner-id').textContent()).toBe(`${learner.slice(0, 8)}…`);
    expect(await page.getByTestId('learner-attempts').textContent()).toMatch(/100% \(passed\)/);
    expect(await page.getByTestId('learner-lessons').textContent()).toMatch(/why-sessions|Why/i);
    for (const store of withSessions) {
      await expect
        .poll(() => page.getByTestId(`data-report-${store}`).textContent(), { timeout: 10_000 })
        .toMatch(/a live session/);
    }
    expect(await page.getByTestId('data-json-plain-cookie').textContent()).toMatch(
      /kept by plain-cookie/,
    );
    await page.setViewportSize({ width: 360, height: 740 });
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - window.innerWidth,
    );
    expect(overflow, 'horizontal overflow at 360 px').toBeLessThanOrEqual(0);
    await page.setViewportSize({ width: 1280, height: 900 });
    await expect.poll(() => page.getByTestId('data-empty-jwt').isVisible()).toBe(true);
    expect(await page.getByTestId('data-owner-sessions-sqlite').textContent()).toMatch(/^\s*2/);
    for (const store of unconfiguredStores) {
      expect(await page.getByTestId(`data-not-configured-${store}`).textContent()).toMatch(
        /not configured/i,
      );
    }
    await expectNoAxeViolations(page);
  });

  it('deletes one store: the files leave the disk, other devices’ sessions too', async () => {
    expect(await filesOwnedBy(learner)).toBe(2);
    await page.getByTestId('data-delete-filesystem').click();
    await page.getByTestId('data-empty-filesystem').waitFor();
    expect(await page.getByTestId('data-store-filesystem').textContent()).toMatch(
      /Signed out everywhere/,
    );
    expect(await filesOwnedBy(learner)).toBe(0);
    // The other stores are untouched.
    expect(await page.getByTestId('data-report-memory').textContent()).toMatch(/a live session/);
    expect(sqliteSessionsOf(learner)).toBe(2);
  });

  it('deletes the SQLite rows of this browser and of the other device', async () => {
    await page.getByTestId('data-delete-sqlite').click();
    await page.getByTestId('data-empty-sqlite').waitFor();
    expect(sqliteSessionsOf(learner)).toBe(0);
    await expectNoAxeViolations(page);
  });

  it('deletes everything, and the home page shows no progress', async () => {
    expect(await everyRowOf(learner)).toBeGreaterThan(0);
    await page.getByTestId('data-delete-all').click();
    await page.waitForURL('**/your-data/?deleted=everything');
    expect(await page.getByTestId('data-notice').textContent()).toMatch(/has been deleted/);
    expect(await page.getByTestId('learner-none').isVisible()).toBe(true);
    for (const store of ['plain-cookie', 'signed-cookie', 'memory']) {
      await page.getByTestId(`data-empty-${store}`).waitFor();
    }
    await expectNoAxeViolations(page);

    expect(await everyRowOf(learner)).toBe(0);
    expect(await filesOwnedBy(learner)).toBe(0);
    const left = await cookieNames(browser);
    for (const name of ['session_lab_learner', 'plain_session', 'session', 'memory_sid']) {
      expect(left).not.toContain(name);
    }
    await expectProgressGone(page);
  });
});

describe('your session data, without JavaScript', () => {
  let browser: BrowserSession;
  let page: Page;
  let learner: string;

  beforeAll(async () => {
    browser = await launchBrowser({ javaScriptEnabled: false });
    page = await browser.context.newPage();
    await page.goto(`${baseURL}/`);
    await createSessions(page, ['plain-cookie', 'filesystem', 'sqlite']);
    await anotherDevice(page, 'filesystem');
    await anotherDevice(page, 'sqlite');
    await takeQuiz(page, false);
    learner = await learnerId(page);
  });
  afterAll(async () => browser?.close());

  it('shows the learner record and explains that stores are listed only with JavaScript', async () => {
    await page.goto(`${baseURL}/your-data/`);
    expect(await page.getByTestId('learner-attempts').textContent()).toMatch(/100% \(passed\)/);
    expect(await page.getByTestId('learner-demo-sessions-sqlite').textContent()).toMatch(/^\s*2/);
    expect(await page.getByTestId('data-needs-js-plain-cookie').textContent()).toMatch(
      /only with JavaScript/,
    );
    for (const store of unconfiguredStores) {
      expect(await page.getByTestId(`data-not-configured-${store}`).textContent()).toMatch(
        /not configured/i,
      );
    }
    await expectNoAxeViolations(page);
  });

  it('deletes a store with forms: this browser’s session, then every device’s', async () => {
    expect(await filesOwnedBy(learner)).toBe(2);
    await page.getByTestId('data-delete-filesystem').click();
    await page.waitForURL('**/your-data/?result=*');
    expect(await page.getByTestId('data-notice').textContent()).toMatch(
      /Filesystem: Session destroyed/,
    );
    expect(await filesOwnedBy(learner)).toBe(1);
    await page.getByTestId('data-revoke-filesystem-1').click();
    await page.waitForURL('**/your-data/?result=*');
    expect(await page.getByTestId('data-notice').textContent()).toMatch(/1 session deleted/);
    expect(await filesOwnedBy(learner)).toBe(0);

    await page.getByTestId('data-revoke-sqlite').click();
    await page.waitForURL('**/your-data/?result=*');
    expect(await page.getByTestId('data-notice').textContent()).toMatch(/2 sessions deleted/);
    expect(sqliteSessionsOf(learner)).toBe(0);

    expect(await cookieNames(browser)).toContain('plain_session');
    await page.getByTestId('data-delete-plain-cookie').click();
    await page.waitForURL('**/your-data/?result=*');
    expect(await cookieNames(browser)).not.toContain('plain_session');
    await expectNoAxeViolations(page);
  });

  it('deletes everything with one form, and the home page shows no progress', async () => {
    await createSessions(page, ['signed-cookie', 'memory']);
    await page.goto(`${baseURL}/your-data/`);
    await page.getByTestId('data-delete-all').click();
    await page.waitForURL('**/your-data/?deleted=everything');
    expect(await page.getByTestId('data-notice').textContent()).toMatch(/has been deleted/);
    expect(await page.getByTestId('learner-none').isVisible()).toBe(true);
    await expectNoAxeViolations(page);

    expect(await everyRowOf(learner)).toBe(0);
    const left = await cookieNames(browser);
    for (const name of ['session_lab_learner', 'session', 'memory_sid']) {
      expect(left).not.toContain(name);
    }
    await expectProgressGone(page);
  });
});
