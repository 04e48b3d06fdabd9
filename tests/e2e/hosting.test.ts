/**
 * Hosting for a class: /healthz, a reverse proxy in front (TRUST_PROXY), security headers, graceful
 * shutdown that loses no acknowledged write, and two processes sharing one DATA_DIR and one Redis,
 * a private DATA_DIR whatever the umask. Each block starts servers of its own (tests/e2e/server.ts)
 * with real Redis and Memcached (from the shared launcher in scripts/services/); the header
 * checks use the shared site.
 */
import { createHash } from 'node:crypto';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { chmod, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  serviceSkipReason,
  serviceVariables,
  startPostgres,
  startRedis,
  startServiceFor,
  type RunningPostgres,
  type ServiceKind,
  type ServiceWithSetting,
  type RunningRedis,
} from '../../scripts/services/index.ts';
import { launchBrowser, type BrowserSession } from './browser';
import { correctAnswers, loadQuiz } from './quiz-answers';
import { startSite, type RunningSite } from './server';

const skipServices = serviceSkipReason('redis') ?? serviceSkipReason('memcached');
if (skipServices) console.warn(skipServices);
const skipPostgres = serviceSkipReason('postgres');
if (skipPostgres) console.warn(skipPostgres);

const quizId = 'signed-cookie';
const quizForm = new URLSearchParams(
  correctAnswers(loadQuiz(quizId)).flatMap(([question, options]) =>
    options.map((option) => [question, option]),
  ),
).toString();

function submitQuiz(site: RunningSite, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${site.baseURL}/api/quiz/${quizId}`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      Accept: 'application/json',
      ...headers,
    },
    body: quizForm,
  });
}

function demo(
  site: RunningSite,
  store: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${site.baseURL}/api/demo/${store}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

async function readDemo(site: RunningSite, store: string, cookie: string) {
  const response = await fetch(`${site.baseURL}/api/demo/${store}`, {
    headers: { Cookie: cookie },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { status: string; data: Record<string, unknown> };
}

/** The `name=value` pairs of Set-Cookie lines, as a browser would send them back. */
function cookieHeader(lines: readonly string[], previous = ''): string {
  const jar = new Map(
    previous
      .split('; ')
      .filter(Boolean)
      .map((pair) => [pair.slice(0, pair.indexOf('=')), pair] as const),
  );
  for (const line of lines) {
    const pair = line.split(';', 1)[0]!;
    jar.set(pair.slice(0, pair.indexOf('=')), pair);
  }
  return [...jar.values()].join('; ');
}

/** One bounded GET of a JSON route, with how long it took. */
async function probe<Body>(site: RunningSite | string, route: string) {
  const baseURL = typeof site === 'string' ? site : site.baseURL;
  const started = Date.now();
  const response = await fetch(`${baseURL}${route}`, { signal: AbortSignal.timeout(5_000) });
  return {
    status: response.status,
    ms: Date.now() - started,
    cacheControl: response.headers.get('cache-control'),
    body: (await response.json()) as Body,
  };
}

interface Readiness {
  status: string;
  database: { kind: string; answers: boolean; schemaVersion: number; migrations: number };
  reason?: string;
}

const services = (site: RunningSite | string) =>
  probe<{ stores: Record<string, string> }>(site, '/healthz/services');
const liveness = (site: RunningSite | string) =>
  probe<{ status: string; process: { pid: number } }>(site, '/healthz');
const readiness = (site: RunningSite | string) => probe<Readiness>(site, '/readyz');

describe.skipIf(skipServices ?? skipPostgres)('/healthz, /healthz/services and /readyz', () => {
  const kinds = Object.keys(serviceVariables) as ServiceKind[];
  let started: ServiceWithSetting[];
  let site: RunningSite;
  /** Every service's store in the same state, as /healthz/services lists them. */
  const every = (state: string) => Object.fromEntries(kinds.map((kind) => [kind, state]));

  beforeAll(async () => {
    started = await Promise.all(kinds.map(startServiceFor));
    // DATABASE_URL is among the settings: this site keeps its own data in that PostgreSQL too.
    site = await startSite(
      Object.fromEntries(started.map(({ variable, value }) => [variable, value])),
    );
  });

  afterAll(async () => {
    await site?.stop();
    await Promise.all((started ?? []).map(({ service }) => service.remove?.() ?? service.stop()));
  });

  it('reports every service as ok, and the PostgreSQL site ready', async () => {
    const report = await services(site);
    expect(report.status).toBe(200);
    expect(report.cacheControl).toBe('no-store');
    expect(kinds).toEqual(expect.arrayContaining(['redis', 'memcached', 'postgres']));
    expect(report.body).toEqual({ stores: every('ok') });
    const ready = await readiness(site);
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({
      status: 'ready',
      database: { kind: 'postgres', answers: true },
    });
    expect(ready.body.database.schemaVersion).toBe(ready.body.database.migrations);
  });

  it('while the services are down: alive, not ready, and every answer comes at once', async () => {
    await Promise.all(started.map(({ service }) => service.stop()));
    const live = await liveness(site);
    expect(live.status).toBe(200);
    expect(live.body).toMatchObject({ status: 'ok', process: { pid: site.pid } });
    const report = await services(site);
    expect(report.body).toEqual({ stores: every('unavailable') });
    expect(report.ms).toBeLessThan(3_000);
    // The site's own data is in the PostgreSQL that stopped: a balancer must stop sending traffic.
    const ready = await readiness(site);
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ status: 'not-ready', database: { answers: false } });
    expect(ready.ms).toBeLessThan(4_000);
  });

  it('is ready again, and reports the services ok, once they are back', async () => {
    await Promise.all(started.map(({ service }) => service.start()));
    await expect
      .poll(async () => (await services(site)).body.stores, { timeout: 10_000, interval: 250 })
      .toEqual(every('ok'));
    await expect
      .poll(async () => (await readiness(site)).status, { timeout: 10_000, interval: 250 })
      .toBe(200);
  });

  it('says which services are not configured', async () => {
    // The shared test site has a PostgreSQL of its own (global-setup.ts), and no Redis or Memcached.
    const report = await services(inject('baseURL'));
    expect(report.status).toBe(200);
    expect(report.body).toEqual({
      stores: { redis: 'not-configured', memcached: 'not-configured', postgres: 'ok' },
    });
  });
});

describe('/readyz', () => {
  it('answers 200 ready, naming the database and with every migration applied', async () => {
    const report = await readiness(inject('baseURL'));
    expect(report.status).toBe(200);
    expect(report.cacheControl).toBe('no-store');
    const kind = inject('databaseUrl') === null ? 'sqlite' : 'postgres';
    expect(report.body).toMatchObject({ status: 'ready', database: { kind, answers: true } });
    expect(report.body.database.migrations).toBeGreaterThan(0);
    expect(report.body.database.schemaVersion).toBe(report.body.database.migrations);
  });

  it('answers for the zero-configuration SQLite site too', async () => {
    const sqliteSite = await startSite({});
    try {
      const report = await readiness(sqliteSite);
      expect(report.status).toBe(200);
      expect(report.body.database.kind).toBe('sqlite');
      const live = await liveness(sqliteSite);
      expect(live.body).toMatchObject({ status: 'ok', process: { pid: sqliteSite.pid } });
    } finally {
      await sqliteSite.stop();
    }
  });
});

describe('behind a reverse proxy (TRUST_PROXY)', () => {
  let direct: RunningSite;
  let proxied: RunningSite;
  const limits = { RATE_LIMIT_QUIZ: '2/60' };

  beforeAll(async () => {
    [direct, proxied] = await Promise.all([
      startSite(limits),
      startSite({ ...limits, TRUST_PROXY: 'true' }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([direct?.stop(), proxied?.stop()]);
  });

  it('ignores X-Forwarded-For without TRUST_PROXY: a forged one does not dodge the limit', async () => {
    for (let i = 0; i < 2; i += 1) expect((await submitQuiz(direct)).status).toBe(200);
    const forged = await submitQuiz(direct, { 'X-Forwarded-For': '203.0.113.50' });
    expect(forged.status).toBe(429);
    expect(Number(forged.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await forged.json()) as { error: string }).error).toMatch(/too many quiz/);
  });

  it('limits each client by X-Forwarded-For with TRUST_PROXY', async () => {
    const first = { 'X-Forwarded-For': '203.0.113.1' };
    for (let i = 0; i < 2; i += 1) expect((await submitQuiz(proxied, first)).status).toBe(200);
    expect((await submitQuiz(proxied, first)).status).toBe(429);
    // The left-most entry is the client; the proxy's own address may follow.
    const second = { 'X-Forwarded-For': '203.0.113.2, 127.0.0.1' };
    expect((await submitQuiz(proxied, second)).status).toBe(200);
    // A header that is not an address falls back to the proxy's address, which is not exempt.
    for (let i = 0; i < 2; i += 1) {
      expect((await submitQuiz(proxied, { 'X-Forwarded-For': 'unknown' })).status).toBe(200);
    }
    expect((await submitQuiz(proxied)).status).toBe(429);
  });

  it('sets Secure on every cookie for X-Forwarded-Proto: https only with TRUST_PROXY', async () => {
    const https = (site: RunningSite) => ({
      'X-Forwarded-Proto': 'https',
      Origin: `https://127.0.0.1:${site.port}`,
      'Sec-Fetch-Site': 'same-origin',
    });
    for (const store of ['memory', 'signed-cookie', 'sqlite']) {
      const secured = await demo(
        proxied,
        store,
        { action: 'set', key: 'k', value: 'v' },
        https(proxied),
      );
      expect(secured.status).toBe(200);
      const lines = secured.headers.getSetCookie();
      // The store's cookie, and in a server store the learner cookie the first write creates.
      const learnerCookies = lines.filter((line) => line.startsWith('session_lab_learner='));
      expect(learnerCookies).toHaveLength(store === 'signed-cookie' ? 0 : 1);
      expect(lines.length).toBeGreaterThan(learnerCookies.length);
      for (const line of lines) expect(line).toMatch(/; Secure(;|$)/i);

      const plain = await demo(proxied, store, { action: 'set', key: 'k', value: 'v' });
      expect(plain.status).toBe(200);
      for (const line of plain.headers.getSetCookie()) expect(line).not.toMatch(/Secure/i);
    }
    const quiz = await submitQuiz(proxied, { ...https(proxied), 'X-Forwarded-For': '203.0.113.3' });
    expect(quiz.status).toBe(200);
    expect(quiz.headers.getSetCookie()[0]).toMatch(/^session_lab_learner=.*; Secure(;|$)/i);

    // Without TRUST_PROXY the header is just a header: no Secure, and an https Origin is
    // another origin than the plain-HTTP site.
    const forged = { 'X-Forwarded-Proto': 'https' };
    const unsecured = await demo(direct, 'memory', { action: 'set', key: 'k', value: 'v' }, forged);
    expect(unsecured.status).toBe(200);
    for (const line of unsecured.headers.getSetCookie()) expect(line).not.toMatch(/Secure/i);
    const crossOrigin = await demo(direct, 'memory', { action: 'clear' }, https(direct));
    expect(crossOrigin.status).toBe(403);
  });
});

describe('security headers', () => {
  const baseURL = inject('baseURL');

  function expectSecurityHeaders(response: Response): string {
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('referrer-policy')).toBe('same-origin');
    const policy = response.headers.get('content-security-policy') ?? '';
    expect(policy).toMatch(/frame-ancestors 'none'/);
    expect(policy).toMatch(/default-src 'self'/);
    expect(policy).toMatch(/object-src 'none'/);
    // Scripts run only from this site or by hash: no inline script without its hash.
    const scripts = directive(policy, 'script-src');
    expect(scripts).toContain("'self'");
    expect(scripts).not.toContain("'unsafe-inline'");
    expect(scripts).not.toContain("'unsafe-eval'");
    return policy;
  }

  function directive(policy: string, name: string): string[] {
    const found = policy
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .find(([directiveName]) => directiveName === name);
    return found?.slice(1) ?? [];
  }

  /** Every inline script of the page must be allowed by its hash, or it would not run. */
  function expectInlineScriptsAllowed(html: string, policy: string): void {
    const allowed = directive(policy, 'script-src');
    const inline = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)];
    expect(inline.length).toBeGreaterThan(0);
    for (const [, body] of inline) {
      const hash = createHash('sha256').update(body!).digest('base64');
      expect(allowed, `inline script ${body!.slice(0, 60)}…`).toContain(`'sha256-${hash}'`);
    }
  }

  /** Small stylesheets are inlined (astro.config.mjs); each must be allowed by its hash. */
  function expectInlineStylesAllowed(html: string, policy: string): void {
    const allowed = directive(policy, 'style-src-elem');
    expect(allowed).not.toContain("'unsafe-inline'");
    for (const [, body] of html.matchAll(/<style\b[^>]*>([\s\S]*?)<\/style>/g)) {
      const hash = createHash('sha256').update(body!).digest('base64');
      expect(allowed, `inline style ${body!.slice(0, 60)}…`).toContain(`'sha256-${hash}'`);
    }
  }

  it('are on a prerendered lesson page, whose inline scripts and styles all match a hash', async () => {
    const response = await fetch(`${baseURL}/lessons/signed-cookie/`);
    expect(response.status).toBe(200);
    const policy = expectSecurityHeaders(response);
    const html = await response.text();
    expect(html).toMatch(/<style\b/);
    expectInlineScriptsAllowed(html, policy);
    expectInlineStylesAllowed(html, policy);
  });

  it('are on the home page, rendered on request and never cached', async () => {
    const response = await fetch(`${baseURL}/`);
    expect(response.status).toBe(200);
    const policy = expectSecurityHeaders(response);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const html = await response.text();
    expectInlineScriptsAllowed(html, policy);
    expectInlineStylesAllowed(html, policy);
  });

  it('are on API responses, which are never cached', async () => {
    for (const url of [`${baseURL}/api/demo/sqlite`, `${baseURL}/api/learner`]) {
      const response = await fetch(url);
      expect(response.status).toBe(200);
      expectSecurityHeaders(response);
      expect(response.headers.get('cache-control')).toBe('no-store');
    }
    const refused = await fetch(`${baseURL}/api/quiz/${quizId}`, {
      method: 'POST',
      headers: { Origin: 'https://elsewhere.example' },
    });
    expect(refused.status).toBe(403);
    expectSecurityHeaders(refused);
    expect(refused.headers.get('cache-control')).toBe('no-store');
  });

  it('are on static files and the 404 page', async () => {
    const html = await (await fetch(`${baseURL}/lessons/signed-cookie/`)).text();
    const script = /<script[^>]*\bsrc="(\/_astro\/[^"]+\.js)"/.exec(html)?.[1];
    const urls = [`${baseURL}/favicon.svg`, `${baseURL}/pagefind/pagefind.js`];
    if (script) urls.push(`${baseURL}${script}`);
    for (const url of urls) {
      const response = await fetch(url);
      expect(response.status, url).toBe(200);
      expectSecurityHeaders(response);
    }
    const missing = await fetch(`${baseURL}/no-such-page/`);
    expect(missing.status).toBe(404);
    expectInlineScriptsAllowed(await missing.text(), expectSecurityHeaders(missing));
  });

  describe('in Chromium', () => {
    let browser: BrowserSession;

    beforeAll(async () => {
      browser = await launchBrowser();
    });

    afterAll(async () => {
      await browser?.close();
    });

    it.each([
      '/',
      '/lessons/signed-cookie/',
      '/demos/sqlite/',
      '/your-data/',
      '/search/?q=HMAC',
      '/compare/',
      '/review/',
    ])('%s hydrates its islands with no policy violation', async (pathname) => {
      const page = await browser.context.newPage();
      const violations: string[] = [];
      page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
      });
      await page.goto(`${baseURL}${pathname}`);
      // client:visible islands hydrate once scrolled to; Astro then drops their `ssr`.
      await page.evaluate(async () => {
        for (const island of document.querySelectorAll('astro-island')) {
          // Islands are `display: contents`, without a box of their own to scroll to.
          (island.firstElementChild ?? island).scrollIntoView();
          await new Promise((resolve) =>
            requestAnimationFrame(() => requestAnimationFrame(resolve)),
          );
        }
      });
      // Demos wake on first use (client:use): the pointer comes over one, and all of them wake.
      const demo = page.locator('section.console').first();
      if ((await demo.count()) > 0) await demo.hover();
      await page.waitForFunction(() => document.querySelectorAll('astro-island[ssr]').length === 0);
      await page.waitForLoadState('networkidle');
      expect(await page.evaluate(() => document.documentElement.dataset.theme)).toMatch(
        /^(light|dark)$/,
      );
      expect(violations).toEqual([]);
      await page.close();
    });
  });
});

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A request whose body arrives in two parts: the headers and the first part are sent at once,
 * the rest when `finish()` is called, so the request is certainly in progress in between.
 */
function slowRequest(
  url: string,
  {
    method = 'POST',
    headers = {},
    body,
  }: { method?: string; headers?: Record<string, string>; body: string },
) {
  const bytes = Buffer.from(body);
  const half = Math.floor(bytes.length / 2);
  let sent!: () => void;
  const headersSent = new Promise<void>((resolve) => (sent = resolve));
  const request = httpRequest(url, {
    method,
    agent: false,
    headers: { ...headers, 'Content-Length': String(bytes.length) },
  });
  const response = new Promise<RawResponse>((resolve, reject) => {
    request.once('error', reject);
    request.once('response', (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.once('error', reject);
      incoming.once('end', () =>
        resolve({
          status: incoming.statusCode ?? 0,
          headers: incoming.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
  });
  response.catch(() => {});
  request.flushHeaders();
  request.write(bytes.subarray(0, half), () => sent());
  return {
    headersSent,
    response,
    finish() {
      request.end(bytes.subarray(half));
    },
  };
}

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('graceful shutdown', () => {
  let dataDir: string;
  const env = { RATE_LIMIT_QUIZ: '1000/60', RATE_LIMIT_DEMO_WRITES: '1000/60' };

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'session-lab-shutdown-'));
  });

  afterAll(async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  // SIGTERM from systemd, Docker or `kill`; SIGINT from Ctrl-C in a terminal.
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'finishes the requests in progress on %s, exits 0, and keeps every write',
    async (signal) => {
      const site = await startSite(env, { dataDir });
      let restarted: RunningSite | undefined;
      try {
        const writes = Array.from({ length: 20 }, (_, index) =>
          index % 2 === 0
            ? {
                kind: 'quiz' as const,
                index,
                request: slowRequest(`${site.baseURL}/api/quiz/${quizId}`, {
                  headers: {
                    'Content-Type': 'application/x-www-form-urlencoded',
                    Accept: 'application/json',
                  },
                  body: quizForm,
                }),
              }
            : {
                kind: 'sqlite' as const,
                index,
                request: slowRequest(`${site.baseURL}/api/demo/sqlite`, {
                  headers: { 'Content-Type': 'application/json' },
                  body: JSON.stringify({ action: 'set', key: 'write', value: String(index) }),
                }),
              },
        );
        await Promise.all(writes.map((write) => write.request.headersSent));
        // Let the server read every request's headers, so each one is in progress.
        await new Promise((resolve) => setTimeout(resolve, 300));

        site.signal(signal);
        await expect
          .poll(() => site.output.join(''), { timeout: 5_000, interval: 20 })
          .toMatch(new RegExp(`${signal} received`));
        // No longer accepting: a new connection is refused while the old ones finish.
        expect(await connects(site.port)).toBe(false);

        for (const write of writes) write.request.finish();
        const responses = await Promise.all(writes.map((write) => write.request.response));
        for (const response of responses) expect(response.status, response.body).toBe(200);

        const exit = await Promise.race([
          site.exited,
          new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 12_000)),
        ]);
        expect(exit, site.output.join('')).toEqual({ code: 0, signal: null });

        restarted = await startSite(env, { dataDir });
        for (const [position, write] of writes.entries()) {
          const response = responses[position]!;
          const cookie = cookieHeader([response.headers['set-cookie'] ?? []].flat());
          if (write.kind === 'sqlite') {
            const read = await readDemo(restarted, 'sqlite', cookie);
            expect(read.status).toBe('ok');
            expect(read.data).toEqual({ write: String(write.index) });
          } else {
            const { attemptId } = JSON.parse(response.body) as { attemptId: number };
            const learner = await fetch(`${restarted.baseURL}/api/learner`, {
              headers: { Cookie: cookie },
            });
            const data = (await learner.json()) as {
              learner: { quizAttempts: { listed: { id: number }[] } } | null;
            };
            expect(data.learner?.quizAttempts.listed.map((attempt) => attempt.id)).toEqual([
              attemptId,
            ]);
          }
        }
      } finally {
        await site.stop();
        await restarted?.stop();
      }
    },
  );
});

describe.skipIf(skipServices)('two processes sharing DATA_DIR and Redis', () => {
  let redis: RunningRedis;
  let dataDir: string;
  let first: RunningSite;
  let second: RunningSite;

  beforeAll(async () => {
    redis = await startRedis();
    dataDir = await mkdtemp(path.join(tmpdir(), 'session-lab-shared-'));
    const env = { REDIS_URL: redis.url };
    // The first creates the database and the generated secret; the second finds both.
    first = await startSite(env, { dataDir });
    second = await startSite(env, { dataDir });
  });

  afterAll(async () => {
    await Promise.all([first?.stop(), second?.stop()]);
    await redis?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('are two processes', () => {
    expect(first.port).not.toBe(second.port);
  });

  it("show a learner's progress whichever process answers", async () => {
    const submitted = await submitQuiz(first);
    expect(submitted.status).toBe(200);
    let cookie = cookieHeader(submitted.headers.getSetCookie());
    const attempts = async (site: RunningSite) => {
      const response = await fetch(`${site.baseURL}/api/learner`, { headers: { Cookie: cookie } });
      const body = (await response.json()) as { learner: { quizAttempts: { total: number } } };
      return body.learner.quizAttempts.total;
    };
    expect(await attempts(second)).toBe(1);
    const again = await submitQuiz(second, { Cookie: cookie });
    expect(again.status).toBe(200);
    cookie = cookieHeader(again.headers.getSetCookie(), cookie);
    expect(await attempts(first)).toBe(2);
    // The home page, rendered by either process, counts the lesson whose quiz was passed.
    for (const site of [first, second]) {
      const home = await fetch(`${site.baseURL}/`, { headers: { Cookie: cookie } });
      expect(await home.text()).toMatch(/data-testid="progress-summary"[^>]*>\s*1 of \d+ lessons/);
    }
  });

  it.each(['sqlite', 'redis'])('share %s demo sessions both ways', async (store) => {
    const set = await demo(first, store, { action: 'set', key: 'from', value: 'first' });
    expect(set.status).toBe(200);
    let cookie = cookieHeader(set.headers.getSetCookie());
    expect(await readDemo(second, store, cookie)).toMatchObject({
      status: 'ok',
      data: { from: 'first' },
    });
    const incremented = await demo(second, store, { action: 'increment' }, { Cookie: cookie });
    expect(incremented.status).toBe(200);
    cookie = cookieHeader(incremented.headers.getSetCookie(), cookie);
    expect(await readDemo(first, store, cookie)).toMatchObject({
      status: 'ok',
      data: { from: 'first', counter: 1 },
    });
  });

  it('do not share the memory store, which lives in one process', async () => {
    const set = await demo(first, 'memory', { action: 'set', key: 'from', value: 'first' });
    const cookie = cookieHeader(set.headers.getSetCookie());
    expect((await readDemo(first, 'memory', cookie)).data).toEqual({ from: 'first' });
    expect(await readDemo(second, 'memory', cookie)).toMatchObject({ status: 'new', data: {} });
  });
});

describe.skipIf(skipPostgres)('two machines sharing one PostgreSQL', () => {
  let postgres: RunningPostgres;
  let first: RunningSite;
  let second: RunningSite;

  beforeAll(async () => {
    postgres = await startPostgres();
    // Separate data directories, as on two machines; one secret, so either reads the learner id.
    const env = { DATABASE_URL: postgres.url, SESSION_SECRET: 'two-machines-0123456789abcdefghij' };
    [first, second] = await Promise.all([startSite(env), startSite(env)]);
  });

  afterAll(async () => {
    await Promise.all([first?.stop(), second?.stop()]);
    await postgres?.remove();
  });

  it('share a PostgreSQL demo session both ways, and log it out everywhere from either', async () => {
    expect(first.dataDir).not.toBe(second.dataDir);
    const set = await demo(first, 'postgres', { action: 'set', key: 'from', value: 'first' });
    expect(set.status).toBe(200);
    let cookie = cookieHeader(set.headers.getSetCookie());
    expect(await readDemo(second, 'postgres', cookie)).toMatchObject({
      status: 'ok',
      data: { from: 'first' },
    });
    const incremented = await demo(second, 'postgres', { action: 'increment' }, { Cookie: cookie });
    expect(incremented.status).toBe(200);
    cookie = cookieHeader(incremented.headers.getSetCookie(), cookie);
    expect(await readDemo(first, 'postgres', cookie)).toMatchObject({
      status: 'ok',
      data: { from: 'first', counter: 1 },
    });

    const revoked = await demo(second, 'postgres', { action: 'revoke-all' }, { Cookie: cookie });
    expect(revoked.status).toBe(200);
    expect(await revoked.text()).toMatch(/Signed out everywhere: 1 session deleted/);
    expect(await readDemo(first, 'postgres', cookie)).toMatchObject({ status: 'new', data: {} });
  });
});

describe('DATA_DIR permissions under a permissive umask (022)', () => {
  const modeOf = async (target: string) => (await stat(target)).mode & 0o777;

  /** Starts a server as a shell with `umask 022` would: the child inherits this process's umask. */
  async function startWithUmask022(options: { dataDir?: string } = {}): Promise<RunningSite> {
    const previous = process.umask(0o022);
    try {
      return await startSite({}, options);
    } finally {
      process.umask(previous);
    }
  }

  it('keeps the directory 0700 and the database, its WAL and session files 0600', async () => {
    const parent = await mkdtemp(path.join(tmpdir(), 'session-lab-umask-'));
    const dataDir = path.join(parent, 'data');
    const site = await startWithUmask022({ dataDir });
    try {
      const saved = await demo(site, 'filesystem', { action: 'set', key: 'answer', value: 'b' });
      expect(saved.status).toBe(200);
      expect((await submitQuiz(site)).status).toBe(200);

      expect(await modeOf(dataDir)).toBe(0o700);
      for (const file of ['session-secret', 'session-lab.sqlite', 'session-lab.sqlite-wal']) {
        expect(await modeOf(path.join(dataDir, file)), file).toBe(0o600);
      }
      expect(await modeOf(path.join(dataDir, 'session-lab.sqlite-shm'))).toBe(0o600);
      const instance = path.join(dataDir, 'instances', '1');
      expect(await modeOf(path.join(dataDir, 'instances'))).toBe(0o700);
      expect(await modeOf(instance)).toBe(0o700);
      const files = (await readdir(instance)).filter((name) => name.endsWith('.json'));
      expect(files).toHaveLength(1);
      expect(await modeOf(path.join(instance, files[0]!))).toBe(0o600);
    } finally {
      await site.stop();
      await rm(parent, { recursive: true, force: true });
    }
  });

  it('tightens a DATA_DIR that other users can read, and says so in the log', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'session-lab-open-'));
    await chmod(dataDir, 0o755);
    await writeFile(path.join(dataDir, 'session-secret'), 's'.repeat(43) + '\n', { mode: 0o644 });
    const site = await startWithUmask022({ dataDir });
    try {
      expect(site.output.join('')).toMatch(
        /Session Lab: .* was open to other users \(mode 0755\); made it 0700\./,
      );
      expect(await modeOf(dataDir)).toBe(0o700);
      expect(await modeOf(path.join(dataDir, 'session-secret'))).toBe(0o600);
      expect(await modeOf(path.join(dataDir, 'session-lab.sqlite'))).toBe(0o600);
    } finally {
      await site.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
