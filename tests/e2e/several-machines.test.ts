/**
 * Three servers as three machines would run them: each with a DATA_DIR of its own, all with one
 * SESSION_SECRET and pointed at one real PostgreSQL (DATABASE_URL: the site's own data) and one
 * real Redis (REDIS_URL: the rate limits). They must behave as one site: what a learner does
 * through one is seen through the others, an instructor's class and sign-in work everywhere, a
 * limit counts every server's requests, and `kill -9` of one loses nothing it acknowledged.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  serviceSkipReason,
  startServiceFor,
  type ServiceWithSetting,
} from '../../scripts/services/index.ts';
import { correctAnswers, loadQuiz } from './quiz-answers';
import { startSite, type RunningSite } from './server';

const skip = serviceSkipReason('postgres') ?? serviceSkipReason('redis');
if (skip) console.warn(skip);

const token = 'several-machines-instructor-token-0123456789';
const writeLimit = 6;
const quizId = 'signed-cookie';
const quizForm = new URLSearchParams(
  correctAnswers(loadQuiz(quizId)).flatMap(([question, options]) =>
    options.map((option) => [question, option]),
  ),
).toString();

/** The cookie pairs a response set, as a Cookie header. */
function cookiesOf(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((line) => line.split(';', 1)[0]!)
    .join('; ');
}

function submitQuiz(site: RunningSite, cookie?: string): Promise<Response> {
  return fetch(`${site.baseURL}/api/quiz/${quizId}`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      Accept: 'application/json',
      ...(cookie && { Cookie: cookie }),
    },
    body: quizForm,
    signal: AbortSignal.timeout(10_000),
  });
}

async function learnerData(site: RunningSite, cookie: string) {
  const response = await fetch(`${site.baseURL}/api/learner`, { headers: { Cookie: cookie } });
  expect(response.status).toBe(200);
  return (
    (await response.json()) as {
      learner: { quizAttempts: { total: number; listed: { id: number }[] } } | null;
    }
  ).learner;
}

function post(site: RunningSite, route: string, fields: Record<string, string>, cookie = '') {
  return fetch(`${site.baseURL}${route}`, {
    method: 'POST',
    body: new URLSearchParams(fields),
    redirect: 'manual',
    headers: { Origin: site.baseURL, ...(cookie && { Cookie: cookie }) },
  });
}

describe.skipIf(skip)('three servers on one PostgreSQL and one Redis', () => {
  let services: ServiceWithSetting[];
  let sites: RunningSite[];
  let databaseUrl: string;

  beforeAll(async () => {
    services = await Promise.all([startServiceFor('postgres'), startServiceFor('redis')]);
    databaseUrl = services[0]!.value;
    const env = {
      ...Object.fromEntries(services.map(({ variable, value }) => [variable, value])),
      SESSION_SECRET: 'several-machines-secret-0123456789abcdef0123',
      INSTRUCTOR_TOKEN: token,
      // Clients are told apart by X-Forwarded-For below, as behind the machines' load balancer.
      TRUST_PROXY: 'true',
      RATE_LIMIT_DEMO_WRITES: `${writeLimit}/600`,
      RATE_LIMIT_QUIZ: '100000/60',
    };
    // Started together: their migrations of the fresh database meet, as on a real first start.
    sites = await Promise.all([startSite(env), startSite(env), startSite(env)]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all((sites ?? []).map((site) => site.stop()));
    await Promise.all((services ?? []).map(({ service }) => service.remove?.() ?? service.stop()));
  });

  it('runs three processes, each with its own data directory', () => {
    expect(new Set(sites.map((site) => site.pid)).size).toBe(3);
    expect(new Set(sites.map((site) => site.dataDir)).size).toBe(3);
  });

  it('shows a quiz submitted through one server in the progress read through the other two', async () => {
    const [a, b, c] = sites as [RunningSite, RunningSite, RunningSite];
    const submitted = await submitQuiz(a);
    expect(submitted.status).toBe(200);
    const { attemptId } = (await submitted.json()) as { attemptId: number };
    const cookie = cookiesOf(submitted);
    for (const site of [b, c]) {
      const learner = await learnerData(site, cookie);
      expect(learner?.quizAttempts.total).toBe(1);
      expect(learner?.quizAttempts.listed[0]?.id).toBe(attemptId);
    }
  });

  it('lets an instructor create a class on one, a learner join on another, the third count them', async () => {
    const [a, b, c] = sites as [RunningSite, RunningSite, RunningSite];
    const signIn = await post(a, '/instructor/sign-in/', { token });
    expect(signIn.status).toBe(303);
    const instructor = cookiesOf(signIn);
    const created = await post(
      a,
      '/instructor/',
      { action: 'create', name: 'Three machines' },
      instructor,
    );
    expect(created.status).toBe(303);
    const classId = created.headers.get('location')!.split('/').at(-2)!;

    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    const { rows } = await client
      .query<{ code: string }>('SELECT code FROM classroom WHERE id = $1', [classId])
      .finally(() => client.end());
    const code = rows[0]!.code;

    const learner = await submitQuiz(b);
    const joined = await post(b, `/join/${code}/`, { action: 'join' }, cookiesOf(learner));
    expect(joined.status).toBe(303);
    expect(joined.headers.get('location')).toBe(`/join/${code}/?joined`);

    // The instructor's session, made on A, opens the figures on C.
    const figures = await fetch(`${c.baseURL}/api/instructor/classes/${classId}/figures`, {
      headers: { Cookie: instructor },
    });
    expect(figures.status).toBe(200);
    const body = (await figures.json()) as {
      members: number;
      quizzes: { quizId: string; learners: number }[];
    };
    expect(body.members).toBe(1);
    expect(body.quizzes.find((quiz) => quiz.quizId === quizId)?.learners ?? 0).toBe(0);
  });

  it(`reaches a limit of ${writeLimit} demo writes after ${writeLimit} writes spread over the three`, async () => {
    const statuses: number[] = [];
    for (let index = 0; index < writeLimit + 3; index++) {
      const site = sites[index % 3]!;
      const response = await fetch(`${site.baseURL}/api/demo/signed-cookie`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Origin: site.baseURL,
          // One client, new to the limits: no learner cookie, so it counts as its address.
          'X-Forwarded-For': '203.0.113.77',
        },
        body: JSON.stringify({ action: 'set', key: 'n', value: String(index) }),
      });
      statuses.push(response.status);
    }
    expect(statuses.slice(0, writeLimit)).toEqual(Array(writeLimit).fill(200));
    expect(statuses.slice(writeLimit)).toEqual([429, 429, 429]);
  });

  it('loses no acknowledged quiz submission when one server is killed under load', async () => {
    const [a, b, c] = sites as [RunningSite, RunningSite, RunningSite];
    // Twelve learners, each submitting through all three servers in turn until told to stop.
    const acknowledged: { cookie: string; attemptId: number }[] = [];
    const failedOn = { a: 0, b: 0, c: 0 };
    const learner = async (index: number) => {
      let cookie: string | undefined;
      for (let round = 0; round < 6; round++) {
        const site = [a, b, c][(index + round) % 3]!;
        try {
          const response = await submitQuiz(site, cookie);
          if (response.status !== 200) throw new Error(`status ${response.status}`);
          cookie ??= cookiesOf(response);
          const { attemptId } = (await response.json()) as { attemptId: number };
          acknowledged.push({ cookie, attemptId });
        } catch {
          failedOn[site === a ? 'a' : site === b ? 'b' : 'c'] += 1;
        }
        await sleep(20);
      }
    };
    const load = Promise.all(Array.from({ length: 12 }, (_, index) => learner(index)));
    await sleep(250);
    c.signal('SIGKILL');
    await load;
    expect(await c.exited).toMatchObject({ signal: 'SIGKILL' });

    // Only the killed server failed anyone; the other two answered every request.
    expect(failedOn.a + failedOn.b).toBe(0);
    expect(acknowledged.length).toBeGreaterThan(12);
    // Every attempt a server acknowledged is in the learner's history, read through A and B.
    for (const { cookie, attemptId } of acknowledged) {
      const site = attemptId % 2 === 0 ? a : b;
      const learner = await learnerData(site, cookie);
      expect(learner?.quizAttempts.listed.map((attempt) => attempt.id)).toContain(attemptId);
    }
  });
});
