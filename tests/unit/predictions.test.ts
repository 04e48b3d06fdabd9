/**
 * "Predict, then press": the checkpoints against the lessons that place them, their outcome
 * readers against real presses on the real stores (a real AppContext, real SQLite, real files),
 * and the API's validation and flow through its real handler.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { defaultRaceWorkMs, raceSize } from '../../src/components/demo/race';
import { checkpoints, findCheckpoint } from '../../src/course/predictions';
import { overlappingIncrements, raceWorkMs } from '../../src/course/predictions/concurrency';
import type { PredictionAnswer } from '../../src/course/predictions/answer';
import type { StepResult } from '../../src/course/predictions/types';
import { BrowserCookieJar } from '../../src/lab/browser-cookie-jar';
import { runPress } from '../../src/server/demo/press-runner';
import { LEARNER_SESSION_COOKIE } from '../../src/server/learner/learner-sessions';
import { deleteLearnerData, readLearnerData } from '../../src/server/learner/learner-data';
import { getLearnerProgress } from '../../src/server/learner/progress';
import {
  handlePredictionGet,
  handlePredictionPost,
  judge,
  parsePredictionInput,
} from '../../src/server/demo/prediction-request';
import { createTestApp, type TestApp } from '../support/test-app';

const lessonsDir = path.resolve('content/lessons');

function lessonFrontmatter(file: string): { stores?: string[] } {
  const text = readFileSync(path.join(lessonsDir, file), 'utf8');
  const match = /^---\n([\s\S]*?)\n---/.exec(text);
  return (match ? parseYaml(match[1]!) : {}) as { stores?: string[] };
}

function predictIds(file: string): string[] {
  const text = readFileSync(path.join(lessonsDir, file), 'utf8');
  return [...text.matchAll(/^<Predict id="([^"]+)" \/>$/gm)].map((match) => match[1]!);
}

const lessonFiles = readdirSync(lessonsDir).filter((file) => /\.mdx?$/.test(file));

describe('checkpoints in the lessons', () => {
  const withDemo = lessonFiles.filter((file) => (lessonFrontmatter(file).stores ?? []).length > 0);

  it('finds the lessons with a demo (eleven when this was written)', async () => {
    expect(withDemo.length).toBeGreaterThanOrEqual(11);
  });

  for (const file of withDemo) {
    it(`${file} has at least two <Predict> whose ids exist, for its own lesson and demo stores`, async () => {
      const ids = predictIds(file);
      expect(ids.length).toBeGreaterThanOrEqual(2);
      const lessonId = file.replace(/\.mdx?$/, '');
      const stores = lessonFrontmatter(file).stores ?? [];
      for (const id of ids) {
        const checkpoint = findCheckpoint(id);
        expect(checkpoint, `${file}: <Predict id="${id}" /> names no checkpoint`).toBeDefined();
        expect(checkpoint!.lesson).toBe(lessonId);
        expect(stores).toContain(checkpoint!.store);
      }
      // An imported component, or the MDX build fails.
      expect(readFileSync(path.join(lessonsDir, file), 'utf8')).toContain(
        "import Predict from '../../src/components/lesson/Predict.astro';",
      );
    });
  }

  it('places every checkpoint in its lesson exactly once', async () => {
    const placed = lessonFiles.flatMap(predictIds).sort();
    expect(placed).toEqual(checkpoints.map((checkpoint) => checkpoint.id).sort());
  });

  it('gives every checkpoint at least two distinct options, each with an explanation', async () => {
    for (const checkpoint of checkpoints) {
      const ids = checkpoint.options.map((option) => option.id);
      expect(new Set(ids).size, checkpoint.id).toBe(ids.length);
      expect(ids.length, checkpoint.id).toBeGreaterThanOrEqual(2);
      for (const option of checkpoint.options)
        expect(option.explanation.length).toBeGreaterThan(20);
    }
  });
});

const origin = 'http://127.0.0.1:4321';
let testApp: TestApp;

beforeEach(async () => {
  testApp = await createTestApp({ env: { RATE_LIMIT_DEMO_WRITES: '1000/60' } });
});

afterEach(async () => {
  await testApp.close();
});

/** Presses a checkpoint on a fresh browser (no cookies) through the press runner. */
async function press(id: string, cookie: string | null = null): Promise<StepResult[]> {
  const checkpoint = findCheckpoint(id)!;
  const jar = new BrowserCookieJar(cookie);
  return runPress(
    testApp.app,
    { storeId: checkpoint.store, origin, clientAddress: '192.0.2.7' },
    checkpoint.steps,
    jar,
  );
}

/**
 * What each checkpoint's press shows on this server, as its lesson teaches. Read from real
 * responses of the real stores; a store that behaved otherwise fails here.
 */
const taught: Record<string, string> = {
  'plain-cookie-readable': 'readable',
  'plain-cookie-forged': 'believed',
  'signed-cookie-readable': 'readable',
  'signed-cookie-forged': 'rejected',
  'encrypted-cookie-hidden': 'hidden',
  'encrypted-cookie-flipped': 'rejected',
  'jwt-readable': 'readable',
  'jwt-alg-none': 'rejected',
  'cookie-size-dropped': 'dropped',
  'cookie-size-server-id': 'small',
  'memory-restart': 'lost',
  'memory-other-instance': 'missing',
  'filesystem-restart': 'survives',
  'filesystem-serverless': 'missing',
  'sqlite-wrong-secret': 'refused',
  'sqlite-log-out-everywhere': 'signed-out',
  'concurrency-cookie-race': 'one',
  'security-httponly': 'hidden',
  'security-samesite': 'not-sent',
};

describe('pressing every checkpoint on the real stores', () => {
  for (const checkpoint of checkpoints) {
    it(`${checkpoint.id}: the outcome read from the real responses is one of its options`, async () => {
      const results = await press(checkpoint.id);
      const judged = judge(checkpoint, checkpoint.options[0]!.id, results);
      if (testApp.app.stores.get(checkpoint.store)?.notConfigured) {
        // Not configured in the test app: the demo answers 503 and nothing is guessed.
        expect(results.at(-1)).toMatchObject({ ok: false, status: 503 });
        expect(judged).toMatchObject({ outcome: null, correct: null });
        expect(judged.observed).toMatch(
          /is not running on this server, so the result could not be checked/,
        );
        return;
      }
      expect(
        results.every((result) => result.ok),
        JSON.stringify(results.filter((r) => !r.ok)),
      ).toBe(true);
      const ids = checkpoint.options.map((option) => option.id);
      expect(ids).toContain(judged.outcome);
      expect(judged.observed.length).toBeGreaterThan(10);
      if (taught[checkpoint.id]) expect(judged.outcome).toBe(taught[checkpoint.id]);
    });
  }

  it('races as many increments as the console’s race button', async () => {
    expect(overlappingIncrements).toBe(raceSize);
  });

  it('the memory race reports how far the counter really moved', async () => {
    const results = await press('concurrency-memory-race');
    const counters = results.map((result) => (result.ok ? result.body.data.counter : undefined));
    const moved = Number(counters.at(-1) ?? 0) - Number(counters[0] ?? 0);
    const judged = judge(findCheckpoint('concurrency-memory-race')!, 'all', results);
    expect(judged.observed).toContain(`${moved} of 20 increments`);
    expect(judged.outcome).toBe(moved >= 20 ? 'all' : moved <= 1 ? 'one' : 'some');
    // With simulated work between load and save the increments overlap and lose updates, as the
    // lesson says; every one of them ran.
    expect(results.every((result) => result.ok)).toBe(true);
    expect(moved).toBeLessThan(overlappingIncrements);
  });

  it('the memory race works as long as the console race does by default', async () => {
    expect(raceWorkMs).toBe(defaultRaceWorkMs);
  });
});

describe('outcome readers on answers that fit no option', () => {
  it('a failed step gives no outcome and no verdict, and says what came back', async () => {
    const checkpoint = findCheckpoint('memory-restart')!;
    const results: StepResult[] = [{ ok: false, status: 400, error: 'bad instance' }];
    expect(judge(checkpoint, 'lost', results)).toEqual({
      outcome: null,
      correct: null,
      observed: 'The server’s answers fit none of the options: HTTP 400: bad instance.',
    });
  });

  it('a store that refuses the size reads as "refused"', async () => {
    const checkpoint = findCheckpoint('cookie-size-server-id')!;
    const results: StepResult[] = [{ ok: false, status: 413, error: 'too big' }];
    expect(checkpoint.outcome(results)?.option).toBe('refused');
  });
});

describe('the browser-like cookie jar between the steps of a press', () => {
  it('ignores a cookie over 4096 bytes of name and value, keeping the old one', async () => {
    const jar = new BrowserCookieJar('session=small');
    jar.apply(`session=${'x'.repeat(4090)}; Path=/`);
    expect(jar.get('session')).toBe('small');
    jar.apply(`session=${'x'.repeat(4089)}; Path=/`);
    expect(jar.get('session')).toHaveLength(4089);
  });

  it('deletes on Max-Age=0 or a past Expires', async () => {
    const jar = new BrowserCookieJar('a=1; b=2');
    jar.apply('a=; Max-Age=0; Path=/');
    jar.apply('b=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/');
    expect(jar.header()).toBe('');
  });

  it('hands the browser the last line per name, then the ones it will ignore', async () => {
    const jar = new BrowserCookieJar(null);
    jar.apply('s=1; Path=/');
    jar.apply('s=2; Path=/');
    const big = `s=${'y'.repeat(5000)}; Path=/`;
    jar.apply(big);
    expect(jar.setCookieLines()).toEqual(['s=2; Path=/', big]);
  });
});

describe('parsing what a learner posts', () => {
  const checkpoint = findCheckpoint('memory-restart')!;

  it('takes a known option to commit, and a press without one', async () => {
    expect(parsePredictionInput(checkpoint, { stage: 'commit', option: 'lost' })).toEqual({
      stage: 'commit',
      option: 'lost',
    });
    expect(parsePredictionInput(checkpoint, { option: 'survives' }).stage).toBe('commit-and-press');
    expect(parsePredictionInput(checkpoint, { stage: 'press', option: 'nonsense' })).toEqual({
      stage: 'press',
      option: null,
    });
  });

  it('refuses an unknown option, a missing one, and an unknown stage with 400', async () => {
    for (const fields of [
      { stage: 'commit', option: 'maybe' },
      { stage: 'commit' },
      { option: ['lost'] },
      { stage: 'guess', option: 'lost' },
    ]) {
      expect(() => parsePredictionInput(checkpoint, fields)).toThrow(
        expect.objectContaining({ status: 400 }),
      );
    }
  });
});

function post(
  store: string,
  checkpoint: string,
  body: string,
  headers: Record<string, string> = {},
) {
  const url = `${origin}/api/demo/${store}/predictions/${checkpoint}`;
  return handlePredictionPost(testApp.app, {
    request: new Request(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...headers },
      body,
    }),
    url: new URL(url),
    clientAddress: '192.0.2.9',
    params: { store, checkpoint },
  });
}

function cookiesOf(response: Response, previous = ''): string {
  const jar = new BrowserCookieJar(previous || null);
  for (const line of response.headers.getSetCookie()) jar.apply(line);
  return jar.header();
}

describe('the prediction API', () => {
  it('404 JSON for an unknown checkpoint, or one asked for under another store', async () => {
    for (const [store, id] of [
      ['memory', 'no-such-checkpoint'],
      ['filesystem', 'memory-restart'],
    ] as const) {
      const response = await post(store, id, '{"stage":"commit","option":"lost"}');
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({
        error: expect.stringContaining('unknown checkpoint'),
      });
    }
  });

  it('400 JSON for an option the checkpoint does not have', async () => {
    const response = await post('memory', 'memory-restart', '{"stage":"commit","option":"maybe"}');
    expect(response.status).toBe(400);
    expect((await response.json()).error).toMatch(/"option" must be one of: survives, lost/);
  });

  it('403 for a post from another site, 413 for a body over the bound, 415 for plain text', async () => {
    expect(
      (
        await post('memory', 'memory-restart', '{"option":"lost"}', {
          Origin: 'https://evil.example',
        })
      ).status,
    ).toBe(403);
    const big = JSON.stringify({ option: 'lost', pad: 'x'.repeat(20_000) });
    expect((await post('memory', 'memory-restart', big)).status).toBe(413);
    expect(
      (await post('memory', 'memory-restart', 'option=lost', { 'Content-Type': 'text/plain' }))
        .status,
    ).toBe(415);
  });

  it('409 for a press before any prediction was committed', async () => {
    const response = await post('memory', 'memory-restart', '{"stage":"press"}');
    expect(response.status).toBe(409);
    expect((await response.json()).error).toMatch(/commit a prediction first/);
  });

  it('commit, then press: recorded for the learner, the lesson started, the outcome real', async () => {
    const committed = await post(
      'memory',
      'memory-restart',
      '{"stage":"commit","option":"survives"}',
    );
    expect(committed.status).toBe(200);
    const commitAnswer = (await committed.json()) as PredictionAnswer;
    expect(commitAnswer).toMatchObject({
      checkpoint: 'memory-restart',
      predicted: 'survives',
      press: null,
    });
    const cookie = cookiesOf(committed);
    expect(cookie).toContain(`${LEARNER_SESSION_COOKIE}=`);

    const pressed = await post('memory', 'memory-restart', '{"stage":"press"}', { Cookie: cookie });
    expect(pressed.status).toBe(200);
    const answer = (await pressed.json()) as PredictionAnswer;
    expect(answer.press).toMatchObject({ outcome: 'lost', correct: false });
    expect(answer.press!.observed).toMatch(
      /counter was 1; the read after it came back with status “new” and counter 0/,
    );
    // The browser gets the memory store's cookie the press set.
    expect(
      pressed.headers
        .getSetCookie()
        .some(
          (line) => line.startsWith('memory_session') || line.includes('Path=/api/demo/memory'),
        ),
    ).toBe(true);

    const { db } = testApp.app;
    const learnerId = testApp.app.sqliteFile
      .prepare<[], string>('SELECT id FROM learner')
      .pluck()
      .get()!;
    const data = (await readLearnerData(db, learnerId))!;
    expect(data.predictions).toEqual([
      expect.objectContaining({
        checkpointId: 'memory-restart',
        predicted: 'survives',
        outcome: 'lost',
        correct: false,
      }),
    ]);
    expect(
      (await getLearnerProgress(db, learnerId, { memory: 'memory' })).lessons.memory?.visited,
    ).toBe(true);

    const deletion = await deleteLearnerData(
      {
        db,
        stores: testApp.app.stores,
        instances: testApp.app.instances,
      },
      learnerId,
    );
    expect(deletion.rows.predictions).toBe(1);
    expect(testApp.app.sqliteFile.prepare('SELECT count(*) FROM prediction').pluck().get()).toBe(0);
  });

  it('GET answers the learner’s prediction here, or null for a browser with none', async () => {
    const url = `${origin}/api/demo/memory/predictions/memory-restart`;
    const get = (cookie?: string) =>
      handlePredictionGet(testApp.app, {
        request: new Request(url, { headers: cookie ? { Cookie: cookie } : {} }),
        url: new URL(url),
        clientAddress: '192.0.2.9',
        params: { store: 'memory', checkpoint: 'memory-restart' },
      });
    expect(await (await get()).json()).toEqual({ prediction: null });
    const committed = await post('memory', 'memory-restart', '{"stage":"commit","option":"lost"}');
    const answer = (await (await get(cookiesOf(committed))).json()) as {
      prediction: PredictionAnswer;
    };
    expect(answer.prediction).toMatchObject({ predicted: 'lost', press: null });
    const unknown = await handlePredictionGet(testApp.app, {
      request: new Request(url),
      url: new URL(url),
      clientAddress: '192.0.2.9',
      params: { store: 'memory', checkpoint: 'nope' },
    });
    expect(unknown.status).toBe(404);
  });

  it('a form post without JavaScript commits and presses, then 303s to the result page', async () => {
    const url = `${origin}/api/demo/sqlite/predictions/sqlite-wrong-secret`;
    const response = await handlePredictionPost(testApp.app, {
      request: new Request(url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          Accept: 'text/html,application/xhtml+xml',
          Origin: origin,
        },
        body: 'stage=commit-and-press&option=found',
      }),
      url: new URL(url),
      clientAddress: '192.0.2.9',
      params: { store: 'sqlite', checkpoint: 'sqlite-wrong-secret' },
    });
    expect(response.status).toBe(303);
    expect(response.headers.get('Location')).toBe('/predictions/sqlite-wrong-secret/#result');
    const row = testApp.app.sqliteFile
      .prepare<[], { predicted: string; outcome: string; correct: number }>(
        'SELECT predicted, outcome, correct FROM prediction',
      )
      .get();
    expect(row).toEqual({ predicted: 'found', outcome: 'refused', correct: 0 });
  });

  it('a refused form post comes back to the result page saying why', async () => {
    const url = `${origin}/api/demo/sqlite/predictions/sqlite-wrong-secret`;
    const response = await handlePredictionPost(testApp.app, {
      request: new Request(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'text/html' },
        body: 'stage=commit-and-press',
      }),
      url: new URL(url),
      clientAddress: '192.0.2.9',
      params: { store: 'sqlite', checkpoint: 'sqlite-wrong-secret' },
    });
    expect(response.status).toBe(303);
    expect(response.headers.get('Location')).toBe(
      '/predictions/sqlite-wrong-secret/?refused=400#result',
    );
  });
});
