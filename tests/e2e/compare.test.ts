import Database from 'better-sqlite3';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { expectNoAxeViolations, launchBrowser, type BrowserSession } from './browser';
import { startSite } from './server';
import { everyStore, liveServerStores, unconfiguredStores } from './stores';

const baseURL = inject('baseURL');
const dataDir = inject('dataDir');
const stores = everyStore;

async function numberIn(page: Page, testId: string): Promise<number> {
  const text = (await page.getByTestId(testId).textContent()) ?? '';
  const match = /\d[\d,]*/.exec(text);
  if (!match) throw new Error(`no number in ${testId}: "${text}"`);
  return Number(match[0].replace(/,/g, ''));
}

/** Session files on every instance's disk and SQLite demo rows: what a measurement could leave. */
async function residue(): Promise<{ files: number; rows: number }> {
  const root = path.join(dataDir, 'instances');
  let files = 0;
  for (const instance of await readdir(root).catch(() => [])) {
    const names = await readdir(path.join(root, instance)).catch(() => []);
    files += names.filter((name) => name.endsWith('.json')).length;
  }
  const db = new Database(path.join(dataDir, 'session-lab.sqlite'), { readonly: true });
  try {
    return { files, rows: db.prepare('SELECT count(*) FROM demo_session').pluck().get() as number };
  } finally {
    db.close();
  }
}

function remeasure(url: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${url}/compare/`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: '',
  });
}

describe('the comparison page', () => {
  let browser: BrowserSession;
  let page: Page;

  beforeAll(async () => {
    browser = await launchBrowser();
    page = await browser.context.newPage();
  });
  afterAll(async () => browser?.close());

  it('measures every store live and says which are not configured', async () => {
    await page.goto(`${baseURL}/compare/`);
    for (const store of stores) {
      expect(await page.getByTestId(`compare-row-${store}`).count(), store).toBe(1);
    }
    for (const store of unconfiguredStores) {
      expect(await page.getByTestId(`compare-status-${store}`).textContent()).toMatch(
        /is not configured/,
      );
    }
    expect(await page.getByTestId('compare-table').locator('caption').textContent()).toMatch(
      /measured on this server at .*median of 30 requests/s,
    );
    // A server store sends its small id; a cookie store sends the whole 3 KB session.
    for (const store of liveServerStores) {
      expect(await numberIn(page, `compare-cookie-${store}-large`), store).toBeLessThan(200);
    }
    for (const store of ['plain-cookie', 'signed-cookie']) {
      expect(await numberIn(page, `compare-cookie-${store}-large`), store).toBeGreaterThan(3000);
    }
    expect(await page.getByTestId('compare-too-big-jwt-large').textContent()).toMatch(
      /Too big for a cookie/,
    );
    await expectNoAxeViolations(page);
  });

  it('draws both charts with every bar’s value in text', async () => {
    const wire = page.getByTestId('chart-wire');
    expect(await wire.textContent()).toMatch(/Bytes on the wire per request/);
    expect(await wire.locator('.value').count()).toBe(stores.length * 2);
    expect(await wire.textContent()).toMatch(/\d+ B \(Cookie \d+ B \+ Set-Cookie \d+ B\)/);
    const time = page.getByTestId('chart-time');
    expect(await time.textContent()).toMatch(/\d+\.\d{3} ms \(load \d+\.\d{3} ms \+ save/);
    expect(await time.textContent()).toMatch(/not configured/);
  });

  it('measures again on request and leaves no sessions behind', async () => {
    const before = await residue();
    const firstTime = await page.getByTestId('compare-time').getAttribute('datetime');
    await page.getByTestId('compare-remeasure').click();
    await page.waitForURL('**/compare/?remeasured=1');
    expect(await page.getByTestId('compare-remeasured').isVisible()).toBe(true);
    expect(await page.getByTestId('compare-time').getAttribute('datetime')).not.toBe(firstTime);
    expect(await residue()).toEqual(before);
    await expectNoAxeViolations(page);
  });

  it('keeps the last measurement for a plain reload', async () => {
    await page.goto(`${baseURL}/compare/`);
    const shown = await page.getByTestId('compare-time').getAttribute('datetime');
    await page.reload();
    expect(await page.getByTestId('compare-time').getAttribute('datetime')).toBe(shown);
  });

  it('fits a 360 px wide phone: the table scrolls inside its own region', async () => {
    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto(`${baseURL}/compare/`);
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - window.innerWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await expectNoAxeViolations(page);
  });

  it('refuses a re-measure posted from another site', async () => {
    const response = await remeasure(baseURL, { Origin: 'https://elsewhere.example' });
    expect(response.status).toBe(403);
  });
});

describe('the comparison page’s limits', () => {
  it('measures once a minute for everyone, then answers 429 past a client’s limit', async () => {
    const site = await startSite({ RATE_LIMIT_COMPARE: '2/600' });
    try {
      const first = await (await fetch(`${site.baseURL}/compare/`)).text();
      const time = /datetime="([^"]+)" data-testid="compare-time"/.exec(first)?.[1];
      expect(time).toBeTruthy();
      expect(first).toMatch(/a new one starts at most once every 60 seconds/);
      expect(first).toMatch(/Each address may ask for 2 measurements in 10 minutes/);

      // The page view just measured: a request to measure again is shown that measurement.
      const soon = await remeasure(site.baseURL);
      expect(soon.status).toBe(303);
      expect(soon.headers.get('location')).toBe('/compare/?notyet=1');
      const notYet = await (await fetch(`${site.baseURL}/compare/?notyet=1`)).text();
      expect(notYet).toContain(`datetime="${time}" data-testid="compare-time"`);
      expect(notYet).toMatch(/Not measured again: the table below was measured at/);
      expect(notYet).toMatch(/You can measure again in \d+ seconds?\./);

      expect((await remeasure(site.baseURL)).status).toBe(303);
      const refused = await remeasure(site.baseURL);
      expect(refused.status).toBe(429);
      expect(refused.statusText).toBe('Too Many Requests');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(refused.headers.get('content-type')).toMatch(/^text\/html/);
      const html = await refused.text();
      expect(html).toMatch(/Too many requests from this address/);
      expect(html).toContain(`datetime="${time}" data-testid="compare-time"`);
    } finally {
      await site.stop();
    }
  });
});
