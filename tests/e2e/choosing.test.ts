/**
 * The Choosing lesson's worked scenarios in real Chromium: answered with JavaScript (graded in
 * place, announced in a live region) and without it (a form post, a 303, a server-rendered
 * result), plus the grading route's answers to bad input.
 */
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { findScenario } from '../../src/course/scenarios';
import { expectNoAxeViolations, launchBrowser, type BrowserSession } from './browser';
import { startSite } from './server';

const baseURL = inject('baseURL');
const lessonPath = '/lessons/choosing/';

async function choose(section: Locator, answers: Record<string, string>): Promise<void> {
  for (const [decision, option] of Object.entries(answers)) {
    await section.locator(`input[name="${decision}"][value="${option}"]`).check();
  }
}

/** Islands hydrate when visible; Astro removes the `ssr` attribute once they have. */
async function hydrated(section: Locator): Promise<void> {
  await section.scrollIntoViewIfNeeded();
  await section.locator('astro-island:not([ssr])').waitFor();
}

describe('the Choosing lesson with JavaScript', () => {
  let browser: BrowserSession;
  let page: Page;

  beforeAll(async () => {
    browser = await launchBrowser();
    page = await browser.context.newPage();
  });
  afterAll(async () => browser?.close());

  it('shows four scenarios, each a form of labelled fieldsets', async () => {
    await page.goto(`${baseURL}${lessonPath}`);
    const forms = page.locator('form[data-testid^="scenario-form-"]');
    expect(await forms.count()).toBe(4);
    const first = page.getByTestId('scenario-spotify-on-lambda');
    expect(await first.getByRole('heading', { level: 3 }).textContent()).toMatch(/Lambda/);
    expect(await first.getByRole('group').count()).toBe(4);
    expect(await first.getByRole('group', { name: /Where do the session/ }).count()).toBe(1);
    await expectNoAxeViolations(page);
  });

  it('grades the story scenario on the server, announces it, and shows the model answer', async () => {
    const section = page.getByTestId('scenario-spotify-on-lambda');
    await hydrated(section);
    const scenario = findScenario('spotify-on-lambda')!;
    // The first decision by keyboard only: focus its first radio, then arrow to the model choice.
    const storeOptions = scenario.decisions[0]!.options.map((option) => option.id);
    await section.locator(`input[name="store"][value="${storeOptions[0]}"]`).focus();
    await page.keyboard.press('Space');
    for (let index = 0; index < storeOptions.indexOf('dynamodb'); index += 1) {
      await page.keyboard.press('ArrowDown');
    }
    expect(await section.locator('input[name="store"][value="dynamodb"]').isChecked()).toBe(true);
    await choose(section, { cookie: 'lax', lifetime: 'server-checked', logout: 'delete-item' });

    const graded = page.waitForResponse(
      (response) =>
        response.url().endsWith('/api/scenario/spotify-on-lambda') &&
        response.request().method() === 'POST',
    );
    await section.getByTestId('scenario-submit').focus();
    await page.keyboard.press('Enter');
    const response = await graded;
    expect(response.status()).toBe(200);
    expect(page.url()).toBe(`${baseURL}${lessonPath}`);

    const announcement = section.getByTestId('scenario-announcement');
    await expect.poll(() => announcement.textContent()).toMatch(/8 of 8 points/);
    expect(await announcement.getAttribute('aria-live')).toBe('polite');
    expect(await section.getByTestId('scenario-points').textContent()).toBe('8');
    expect(await section.getByRole('heading', { name: 'Model answer' }).count()).toBe(1);
    expect(await section.getByTestId('scenario-result').textContent()).toMatch(/DynamoDB/);
    await expectNoAxeViolations(page);
  });

  it('grades a changed answer again, with the best fit shown beside a poor one', async () => {
    const section = page.getByTestId('scenario-spotify-on-lambda');
    await choose(section, { store: 'signed-cookie' });
    await section.getByTestId('scenario-submit').click();
    const announcement = section.getByTestId('scenario-announcement');
    await expect.poll(() => announcement.textContent()).toMatch(/6 of 8 points/);
    const store = section.getByTestId('scenario-decision-store');
    const text = (await store.textContent()) ?? '';
    expect(text).toMatch(/Poor fit\s*Your choice: Flask's built-in session/);
    expect(text).toMatch(/Best fit\s*Flask-Session's DynamoDB backend/);
    await expectNoAxeViolations(page);
  });

  it('answers in the dark theme too', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(`${baseURL}${lessonPath}#scenario-internal-tool`);
    // Only the fragment changed since the last test; reload for a fresh page in the dark theme.
    await page.reload();
    expect(await page.locator('html').getAttribute('data-theme')).toBe('dark');
    const section = page.getByTestId('scenario-internal-tool');
    await hydrated(section);
    await choose(section, findScenario('internal-tool')!.modelAnswer.choices);
    await section.getByTestId('scenario-submit').click();
    await expect
      .poll(() => section.getByTestId('scenario-announcement').textContent())
      .toMatch(/8 of 8 points/);
    await expectNoAxeViolations(page);
    await page.emulateMedia({ colorScheme: 'light' });
  });
});

describe('the Choosing lesson without JavaScript', () => {
  let browser: BrowserSession;
  let page: Page;

  beforeAll(async () => {
    browser = await launchBrowser({ javaScriptEnabled: false });
    page = await browser.context.newPage();
  });
  afterAll(async () => browser?.close());

  it('posts the form, follows a 303 and shows the graded result', async () => {
    await page.goto(`${baseURL}${lessonPath}`);
    const section = page.getByTestId('scenario-cdn-read-mostly');
    await choose(section, {
      when: 'every-visitor',
      store: 'postgres-table',
      caching: 'private-no-store',
      contents: 'id-only',
    });
    await section.getByTestId('scenario-submit').click();
    await page.waitForURL('**/scenarios/cdn-read-mostly/result/?*');
    expect(page.url()).toContain('when=every-visitor');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toMatch(/busy recipe site/);
    expect(await page.getByTestId('scenario-points').textContent()).toBe('6');
    expect(await page.getByTestId('scenario-decision-when').textContent()).toMatch(/Poor fit/);
    expect(await page.getByRole('heading', { name: 'Model answer' }).count()).toBe(1);
    await expectNoAxeViolations(page);
  });

  it('redirects the form post with 303 to the result page', async () => {
    const response = await page.request.post(`${baseURL}/api/scenario/internal-tool`, {
      form: findScenario('internal-tool')!.modelAnswer.choices as Record<string, string>,
      maxRedirects: 0,
    });
    expect(response.status()).toBe(303);
    expect(response.headers()['location']).toMatch(
      /^\/scenarios\/internal-tool\/result\/\?store=sqlite&/,
    );
  });

  it('says what is wrong on a result link with a missing choice', async () => {
    const response = await page.goto(`${baseURL}/scenarios/internal-tool/result/?store=sqlite`);
    expect(response?.status()).toBe(400);
    expect(await page.getByRole('alert').textContent()).toMatch(/choose an answer/);
    const unknown = await page.goto(`${baseURL}/scenarios/nope/result/`);
    expect(unknown?.status()).toBe(404);
  });
});

describe('POST /api/scenario/{id}', () => {
  const json = { 'Content-Type': 'application/json', Accept: 'application/json' };

  async function post(id: string, body: string, headers: Record<string, string> = json) {
    const response = await fetch(`${baseURL}/api/scenario/${id}`, {
      method: 'POST',
      headers,
      body,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it('grades a JSON answer', async () => {
    const choices = findScenario('multi-region-logout')!.modelAnswer.choices;
    const { status, body } = await post(
      'multi-region-logout',
      JSON.stringify({ answers: choices }),
    );
    expect(status).toBe(200);
    expect(body.grade).toMatchObject({ points: 8, maxPoints: 8, allBest: true });
  });

  it('answers bad input with a 4xx in the one error shape', async () => {
    const cases = await Promise.all([
      post('nope', '{}'),
      post('internal-tool', JSON.stringify({ store: 'oracle' })),
      post('internal-tool', JSON.stringify({ store: ['sqlite'] })),
      post('internal-tool', 'not json'),
      post('internal-tool', 'x'.repeat(20_000)),
      post('internal-tool', 'store=sqlite', {
        'Content-Type': 'text/plain',
        Accept: 'application/json',
      }),
      post('internal-tool', '{}', { ...json, Origin: 'https://evil.example' }),
    ]);
    expect(cases.map((result) => result.status)).toEqual([404, 400, 400, 400, 413, 415, 403]);
    for (const result of cases) {
      expect(Object.keys(result.body)).toEqual(['error']);
      expect(typeof result.body.error).toBe('string');
    }
  });

  it('refuses GET with 405 and an Allow header', async () => {
    const response = await fetch(`${baseURL}/api/scenario/internal-tool`);
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toMatch(/POST/);
  });

  it('shares the quiz budget per address, and answers past it with 429 and Retry-After', async () => {
    const site = await startSite({ RATE_LIMIT_QUIZ: '2/60' });
    try {
      const choices = JSON.stringify(findScenario('internal-tool')!.modelAnswer.choices);
      const statuses: number[] = [];
      let last: Response | undefined;
      for (let index = 0; index < 3; index += 1) {
        last = await fetch(`${site.baseURL}/api/scenario/internal-tool`, {
          method: 'POST',
          headers: json,
          body: choices,
        });
        statuses.push(last.status);
      }
      expect(statuses).toEqual([200, 200, 429]);
      expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await last!.json()).toEqual({ error: expect.stringMatching(/too many answers/) });
    } finally {
      await site.stop();
    }
  });
});
