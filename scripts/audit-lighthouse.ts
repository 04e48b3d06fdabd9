// `npm run audit:lighthouse`: Lighthouse's mobile profile (its default: a mid-range phone on a
// slow 4G link, simulated) on the home page and every lesson page of the build in dist/, with
// the performance and accessibility categories, printed as one table. Issue 12's bar is 100 in
// both on every one of these pages.
//
// Not part of `npm test`: performance scores move with the machine's load from run to run, and
// tests hold no timed assertions. The byte budget, which does not move, is a real test
// (tests/e2e/page-weight.test.ts). This builds nothing: run `npm run build` first.
//
//   npm run audit:lighthouse                       every page
//   npm run audit:lighthouse -- /lessons/jwt/      only the pages named
//   npm run audit:lighthouse -- --save reports/lh  also each page's full report, as JSON
//
// The browser is the machine's Chromium, started here with the same flags as the browser tests
// plus a DevTools port for Lighthouse; Lighthouse never downloads one.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import lighthouse from 'lighthouse';
import { table } from '../bench/lib/report.ts';
import { chromiumPath } from '../tests/e2e/browser.ts';
import { startSite } from '../tests/e2e/server.ts';

const { values: options, positionals } = parseArgs({
  options: { save: { type: 'string' } },
  allowPositionals: true,
});

const allPages = [
  '/',
  ...readdirSync('content/lessons')
    .filter((file) => /\.mdx?$/.test(file))
    .map((file) => `/lessons/${file.replace(/\.mdx?$/, '')}/`)
    .sort(),
];
const pages = positionals.length > 0 ? positionals : allPages;

interface Audit {
  numericValue?: number;
  details?: { items?: { resourceType?: string; transferSize?: number }[] };
}

interface PageScore {
  page: string;
  performance: number;
  accessibility: number;
  lcpMs: number;
  tbtMs: number;
  cls: number;
  scriptTransferBytes: number;
  /** Audits that cost points: what to fix, by id. */
  failing: string[];
}

/** Starts Chromium with a DevTools port of the system's choosing and answers that port. */
async function startChromium(userDataDir: string): Promise<{ chrome: ChildProcess; port: number }> {
  const chrome = spawn(
    chromiumPath,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${userDataDir}`,
      '--remote-debugging-address=127.0.0.1',
      '--remote-debugging-port=0',
      'about:blank',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`Chromium did not start:\n${output}`)), 20_000);
    chrome.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const listening = /DevTools listening on ws:\/\/[^:]+:(\d+)\//.exec(output);
      if (listening) {
        clearTimeout(timer);
        resolve(Number(listening[1]));
      }
    });
    chrome.once('exit', (code) => reject(new Error(`Chromium exited with ${code}:\n${output}`)));
  });
  return { chrome, port };
}

/**
 * Lighthouse now and then loses a page's trace on a busy machine (NO_NAVSTART, NO_FCP); such a run
 * measured nothing, so it is run again, at most twice more.
 */
async function audit(url: string, port: number, attempt = 1): Promise<Omit<PageScore, 'page'>> {
  const result = await lighthouse(url, {
    port,
    logLevel: 'error',
    output: 'json',
    onlyCategories: ['performance', 'accessibility'],
  });
  if (!result) throw new Error(`Lighthouse returned nothing for ${url}`);
  if (options.save) {
    await mkdir(options.save, { recursive: true });
    const name = new URL(url).pathname.replace(/^\/|\/$/g, '').replaceAll('/', '-') || 'home';
    await writeFile(path.join(options.save, `${name}.json`), String(result.report));
  }
  const { categories, audits, runtimeError } = result.lhr;
  if (runtimeError) {
    if (attempt < 3) return audit(url, port, attempt + 1);
    throw new Error(`${url}: ${runtimeError.code} ${runtimeError.message}`);
  }
  const value = (id: string) => (audits[id] as Audit | undefined)?.numericValue ?? NaN;
  const scripts = (audits['resource-summary'] as Audit | undefined)?.details?.items?.find(
    (item) => item.resourceType === 'script',
  );
  const scored = [categories.performance, categories.accessibility].flatMap(
    (category) => category?.auditRefs.filter((ref) => ref.weight > 0) ?? [],
  );
  const failing = scored
    .map((ref) => audits[ref.id])
    .filter((item) => item && item.score !== null && item.score < 1)
    .map((item) => `${item!.id} (${item!.displayValue ?? item!.score})`);
  return {
    performance: Math.round((categories.performance?.score ?? 0) * 100),
    accessibility: Math.round((categories.accessibility?.score ?? 0) * 100),
    lcpMs: value('largest-contentful-paint'),
    tbtMs: value('total-blocking-time'),
    cls: value('cumulative-layout-shift'),
    scriptTransferBytes: scripts?.transferSize ?? 0,
    failing,
  };
}

const userDataDir = await mkdtemp(path.join(tmpdir(), 'session-lab-lighthouse-'));
const site = await startSite();
let chrome: ChildProcess | undefined;
try {
  const started = await startChromium(userDataDir);
  chrome = started.chrome;
  const scores: PageScore[] = [];
  for (const page of pages) {
    scores.push({ page, ...(await audit(`${site.baseURL}${page}`, started.port)) });
    process.stdout.write(`${page} `);
  }
  console.log(
    '\nLighthouse, mobile profile (simulated slow 4G, mid-range phone), headless Chromium\n',
  );
  console.log(
    table(
      ['page', 'performance', 'accessibility', 'LCP ms', 'TBT ms', 'CLS', 'JS transferred KB'],
      scores.map((score) => [
        score.page,
        String(score.performance),
        String(score.accessibility),
        score.lcpMs.toFixed(0),
        score.tbtMs.toFixed(0),
        score.cls.toFixed(3),
        (score.scriptTransferBytes / 1024).toFixed(1),
      ]),
      new Set([1, 2, 3, 4, 5, 6]),
    ),
  );
  const belowBar = scores.filter((score) => score.failing.length > 0);
  if (belowBar.length > 0) {
    console.log('\nAudits that cost points');
    for (const score of belowBar) console.log(`${score.page}: ${score.failing.join(', ')}`);
  }
} finally {
  chrome?.kill();
  await site.stop();
  await rm(userDataDir, { recursive: true, force: true });
}
