/**
 * The instructor's view against the built server: sign-in (closed, wrong, limited, right), a class
 * that a learner joins by its code, live figures that move when the learner acts, the CSV export,
 * the reset (checked on disk and in SQLite), deleting the class, and presenter mode on a lesson.
 * Each part starts a server of its own, with the settings it needs.
 */
import Database from 'better-sqlite3';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classPseudonym } from '../../src/server/instructor/results-csv';
import { expectNoAxeViolations, launchBrowser, type BrowserSession } from './browser';
import { loadQuiz, wrongAnswers } from './quiz-answers';
import { startSite, type RunningSite } from './server';
import { embeddedServerStores } from './stores';

const token = 'e2e-instructor-token-0123456789';

function form(fields: Record<string, string>): URLSearchParams {
  return new URLSearchParams(fields);
}

function post(site: RunningSite, route: string, body: URLSearchParams, headers = {}) {
  return fetch(`${site.baseURL}${route}`, { method: 'POST', body, redirect: 'manual', headers });
}

/** Reads the server's database file, read-only, as another process. */
function query<T>(site: RunningSite, sql: string): T[] {
  const db = new Database(path.join(site.dataDir, 'session-lab.sqlite'), {
    readonly: true,
    fileMustExist: true,
  });
  try {
    return db.prepare<[], T>(sql).all();
  } finally {
    db.close();
  }
}

async function sessionFilesOnDisk(site: RunningSite): Promise<number> {
  const root = path.join(site.dataDir, 'instances');
  let files = 0;
  for (const instance of await readdir(root).catch(() => [] as string[])) {
    const names = await readdir(path.join(root, instance)).catch(() => [] as string[]);
    files += names.filter((name) => name.endsWith('.json')).length;
  }
  return files;
}

describe('instructor sign-in', () => {
  let closed: RunningSite;
  let open: RunningSite;

  beforeAll(async () => {
    [closed, open] = await Promise.all([
      startSite({ INSTRUCTOR_TOKEN: '' }),
      startSite({ INSTRUCTOR_TOKEN: token, RATE_LIMIT_SIGN_IN: '3/600', TRUST_PROXY: 'true' }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([closed?.stop(), open?.stop()]);
  });

  it('is closed, and says how to open it, when no token is configured', async () => {
    const page = await fetch(`${closed.baseURL}/instructor/`);
    expect(page.status).toBe(403);
    const html = await page.text();
    expect(html).toContain('INSTRUCTOR_TOKEN=$(openssl rand -base64 24) npm start');
    expect(html).not.toContain('name="token"');
    expect((await post(closed, '/instructor/sign-in/', form({ token: 'anything' }))).status).toBe(
      403,
    );
    const figures = await fetch(`${closed.baseURL}/api/instructor/classes/x/figures`);
    expect(figures.status).toBe(403);
    expect(((await figures.json()) as { error: string }).error).toMatch(/INSTRUCTOR_TOKEN/);
    const reset = await post(closed, '/api/instructor/reset', form({ confirm: 'RESET' }));
    expect(reset.status).toBe(403);
  });

  it('signs in with the right token: a Strict, HttpOnly session cookie', async () => {
    const response = await post(open, '/instructor/sign-in/', form({ token }));
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/instructor/');
    const cookie = response.headers.getSetCookie().find((line) => line.startsWith('session_lab_'));
    expect(cookie).toMatch(/^session_lab_instructor=[a-z2-7]{32}\.[a-z2-7]{32};/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Secure/);
    const value = cookie!.split(';')[0]!;
    const figures = await fetch(`${open.baseURL}/api/instructor/classes/none/figures`, {
      headers: { Cookie: value },
    });
    expect(figures.status).toBe(404);
    // Only the hash of the secret is stored.
    const secret = value.split('.')[1]!;
    const rows = query<{ id: string; hash: string }>(
      open,
      'SELECT id, hex(secret_hash) AS hash FROM instructor_session',
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.hash).toHaveLength(64);
    expect(rows[0]!.hash.toLowerCase()).not.toContain(Buffer.from(secret).toString('hex'));
  });

  it('marks the cookie Secure when the browser came over HTTPS through the proxy', async () => {
    const response = await post(open, '/instructor/sign-in/', form({ token }), {
      'X-Forwarded-Proto': 'https',
      'X-Forwarded-For': '203.0.113.5',
      Origin: open.baseURL.replace(/^http:/, 'https:'),
    });
    expect(response.status).toBe(303);
    expect(response.headers.getSetCookie()[0]).toMatch(/; Secure/);
  });

  it('refuses a cross-site sign-in post', async () => {
    const response = await post(open, '/instructor/sign-in/', form({ token }), {
      Origin: 'https://evil.example',
    });
    expect(response.status).toBe(403);
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it('answers a wrong token with 401, then 429 with Retry-After, even for the right one', async () => {
    for (let attempt = 0; attempt < 3; attempt++) {
      const wrong = await post(open, '/instructor/sign-in/', form({ token: `${token}x` }));
      expect(wrong.status).toBe(401);
      expect(await wrong.text()).toContain('That is not the instructor token.');
      expect(wrong.headers.getSetCookie()).toEqual([]);
    }
    const limited = await post(open, '/instructor/sign-in/', form({ token: 'wrong again' }));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    const right = await post(open, '/instructor/sign-in/', form({ token }));
    expect(right.status).toBe(429);
    expect(right.headers.getSetCookie()).toEqual([]);
    // The limit is per client: another address behind the proxy still gets in.
    const elsewhere = await post(open, '/instructor/sign-in/', form({ token }), {
      'X-Forwarded-For': '203.0.113.77',
    });
    expect(elsewhere.status).toBe(303);
  });

  it('keeps the APIs shut without a session', async () => {
    const response = await fetch(`${open.baseURL}/api/instructor/classes/none/figures`);
    expect(response.status).toBe(401);
  });
});

describe('guessing join codes', () => {
  let site: RunningSite;
  let code: string;
  const client = (address: string) => ({ 'X-Forwarded-For': address });
  const join = (path: string, headers: Record<string, string>) =>
    fetch(`${site.baseURL}${path}`, { headers, redirect: 'manual' });

  beforeAll(async () => {
    site = await startSite({
      INSTRUCTOR_TOKEN: token,
      TRUST_PROXY: 'true',
      RATE_LIMIT_JOIN: '3/600',
    });
    const signIn = await post(site, '/instructor/sign-in/', form({ token }));
    const session = signIn.headers.getSetCookie()[0]!.split(';')[0]!;
    const created = await post(site, '/instructor/', form({ action: 'create', name: 'Guarded' }), {
      Cookie: session,
    });
    expect(created.status).toBe(303);
    code = query<{ code: string }>(site, 'SELECT code FROM classroom')[0]!.code;
  });
  afterAll(async () => site?.stop());

  it('answers 404 for unknown codes, then 429 with Retry-After and a page that explains', async () => {
    const wrong = ['AAAAAA', 'CCCCCC', 'DDDDDD', 'EEEEEE'].filter((guess) => guess !== code);
    for (const guess of wrong.slice(0, 3)) {
      const missing = await join(`/join/${guess}/`, client('198.51.100.1'));
      expect(missing.status).toBe(404);
      expect(await missing.text()).toMatch(/No class with this code/);
    }
    const limited = await join(`/join/${wrong[3]}/`, client('198.51.100.1'));
    expect(limited.status).toBe(429);
    expect(limited.statusText).toBe('Too Many Requests');
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    // The rest of the 10-minute window that the first miss started.
    expect(retryAfter).toBeLessThanOrEqual(600);
    expect(limited.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await limited.text();
    expect(html).toMatch(/<h1[^>]*>Too many join codes tried<\/h1>/);
    expect(html).toMatch(/more than 3 codes in 10 minutes that belong to no class/);

    // While limited, the right code is refused too, on both ways in: a hit looks like a miss.
    for (const path of [`/join/${code}/`, `/join/?code=${code}`]) {
      const right = await join(path, client('198.51.100.1'));
      expect(right.status, path).toBe(429);
      expect(await right.text()).not.toMatch(/Guarded/);
    }
  });

  it('never counts codes that work, and limits each client on its own', async () => {
    for (let i = 0; i < 10; i++) {
      const found = await join(`/join/${code}/`, client('198.51.100.2'));
      expect(found.status).toBe(200);
      expect(await found.text()).toMatch(/Guarded/);
    }
    const typed = await join(`/join/?code=${code.toLowerCase()}`, client('198.51.100.2'));
    expect(typed.status).toBe(303);
    expect((await join('/join/?code=AAAAAA', client('198.51.100.2'))).status).toBe(
      code === 'AAAAAA' ? 303 : 404,
    );
  });
});

describe('running a class', () => {
  let site: RunningSite;
  let instructor: BrowserSession;
  let learner: BrowserSession;
  let dashboard: Page;
  let learnerPage: Page;
  let classId: string;
  let joinUrl: string;

  beforeAll(async () => {
    site = await startSite({ INSTRUCTOR_TOKEN: token, RATE_LIMIT_DEMO_WRITES: '100000/60' });
    [instructor, learner] = await Promise.all([launchBrowser(), launchBrowser()]);
    dashboard = await instructor.context.newPage();
    learnerPage = await learner.context.newPage();
  });
  afterAll(async () => {
    await Promise.all([instructor?.close(), learner?.close()]);
    await site?.stop();
  });

  it('signs in and creates a class with a join code, link and QR code', async () => {
    await dashboard.goto(`${site.baseURL}/instructor/`);
    await expectNoAxeViolations(dashboard);
    await dashboard.getByLabel('Instructor token').fill(token);
    await dashboard.getByRole('button', { name: 'Sign in' }).click();
    await dashboard.getByLabel('Class name').waitFor();
    await dashboard.getByLabel('Class name').fill('Tuesday, "B" group');
    await dashboard.getByRole('button', { name: 'Create class' }).click();
    await dashboard.waitForURL(/\/instructor\/classes\/[0-9a-f-]+\/$/);
    classId = dashboard.url().split('/').at(-2)!;
    expect(await dashboard.getByTestId('class-name').textContent()).toBe('Tuesday, "B" group');
    const code = (await dashboard.getByTestId('join-code').textContent())!.trim();
    expect(code).toMatch(/^[ACDEFGHJKMNPQRTUVWXY34679]{6}$/);
    joinUrl = (await dashboard.getByTestId('join-link').getAttribute('href'))!;
    expect(joinUrl).toBe(`${site.baseURL}/join/${code}/`);
    expect(await dashboard.locator('[role="img"][aria-label^="QR code"] svg').count()).toBe(1);
    await expect
      .poll(() => dashboard.getByTestId('live-figures').getAttribute('data-state'))
      .toBe('live');
    await expectNoAxeViolations(dashboard);
  });

  it('lets a learner join by the code and see the class name', async () => {
    const code = joinUrl.split('/').at(-2)!;
    await learnerPage.goto(`${site.baseURL}/join/`);
    await learnerPage.getByLabel('Join code').fill(code.toLowerCase());
    await learnerPage.getByRole('button', { name: 'Find the class' }).click();
    await learnerPage.waitForURL(joinUrl);
    expect(await learnerPage.getByTestId('join-class-name').textContent()).toBe(
      'Tuesday, "B" group',
    );
    await expectNoAxeViolations(learnerPage);
    await learnerPage.getByRole('button', { name: 'Join' }).click();
    await learnerPage.waitForURL(/\?joined$/);
    expect(await learnerPage.getByTestId('join-status').textContent()).toMatch(/You joined/);
    await learnerPage.goto(joinUrl);
    expect(await learnerPage.getByTestId('join-status').textContent()).toMatch(/You are in/);
    expect(await learnerPage.getByTestId('join-class-name').textContent()).toBe(
      'Tuesday, "B" group',
    );
  });

  it('updates the live figures without a reload when the learner acts', async () => {
    await dashboard.evaluate(() => {
      (window as unknown as { notReloaded: boolean }).notReloaded = true;
    });
    await expect
      .poll(() => dashboard.getByTestId('figure-members').textContent(), { timeout: 15_000 })
      .toBe('1');

    const quiz = loadQuiz('why-sessions');
    const answers = new URLSearchParams();
    for (const [question, options] of wrongAnswers(quiz)) {
      for (const option of options) answers.append(question, option);
    }
    const graded = await learnerPage.request.post(`${site.baseURL}/api/quiz/why-sessions`, {
      headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
      data: answers.toString(),
    });
    expect(graded.status()).toBe(200);
    for (const store of embeddedServerStores) {
      const demo = await learnerPage.request.post(`${site.baseURL}/api/demo/${store}`, {
        data: { action: 'set', key: 'seat', value: 'front row' },
      });
      expect(demo.status(), store).toBe(200);
    }

    await expect
      .poll(() => dashboard.getByTestId('quiz-summary-why-sessions').textContent(), {
        timeout: 15_000,
      })
      .toBe('1 learner · average 0% · 0 passed');
    const first = quiz.questions[0]!;
    const firstWrong = first.options.find((option) => !option.correct)!;
    const row = dashboard.getByTestId(`question-right-why-sessions-${first.id}`);
    expect(await row.textContent()).toMatch(/0%\s*\(0 of 1\)/);
    expect(await row.locator('xpath=following-sibling::td').textContent()).toContain(
      firstWrong.text,
    );
    expect(await dashboard.getByTestId('figure-active').textContent()).toBe('1');
    await expect
      .poll(() => dashboard.getByTestId('store-sessions-sqlite').textContent(), {
        timeout: 15_000,
      })
      .toBe('1');
    expect(await dashboard.getByTestId('store-sessions-filesystem').textContent()).toBe('1');
    expect(await dashboard.getByTestId('store-sessions-memory').textContent()).toBe('1');
    expect(
      await dashboard.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded),
    ).toBe(true);
    // Anonymous: the learner's id appears nowhere on the dashboard.
    const learnerId = query<{ id: string }>(site, 'SELECT id FROM learner')[0]!.id;
    expect(await dashboard.content()).not.toContain(learnerId);
  });

  it('pauses while the tab is hidden and resumes when it is shown', async () => {
    const setHidden = (hidden: boolean) =>
      dashboard.evaluate((value) => {
        Object.defineProperty(document, 'hidden', { configurable: true, get: () => value });
        document.dispatchEvent(new Event('visibilitychange'));
      }, hidden);
    await setHidden(true);
    expect(await dashboard.getByTestId('live-figures').getAttribute('data-state')).toBe('paused');
    await setHidden(false);
    expect(await dashboard.getByTestId('live-figures').getAttribute('data-state')).toBe('live');
  });

  it('exports the class’s attempts as CSV under pseudonyms', async () => {
    const response = await dashboard.request.get(
      `${site.baseURL}/api/instructor/classes/${classId}/results.csv`,
    );
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toMatch(/^text\/csv; charset=utf-8/);
    expect(response.headers()['content-disposition']).toMatch(
      /^attachment; filename="session-lab-[A-Z0-9]{6}-results-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    const attempts = query<{
      learner_id: string;
      quiz_id: string;
      score_percent: number;
      passed: number;
      created_at: number;
    }>(site, 'SELECT learner_id, quiz_id, score_percent, passed, created_at FROM quiz_attempt');
    expect(attempts).toHaveLength(1);
    const [attempt] = attempts;
    const title = loadQuiz('why-sessions').title;
    const titleField = /[",\r\n]/.test(title) ? `"${title.replaceAll('"', '""')}"` : title;
    expect(await response.text()).toBe(
      'learner,quiz,quiz_title,score_percent,passed,submitted_at\r\n' +
        [
          classPseudonym(classId, attempt!.learner_id),
          attempt!.quiz_id,
          titleField,
          attempt!.score_percent,
          attempt!.passed ? 'yes' : 'no',
          new Date(attempt!.created_at).toISOString(),
        ].join(',') +
        '\r\n',
    );
  });

  it('resets every store after the instructor types RESET, keeping progress', async () => {
    expect(await sessionFilesOnDisk(site)).toBe(1);
    const demoRows = () => query<{ n: number }>(site, 'SELECT count(*) AS n FROM demo_session');
    expect(demoRows()[0]!.n).toBe(1);

    await dashboard.goto(`${site.baseURL}/instructor/reset/`);
    await expectNoAxeViolations(dashboard);
    await dashboard.getByLabel('Type RESET to confirm').fill('reset');
    await dashboard.getByRole('button', { name: 'Empty every store' }).click();
    await dashboard.getByRole('alert').waitFor();
    expect(await dashboard.getByRole('alert').textContent()).toMatch(/Nothing was reset/);
    expect(demoRows()[0]!.n).toBe(1);

    await dashboard.getByLabel('Type RESET to confirm').fill('RESET');
    await dashboard.getByRole('button', { name: 'Empty every store' }).click();
    await dashboard.getByTestId('reset-report').waitFor();
    expect(await dashboard.getByTestId('reset-sqlite').textContent()).toMatch(/Emptied\s*1/);
    expect(await dashboard.getByTestId('reset-memory').textContent()).toMatch(/Emptied\s*1/);
    expect(await dashboard.getByTestId('reset-filesystem').textContent()).toMatch(/Emptied\s*1/);
    await expectNoAxeViolations(dashboard);

    expect(await sessionFilesOnDisk(site)).toBe(0);
    expect(demoRows()[0]!.n).toBe(0);
    expect(query<{ n: number }>(site, 'SELECT count(*) AS n FROM quiz_attempt')[0]!.n).toBe(1);
    expect(query<{ n: number }>(site, 'SELECT count(*) AS n FROM classroom_member')[0]!.n).toBe(1);
    // The learner's demo comes back to an empty session.
    const memory = await learnerPage.request.get(`${site.baseURL}/api/demo/memory`);
    expect(((await memory.json()) as { data: object }).data).toEqual({});
  });

  it('deletes the class with its memberships; the join link stops working', async () => {
    await dashboard.goto(`${site.baseURL}/instructor/classes/${classId}/`);
    await dashboard.getByLabel('Yes, delete this class').check();
    await dashboard.getByRole('button', { name: 'Delete class' }).click();
    await dashboard.waitForURL(/\/instructor\/\?deleted$/);
    expect(await dashboard.getByTestId('no-classes').isVisible()).toBe(true);
    expect(query<{ n: number }>(site, 'SELECT count(*) AS n FROM classroom_member')[0]!.n).toBe(0);
    expect(query<{ n: number }>(site, 'SELECT count(*) AS n FROM quiz_attempt')[0]!.n).toBe(1);
    expect((await fetch(joinUrl)).status).toBe(404);
  });

  it('signs out', async () => {
    await dashboard.getByTestId('instructor-sign-out').click();
    await dashboard.waitForURL(/\/instructor\/\?signed-out$/);
    expect(await dashboard.getByLabel('Instructor token').isVisible()).toBe(true);
    const figures = await dashboard.request.get(
      `${site.baseURL}/api/instructor/classes/${classId}/figures`,
    );
    expect(figures.status()).toBe(401);
  });

  it('presents a lesson for a projector, from the keyboard, and remembers it', async () => {
    const page = learnerPage;
    await page.goto(`${site.baseURL}/lessons/sqlite/`);
    const toggle = page.getByTestId('presenter-toggle');
    expect(await toggle.getAttribute('aria-pressed')).toBe('false');
    const rootSize = () =>
      page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
    const normalSize = await rootSize();
    expect(await page.locator('.site-header nav').isVisible()).toBe(true);

    await toggle.focus();
    await page.keyboard.press('Enter');
    expect(await toggle.getAttribute('aria-pressed')).toBe('true');
    expect(await page.evaluate(() => document.documentElement.dataset.presenter)).toBe('on');
    expect(await rootSize()).toBeGreaterThan(normalSize);
    for (const chrome of ['.site-header nav', '.site-footer', '.toc', '.pager']) {
      expect(await page.locator(chrome).isVisible(), chrome).toBe(false);
    }
    expect(await page.locator('.demo').isVisible()).toBe(true);
    await expectNoAxeViolations(page);

    await page.reload();
    expect(await toggle.getAttribute('aria-pressed')).toBe('true');
    expect(await page.locator('.site-footer').isVisible()).toBe(false);
    await page.setViewportSize({ width: 1024, height: 768 });
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - window.innerWidth,
    );
    expect(overflow, 'horizontal overflow in presenter mode').toBeLessThanOrEqual(0);

    await toggle.focus();
    await page.keyboard.press('Space');
    expect(await toggle.getAttribute('aria-pressed')).toBe('false');
    expect(await page.locator('.site-footer').isVisible()).toBe(true);
    await page.reload();
    expect(await toggle.getAttribute('aria-pressed')).toBe('false');
  });
});
