/**
 * WORKERS=2 on the built server: two worker processes answer on one port, each demo answer names
 * its process, memory sessions stay in the process that saved them while filesystem sessions are
 * found by both (one data directory), a crashed worker is replaced, SIGTERM stops every process
 * and frees the port; and the memory lesson's check shows the loss in Chromium.
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { expectNoAxeViolations, launchBrowser, type BrowserSession } from './browser';
import { startSite, type RunningSite } from './server';

interface Answer {
  status: number;
  setCookies: string[];
  connection: string | undefined;
  body: {
    status: string;
    data: Record<string, unknown>;
    servedBy: { host: string; pid: number; processes: number };
  };
}

/** Enough fresh connections for round-robin over two workers to reach both many times over. */
const maxReads = 12;

/**
 * One request on a connection of its own (no keep-alive), so the cluster hands it out anew; or,
 * with `keepAlive`, on a connection kept open as a browser keeps it.
 */
function demo(
  site: RunningSite,
  path: string,
  options: {
    method?: string;
    cookie?: string;
    body?: string;
    keepAlive?: Agent;
    timeoutMs?: number;
  } = {},
): Promise<Answer> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const outgoing = request(
      `${site.baseURL}${path}`,
      {
        agent: options.keepAlive ?? false,
        method: options.method ?? 'GET',
        headers: {
          Accept: 'application/json',
          ...(options.cookie ? { Cookie: options.cookie } : {}),
          ...(options.body ? { 'Content-Type': 'application/json', Origin: site.baseURL } : {}),
        },
        timeout: timeoutMs,
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            setCookies: response.headers['set-cookie'] ?? [],
            connection: response.headers.connection,
            body: JSON.parse(text) as Answer['body'],
          }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.on('timeout', () =>
      outgoing.destroy(new Error(`${path}: no answer in ${timeoutMs / 1000} s`)),
    );
    outgoing.end(options.body);
  });
}

async function readsOf(site: RunningSite, path: string, cookie?: string): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (let read = 0; read < maxReads; read++) answers.push(await demo(site, path, { cookie }));
  return answers;
}

/**
 * The site answers once one worker listens; the other may still be starting. The primary says
 * when all of them listen.
 */
async function allWorkersListening(site: RunningSite): Promise<void> {
  const deadline = Date.now() + 20_000;
  const announced = /listening on http:\/\/127\.0\.0\.1:\d+ with 2 worker processes/;
  while (!announced.test(site.output.join(''))) {
    if (Date.now() > deadline) throw new Error(`not all workers listen:\n${site.output.join('')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function parentOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

describe('one process (WORKERS unset)', () => {
  let site: RunningSite;
  beforeAll(async () => {
    site = await startSite();
  });
  afterAll(async () => site?.stop());

  it('names itself in every demo answer, and keeps connections open', async () => {
    const keepAlive = new Agent({ keepAlive: true });
    try {
      const answer = await demo(site, '/api/demo/memory', { keepAlive });
      expect(answer.status).toBe(200);
      expect(answer.body.servedBy).toEqual({ host: hostname(), pid: site.pid, processes: 1 });
      expect(answer.connection).toBe('keep-alive');
    } finally {
      keepAlive.destroy();
    }
  });
});

describe("the memory lesson's check in Chromium, one process", () => {
  let site: RunningSite;
  let browser: BrowserSession;
  beforeAll(async () => {
    site = await startSite();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await site?.stop();
  });

  it('finds the session on every read and says how to start several processes', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${site.baseURL}/lessons/memory/`);
    const probe = page.getByTestId('process-probe');
    await probe.scrollIntoViewIfNeeded();
    await probe.getByTestId('process-probe-run').click();
    const single = probe.getByTestId('process-probe-single');
    await expect.poll(() => single.count(), { timeout: 20_000 }).toBe(1);
    expect(await single.textContent()).toContain(`one process (pid ${site.pid})`);
    expect(await single.textContent()).toContain('WORKERS=2 npm start');
    const found = await probe
      .getByTestId('process-probe-reads')
      .locator('tbody tr')
      .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-found')));
    expect(found).toEqual(Array(8).fill('true'));
  });
});

describe('WORKERS=2', () => {
  let site: RunningSite;
  beforeAll(async () => {
    site = await startSite({ WORKERS: '2' });
    await allWorkersListening(site);
  });
  afterAll(async () => site?.stop());

  it('answers from two worker processes of the primary, never from the primary', async () => {
    const pids = new Set(
      (await readsOf(site, '/api/demo/signed-cookie')).map((a) => a.body.servedBy.pid),
    );
    expect(pids.size).toBe(2);
    expect(pids.has(site.pid)).toBe(false);
    for (const pid of pids) expect(parentOf(pid)).toBe(site.pid);
    expect(site.output.join('')).toMatch(
      /listening on http:\/\/127\.0\.0\.1:\d+ with 2 worker processes/,
    );
  });

  it('keeps a memory session in the process that saved it: the other one has never seen it', async () => {
    const saved = await demo(site, '/api/demo/memory', {
      method: 'POST',
      body: JSON.stringify({ action: 'set', key: 'probe', value: 'from-one-worker' }),
    });
    expect(saved.status).toBe(200);
    // Even a client that would keep the connection is told to close it, so the next request
    // can meet the other worker.
    const keepAlive = new Agent({ keepAlive: true });
    const kept = await demo(site, '/api/demo/memory', { keepAlive }).finally(() =>
      keepAlive.destroy(),
    );
    expect(kept.connection).toBe('close');
    const cookie = saved.setCookies.map((line) => line.split(';', 1)[0]).join('; ');
    const reads = await readsOf(site, '/api/demo/memory', cookie);
    const found = (read: Answer) => read.body.data['probe'] === 'from-one-worker';
    const saver = saved.body.servedBy.pid;
    expect(reads.filter((read) => read.body.servedBy.pid === saver).every(found)).toBe(true);
    const others = reads.filter((read) => read.body.servedBy.pid !== saver);
    expect(others.length).toBeGreaterThan(0);
    for (const read of others) {
      expect(found(read)).toBe(false);
      expect(read.body.status).toBe('new');
    }
  });

  it('finds a filesystem session from both processes: they share one data directory', async () => {
    const saved = await demo(site, '/api/demo/filesystem', {
      method: 'POST',
      body: JSON.stringify({ action: 'set', key: 'probe', value: 'on-the-shared-disk' }),
    });
    expect(saved.status).toBe(200);
    const cookie = saved.setCookies.map((line) => line.split(';', 1)[0]).join('; ');
    const reads = await readsOf(site, '/api/demo/filesystem', cookie);
    expect(new Set(reads.map((read) => read.body.servedBy.pid)).size).toBe(2);
    for (const read of reads) expect(read.body.data['probe']).toBe('on-the-shared-disk');
  });

  it('replaces a worker that crashes, saying so', async () => {
    const before = new Set(
      (await readsOf(site, '/api/demo/signed-cookie')).map((a) => a.body.servedBy.pid),
    );
    const [crashed] = [...before];
    process.kill(crashed!, 'SIGKILL');
    // A connection handed to the worker as it died is lost with it; later ones are not.
    const deadline = Date.now() + 20_000;
    const after = new Set<number>();
    while (Date.now() < deadline && !(after.size === 2 && !after.has(crashed!))) {
      after.clear();
      for (let read = 0; read < maxReads; read++) {
        const answer = await demo(site, '/api/demo/signed-cookie', { timeoutMs: 2_000 }).catch(
          () => null,
        );
        if (answer) after.add(answer.body.servedBy.pid);
      }
    }
    expect(after.size).toBe(2);
    expect(after.has(crashed!)).toBe(false);
    expect(site.output.join('')).toContain(`worker ${crashed} exited (signal SIGKILL); started`);
  });

  it('keeps connections open for stores every process shares', async () => {
    const keepAlive = new Agent({ keepAlive: true });
    try {
      const answer = await demo(site, '/api/demo/signed-cookie', { keepAlive });
      expect(answer.connection).toBe('keep-alive');
    } finally {
      keepAlive.destroy();
    }
  });

  it('stops every process on SIGTERM, the primary last, and frees the port', async () => {
    const workers = new Set(
      (await readsOf(site, '/api/demo/signed-cookie')).map((a) => a.body.servedBy.pid),
    );
    expect(workers.size).toBe(2);
    site.signal('SIGTERM');
    expect(await site.exited).toEqual({ code: 0, signal: null });
    for (const pid of workers) expect(isRunning(pid), `worker ${pid}`).toBe(false);
    expect(await portIsFree(site.port)).toBe(true);
    const output = site.output.join('');
    expect(output.match(/told to stop by the primary process/g)).toHaveLength(2);
    expect(output).toMatch(/all worker processes stopped\.\s*$/);
  });
});

describe("the memory lesson's check in Chromium, WORKERS=2", () => {
  let site: RunningSite;
  let browser: BrowserSession;
  let page: Page;
  beforeAll(async () => {
    site = await startSite({ WORKERS: '2' });
    await allWorkersListening(site);
    browser = await launchBrowser();
    page = await browser.context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await site?.stop();
  });

  it('lists which process answered each read and that only the saver had the session', async () => {
    await page.goto(`${site.baseURL}/lessons/memory/`);
    const probe = page.getByTestId('process-probe');
    // The check is an island that wakes when it scrolls into view.
    await probe.scrollIntoViewIfNeeded();
    await probe.getByTestId('process-probe-run').click();
    const rows = probe.getByTestId('process-probe-reads').locator('tbody tr');
    await expect.poll(() => rows.count(), { timeout: 20_000 }).toBe(8);
    const found = await rows.evaluateAll((all) => all.map((row) => row.getAttribute('data-found')));
    expect(found).toContain('true');
    expect(found).toContain('false');
    const summary = await probe.getByTestId('process-probe-summary').textContent();
    expect(summary).toMatch(/one of 2 on this machine/);
    expect(await probe.getByTestId('process-probe-summary').locator('li').count()).toBe(2);
    await expectNoAxeViolations(page);
  });
});
