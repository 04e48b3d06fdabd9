/**
 * Every store's live demo in real Chromium: the panel's byte counts against what Chromium itself
 * reports through the DevTools protocol, and the forgery, size, race, serverless and revocation
 * demos against what the browser and the server really did.
 */
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  expectNoAxeViolations,
  launchBrowser,
  openInspector,
  type BrowserSession,
} from './browser';
import { cookieStores, howToEnable, liveServerStores, unconfiguredStores } from './stores';

const baseURL = inject('baseURL');

/** Stores that keep sessions inside one instance: a fresh instance per request never sees them. */
const instanceBound = new Set<string>(['memory', 'filesystem']);
const raceSize = 20;
const cookieLimit = 4096;

/* ------------------------------------------------------------ what Chromium says it did */

interface WireRecord {
  url: string;
  method: string;
  /** Seconds on the protocol's clock. */
  sentAt: number;
  finishedAt: number | null;
  /** The headers Chromium put on the wire (`requestWillBeSentExtraInfo`). */
  sent: Record<string, string> | null;
  /** The headers Chromium received (`responseReceivedExtraInfo`); Set-Cookie lines joined by \n. */
  received: Record<string, string> | null;
  /** Decoded body bytes as they arrived (`dataReceived`). */
  bodyBytes: number;
}

/** Records every demo request of one page as Chromium's network stack reports it. */
class WireRecorder {
  readonly #records = new Map<string, WireRecord>();
  readonly #order: string[] = [];

  static async attach(context: BrowserContext, page: Page): Promise<WireRecorder> {
    const recorder = new WireRecorder();
    const cdp = await context.newCDPSession(page);
    recorder.#listen(cdp);
    await cdp.send('Network.enable');
    return recorder;
  }

  #record(requestId: string): WireRecord {
    let record = this.#records.get(requestId);
    if (!record) {
      record = {
        url: '',
        method: '',
        sentAt: 0,
        finishedAt: null,
        sent: null,
        received: null,
        bodyBytes: 0,
      };
      this.#records.set(requestId, record);
    }
    return record;
  }

  #listen(cdp: CDPSession): void {
    cdp.on('Network.requestWillBeSent', (event) => {
      const record = this.#record(event.requestId);
      record.url = event.request.url;
      record.method = event.request.method;
      record.sentAt = event.timestamp;
      if (record.url.includes('/api/demo/')) this.#order.push(event.requestId);
    });
    cdp.on('Network.requestWillBeSentExtraInfo', (event) => {
      this.#record(event.requestId).sent = event.headers as Record<string, string>;
    });
    cdp.on('Network.responseReceivedExtraInfo', (event) => {
      this.#record(event.requestId).received = event.headers as Record<string, string>;
    });
    cdp.on('Network.dataReceived', (event) => {
      this.#record(event.requestId).bodyBytes += event.dataLength;
    });
    cdp.on('Network.loadingFinished', (event) => {
      this.#record(event.requestId).finishedAt = event.timestamp;
    });
  }

  /** Demo requests in the order Chromium sent them. */
  get demoRequests(): WireRecord[] {
    return this.#order.map((id) => this.#record(id));
  }

  /** The latest demo request, once Chromium has finished loading it. */
  async latest(): Promise<WireRecord> {
    await expect
      .poll(() => {
        const last = this.demoRequests.at(-1);
        return Boolean(last?.finishedAt && last.sent && last.received);
      })
      .toBe(true);
    const last = this.demoRequests.at(-1);
    if (!last) throw new Error('no demo request recorded');
    return last;
  }
}

function header(headers: Record<string, string> | null, name: string): string | undefined {
  const found = Object.entries(headers ?? {}).find(([key]) => key.toLowerCase() === name);
  return found?.[1];
}

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

/** The request line and headers as Chromium sent them, framed as HTTP/1.1. */
function requestHeaderBytes(record: WireRecord): number {
  const url = new URL(record.url);
  let total = bytes(`${record.method} ${url.pathname}${url.search} HTTP/1.1\r\n`);
  for (const [name, value] of Object.entries(record.sent ?? {})) {
    total += bytes(`${name}: ${value}\r\n`);
  }
  return total + 2;
}

function setCookieLines(record: WireRecord): string[] {
  const joined = header(record.received, 'set-cookie');
  return joined ? joined.split('\n') : [];
}

/** name=value pairs of the Cookie header Chromium sent. */
function sentCookies(record: WireRecord): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header(record.sent, 'cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) cookies.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return cookies;
}

/* ------------------------------------------------------------ driving the console */

async function numberIn(page: Page, testId: string): Promise<number> {
  const text = (await page.getByTestId(testId).first().textContent()) ?? '';
  const match = /\d[\d,]*/.exec(text);
  if (!match) throw new Error(`no number in ${testId}: "${text}"`);
  return Number(match[0].replace(/,/g, ''));
}

const rowCount = (page: Page) => page.getByTestId('panel-request-row').count();

/** Waits until the console has no request queued or in flight. */
async function idle(page: Page): Promise<void> {
  await page.waitForFunction(
    () => document.querySelector('section[aria-busy]')?.getAttribute('aria-busy') === 'false',
  );
}

/** Clicks a control and waits until its requests are logged and the console is idle. */
async function act(page: Page, testId: string, requests: number): Promise<void> {
  const before = await rowCount(page);
  await page.getByTestId(testId).first().click();
  // A wait, not a speed check: a race's increments each do 50 ms of simulated work, over the few
  // connections a browser opens per site, and with a lock they take turns; a busy machine is slower.
  await expect
    .poll(() => rowCount(page), { timeout: 20_000 })
    .toBeGreaterThanOrEqual(before + requests);
  await idle(page);
}

async function openDemo(page: Page, storeId: string): Promise<void> {
  await page.goto(`${baseURL}/demos/${storeId}/`);
  await openInspector(page);
  await page.getByTestId('panel-request-row').first().waitFor();
  await idle(page);
}

const sessionStatus = (page: Page) => page.getByTestId('demo-status').getAttribute('data-status');
const textOf = async (page: Page, testId: string) =>
  ((await page.getByTestId(testId).first().textContent()) ?? '').replace(/\s+/g, ' ').trim();

async function sessionData(page: Page): Promise<Record<string, unknown>> {
  return JSON.parse((await page.getByTestId('demo-data').textContent()) || '{}');
}

/** The panel's figures for the latest report equal Chromium's own for the latest request. */
async function expectPanelMatchesWire(page: Page, wire: WireRecorder): Promise<void> {
  const record = await wire.latest();
  expect(await numberIn(page, 'panel-cookie-header-bytes')).toBe(
    bytes(header(record.sent, 'cookie') ?? ''),
  );
  expect(await numberIn(page, 'panel-request-header-bytes')).toBe(requestHeaderBytes(record));
  expect(await numberIn(page, 'panel-set-cookie-bytes')).toBe(
    setCookieLines(record).reduce((sum, line) => sum + bytes(line), 0),
  );
  expect(
    Number(await page.getByTestId('panel-response-body-bytes').getAttribute('data-bytes')),
  ).toBe(record.bodyBytes);
}

/** A `name=value` pair's size as browsers count it against 4096: name and value, no `=`. */
const sizeOf = (pair: string): number => bytes(pair) - 1;

/** Each cookie's size in the report is the one Chromium itself keeps for it (name + value). */
async function expectCookieSizesAsChromium(
  page: Page,
  browser: BrowserSession,
  storeId: string,
): Promise<void> {
  const report = (await page.evaluate(
    async (url) => (await fetch(url)).json(),
    `/api/demo/${storeId}`,
  )) as { wire: { request: { cookies: { name: string; nameValueBytes: number }[] } } };
  const cdp = await browser.context.newCDPSession(page);
  const { cookies } = await cdp.send('Network.getAllCookies');
  await cdp.detach();
  expect(report.wire.request.cookies.length).toBeGreaterThan(0);
  for (const sent of report.wire.request.cookies) {
    const own = cookies.find((cookie) => cookie.name === sent.name);
    expect(sent.nameValueBytes, sent.name).toBe(own?.size);
  }
}

/**
 * Changes one letter or digit from the middle on, to a letter every encoding here accepts, so
 * the forgery keeps the cookie's shape (an `id.secret` token stays one) and only its content lies.
 */
function forge(value: string): string {
  let at = Math.floor(value.length / 2);
  while (at < value.length - 1 && !/[A-Za-z0-9]/.test(value[at] ?? '')) at++;
  const replacement = value[at] === 'a' ? 'b' : 'a';
  return value.slice(0, at) + replacement + value.slice(at + 1);
}

/* ------------------------------------------------------------ the tests */

describe.each([...cookieStores, ...liveServerStores])('the %s demo in Chromium', (storeId) => {
  const inBrowser = (cookieStores as readonly string[]).includes(storeId);
  let browser: BrowserSession;
  let page: Page;
  let wire: WireRecorder;

  beforeAll(async () => {
    browser = await launchBrowser();
    page = await browser.context.newPage();
    wire = await WireRecorder.attach(browser.context, page);
    await openDemo(page, storeId);
  });
  afterAll(async () => browser?.close());

  it('shows the bytes Chromium itself sent and received', async () => {
    await expectPanelMatchesWire(page, wire);

    await act(page, 'demo-increment', 1);
    expect(await numberIn(page, 'panel-set-cookie-bytes')).toBeGreaterThan(0);
    await expectPanelMatchesWire(page, wire);

    await act(page, 'demo-read', 1);
    expect(await numberIn(page, 'panel-cookie-header-bytes')).toBeGreaterThan(0);
    await expectPanelMatchesWire(page, wire);
    expect(await sessionData(page)).toMatchObject({ counter: 1 });
    await expectCookieSizesAsChromium(page, browser, storeId);
    await expectNoAxeViolations(page);
  });

  // Only cookie stores can send a cookie past the limit, so the test exists only for them.
  const itForCookieStores = inBrowser ? it : () => undefined;
  itForCookieStores('shows the browser dropping a cookie past 4096 bytes', async () => {
    const before = wire.demoRequests.length;
    await act(page, 'demo-grow-anyway', 2);

    // Chromium received the oversized Set-Cookie and did not send it back.
    const [grow, read] = wire.demoRequests.slice(before);
    if (!grow || !read) throw new Error('the grow and the read were not both recorded');
    const oversized = setCookieLines(grow)
      .map((line) => line.split(';')[0] ?? '')
      .find((pair) => sizeOf(pair) > cookieLimit);
    if (!oversized) throw new Error('no Set-Cookie over 4096 bytes of name + value');
    const name = oversized.slice(0, oversized.indexOf('='));
    const carried = sentCookies(read).get(name);
    expect(carried, 'the next request carried the previous cookie').toBeDefined();
    expect(`${name}=${carried}`).not.toBe(oversized);
    expect(sizeOf(`${name}=${carried}`)).toBeLessThanOrEqual(cookieLimit);
    const stored = (await browser.context.cookies()).filter((cookie) => cookie.name === name);
    expect(stored.map((cookie) => sizeOf(`${cookie.name}=${cookie.value}`))).toEqual([
      sizeOf(`${name}=${carried}`),
    ]);

    const notice = page.getByTestId('panel-dropped-cookie');
    await expect.poll(() => notice.count()).toBe(1);
    expect(await notice.getAttribute('data-cookie')).toBe(name);
    expect(await textOf(page, 'panel-dropped-cookie')).toContain(
      `Your browser ignored the ${sizeOf(oversized).toLocaleString('en-US')}-byte cookie ` +
        `(over 4096 for name + value). The next request (#${await rowCount(page)}) carried the ` +
        `previous ${name} cookie (${sizeOf(`${name}=${carried}`).toLocaleString('en-US')} bytes), ` +
        'so the server sees the old session',
    );
    // The old session is what the server read.
    expect(await sessionStatus(page)).toBe('ok');
    expect(await sessionData(page)).toMatchObject({ counter: 1 });
    expect(await sessionData(page)).not.toHaveProperty('padding');
    await expectNoAxeViolations(page);
  });

  it(`counts the updates lost to ${raceSize} overlapping increments`, async () => {
    const before = wire.demoRequests.length;
    await act(page, 'demo-race', raceSize + 1);
    const result = await textOf(page, 'demo-race-result');
    const match = /(\d+) sent, counter went from (\d+) to (\d+): (\d+) updates? lost/.exec(result);
    if (!match) throw new Error(`unexpected race result: "${result}"`);
    const [sent, from, to, lost] = match.slice(1).map(Number) as [number, number, number, number];
    expect(sent).toBe(raceSize);
    expect(from + raceSize - lost).toBe(to);
    expect(await sessionData(page)).toMatchObject({ counter: to });
    if (inBrowser) {
      // Every request carried the cookie the browser had when it left; the first batch, at least,
      // left together, so those all loaded the same counter.
      expect(lost).toBeGreaterThan(0);
      expect(result).toMatch(/last write wins/);
    }

    // They really overlapped on the wire: some request started before another had finished.
    const batch = wire.demoRequests.slice(before, before + raceSize);
    expect(batch).toHaveLength(raceSize);
    const inFlight = Math.max(
      ...batch.map(
        (request) =>
          batch.filter(
            (other) =>
              other.sentAt <= request.sentAt && (other.finishedAt ?? Infinity) > request.sentAt,
          ).length,
      ),
    );
    expect(inFlight).toBeGreaterThan(1);
    expect(await page.getByTestId('panel-request-row').count()).toBeGreaterThanOrEqual(
      raceSize + 1,
    );
    await expectNoAxeViolations(page);
  });

  if (!inBrowser) {
    it('loses updates with simulated work between load and save, and none with the store’s fix', async () => {
      // One plain write first, so the browser's cookie and the page agree on the session.
      await act(page, 'demo-increment', 1);
      const race = async () => {
        await act(page, 'demo-race', raceSize + 1);
        const result = await textOf(page, 'demo-race-result');
        const match = /(\d+) sent, counter went from (\d+) to (\d+): (\d+) updates? lost/.exec(
          result,
        );
        if (!match) throw new Error(`unexpected race result: "${result}"`);
        const [sent, from, to, lost] = match.slice(1).map(Number) as number[];
        return { result, sent: sent!, moved: to! - from!, lost: lost! };
      };
      // The default: 50 ms of simulated work, as a database call would take, and no fix.
      expect(await page.getByTestId('demo-race-work').inputValue()).toBe('50');
      const unfixed = await race();
      expect(unfixed.sent).toBe(raceSize);
      expect(unfixed.lost).toBeGreaterThan(0);
      expect(unfixed.moved).toBeLessThan(raceSize);
      expect(unfixed.result).toMatch(/during their 50 ms of work/);

      // Every fix the store offers, one after another.
      const fixSelect = page.getByTestId('demo-race-fix');
      const offered = (
        await fixSelect
          .locator('option')
          .evaluateAll((options) => options.map((option) => (option as HTMLOptionElement).value))
      ).filter((value) => value !== 'none');
      expect(offered.length).toBeGreaterThan(0);
      for (const fix of offered) {
        await fixSelect.selectOption(fix);
        const fixed = await race();
        expect(fixed.sent, fix).toBe(raceSize);
        expect(fixed.lost, fix).toBe(0);
        expect(fixed.moved, fix).toBe(raceSize);
        expect(fixed.result).toMatch(/None lost/);
      }
      await expectNoAxeViolations(page);
      await fixSelect.selectOption('none');
    });
  }

  it('answers a forged cookie the way its kind must', async () => {
    // After the race, the browser keeps the Set-Cookie that arrived last while the page shows the
    // response it finished reading last; one plain write makes the two agree again.
    await act(page, 'demo-increment', 1);
    const field = page.getByTestId('demo-tamper-value').first();
    const name = await field.getAttribute('data-cookie');
    const original = await field.inputValue();
    expect(name).toBeTruthy();
    expect(original.length).toBeGreaterThan(10);
    // The value the page offers is the one the browser holds, HttpOnly or not.
    const held = (await browser.context.cookies()).find((cookie) => cookie.name === name);
    expect(held?.value).toBe(original);

    const forged =
      storeId === 'plain-cookie'
        ? original.replace(/(%22counter%22:)\d+/, '$1999')
        : forge(original);
    expect(forged).not.toBe(original);
    await field.fill(forged);
    await act(page, 'demo-tamper-send', 2);

    // The read after the forgery carried the forged value.
    expect(sentCookies(await wire.latest()).get(name ?? '')).toBe(forged);
    const notice = await textOf(page, 'demo-notice');
    const status = await sessionStatus(page);
    if (storeId === 'plain-cookie') {
      expect(status).toBe('ok');
      expect(await sessionData(page)).toMatchObject({ counter: 999 });
      expect(notice).toMatch(/Accepted/);
    } else if (inBrowser) {
      expect(status).toBe('tampered');
      expect(await sessionData(page)).toEqual({});
      expect(notice).toMatch(/Rejected: \S/);
      // The reason is in words, not only in the badge's colour.
      expect(await textOf(page, 'demo-status')).toMatch(/Tampered \S+/);
    } else {
      expect(status).toBe('new');
      expect(await sessionData(page)).toEqual({});
      expect(notice).toMatch(/Unknown id/);
    }
    await expectNoAxeViolations(page);
  });

  it('keeps or loses the session on a fresh instance every request', async () => {
    await page.getByTestId('demo-instance').selectOption('fresh');
    expect(await page.getByTestId('demo-instance-hint').count()).toBe(
      instanceBound.has(storeId) ? 1 : 0,
    );
    await act(page, 'demo-increment', 1);
    await act(page, 'demo-read', 1);
    expect(await page.getByTestId('panel-request-row').last().textContent()).toMatch(/fresh \w+/);
    expect(new URL((await wire.latest()).url).searchParams.get('instance')).toBe('fresh');
    if (instanceBound.has(storeId)) {
      expect(await sessionStatus(page)).toBe('new');
      expect(await sessionData(page)).toEqual({});
    } else {
      expect(await sessionStatus(page)).toBe('ok');
      expect(await sessionData(page)).toHaveProperty('counter');
    }
  });

  it('loses only memory sessions when the instance restarts', async () => {
    await page.getByTestId('demo-instance').selectOption('2');
    await act(page, 'demo-increment', 1);
    await act(page, 'demo-restart-instance', 2);
    const notice = await textOf(page, 'demo-notice');
    expect(notice).toMatch(/Restarted instance 2, then read the session/);
    expect(notice).toMatch(/Instance 2 restarted/);
    if (storeId === 'memory') {
      expect(await sessionStatus(page)).toBe('new');
      expect(notice).toMatch(/gone/);
    } else {
      expect(await sessionStatus(page)).toBe('ok');
      expect(notice).toMatch(/survived/);
    }
    await page.getByTestId('demo-instance').selectOption('1');
  });

  it(
    inBrowser
      ? 'explains why a cookie session cannot be logged out everywhere'
      : 'signs in on another device and logs out everywhere',
    async () => {
      if (inBrowser) {
        expect(await page.getByTestId('demo-second-session').count()).toBe(0);
        await act(page, 'demo-revoke-all', 1);
        const notice = page.getByTestId('demo-notice');
        expect(await notice.getAttribute('data-tone')).toBe('lesson');
        expect(await textOf(page, 'demo-notice')).toMatch(
          /cannot be revoked.*stays valid until it expires/,
        );
        expect(await textOf(page, 'demo-error')).toBe('');
        await expectNoAxeViolations(page);
        return;
      }
      await act(page, 'demo-increment', 1);
      await act(page, 'demo-second-session', 1);
      const notice = await textOf(page, 'demo-notice');
      const count = Number(/You now have (\d+) sessions/.exec(notice)?.[1]);
      expect(count).toBeGreaterThanOrEqual(2);
      await page.getByTestId('panel-tab-server').click();
      expect(await numberIn(page, 'panel-owner-sessions')).toBe(count);
      await page.getByTestId('panel-tab-network').click();

      await act(page, 'demo-revoke-all', 2);
      const deleted = Number(
        /Signed out everywhere: (\d+) sessions? deleted/.exec(
          await textOf(page, 'demo-notice'),
        )?.[1],
      );
      expect(deleted).toBeGreaterThanOrEqual(2);
      expect(await textOf(page, 'demo-notice')).toMatch(/this device is logged out too/);
      expect(await sessionStatus(page)).toBe('new');
      await expectNoAxeViolations(page);
    },
  );
});

describe.each(unconfiguredStores)('the %s demo without its server', (storeId) => {
  let browser: BrowserSession;
  let page: Page;

  beforeAll(async () => {
    browser = await launchBrowser();
    page = await browser.context.newPage();
  });
  afterAll(async () => browser?.close());

  it('says how to enable it, in a status message', async () => {
    await openDemo(page, storeId);
    await expect.poll(() => sessionStatus(page)).toBe('unavailable');
    const status = page.getByRole('status').filter({ hasText: howToEnable });
    expect(await status.count()).toBe(1);
    expect(await status.textContent()).toMatch(/Not available on this server: .*npm run services/);
    expect(await textOf(page, 'demo-error')).toBe('');
    expect(await page.getByTestId('demo-race').count()).toBe(0);
    await expectNoAxeViolations(page);
  });
});

describe('the demo console at 360 px in the dark theme', () => {
  let browser: BrowserSession;
  let page: Page;

  beforeAll(async () => {
    browser = await launchBrowser();
    page = await browser.context.newPage();
  });
  afterAll(async () => browser?.close());

  it('fits without sideways scrolling and passes axe after every demo', async () => {
    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto(`${baseURL}/demos/signed-cookie/`);
    await page.getByRole('button', { name: 'Switch to dark theme' }).click();
    await openInspector(page);
    await page.getByTestId('panel-request-row').first().waitFor();
    await idle(page);
    await act(page, 'demo-increment', 1);
    await act(page, 'demo-grow-anyway', 2);
    expect(await page.getByTestId('panel-dropped-cookie').count()).toBe(1);
    await act(page, 'demo-race', raceSize + 1);
    await act(page, 'demo-revoke-all', 1);
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - window.innerWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await expectNoAxeViolations(page);
  });

  it('works from the keyboard: pick an instance, then send', async () => {
    await page.getByTestId('demo-instance').focus();
    await page.keyboard.press('ArrowDown');
    expect(await page.getByTestId('demo-instance').inputValue()).toBe('2');
    const before = await rowCount(page);
    await page.getByTestId('demo-increment').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => rowCount(page)).toBe(before + 1);
    await idle(page);
    const row = page.getByTestId('panel-request-row').last();
    // Cells: #, store, method, then the instance (the action is the row's header cell).
    expect(await row.locator('td').nth(3).textContent()).toBe('2');
  });
});
