/**
 * kill -9 in the middle of writes: sessions in the SQLite and filesystem stores are incremented
 * and quizzes submitted while the process is killed without warning; after a restart on the same
 * data directory every write the server acknowledged (answered 200) must still be there.
 *
 * Each session has one writer, so its counter only grows and "≥ the highest acknowledged value"
 * is exact: two writers on one session race (load, increment, save) and may lower it, which is
 * a lost update the concurrency lesson teaches, not a lost acknowledged write.
 */
import { cookieHeader } from './cookies';
import { json, NoResponseError, send, type RawRequest } from './http-client';
import type { LiveSite } from './live-site';
import { demoRead, demoWrite, quizSubmission, type DemoBody } from './site-requests';

export interface KillOptions {
  stores: string[];
  /** Sessions per store, each with its own writer. */
  sessionsPerStore: number;
  /** Learners submitting quizzes, each one at a time. */
  learners: number;
  /** How long the writes run before the kill. */
  killAfterMs: number;
  quizId: string;
}

export interface KillReport {
  /** Writes answered 200 before the kill. */
  acknowledged: number;
  /** Acknowledged writes not found after the restart, described. */
  lost: string[];
  /** How long the restart on the same data directory took. */
  restartMs: number;
}

interface Writer {
  label: string;
  cookies: string;
  next(): RawRequest;
  /** Takes a 200 answer: remembers what it acknowledged, and any new cookies. */
  acknowledge(body: unknown, setCookies: string[]): void;
  verify(site: LiveSite): Promise<string[]>;
}

export async function killDuringWrites(site: LiveSite, options: KillOptions): Promise<KillReport> {
  const writers = [
    ...options.stores.flatMap((store) =>
      Array.from({ length: options.sessionsPerStore }, (_, index) => counterWriter(store, index)),
    ),
    ...Array.from({ length: options.learners }, (_, index) => quizWriter(options.quizId, index)),
  ];
  let acknowledged = 0;
  let killed = false;
  const failures: string[] = [];
  const loops = writers.map(async (writer) => {
    while (!killed) {
      try {
        const response = await send(site.port, writer.next(), 10_000);
        if (response.status !== 200) {
          failures.push(`${writer.label}: ${response.status} ${response.body.toString()}`);
          return;
        }
        // An answer that arrives after the kill signal was still acknowledged by the server.
        writer.acknowledge(json(response), response.setCookies);
        acknowledged += 1;
      } catch (error) {
        if (!(error instanceof NoResponseError && killed))
          failures.push(`${writer.label}: ${error}`);
        return;
      }
    }
  });
  await new Promise((resolve) => setTimeout(resolve, options.killAfterMs));
  killed = true;
  site.running.signal('SIGKILL');
  await site.running.exited;
  await Promise.all(loops);
  if (failures.length > 0)
    throw new Error(`writes failed before the kill:\n${failures.join('\n')}`);

  const restartStarted = Date.now();
  await site.ensureRunning();
  const restartMs = Date.now() - restartStarted;
  const lost = (await Promise.all(writers.map((writer) => writer.verify(site)))).flat();
  return { acknowledged, lost, restartMs };
}

function counterWriter(store: string, index: number): Writer {
  let highest = 0;
  const writer: Writer = {
    label: `${store} session ${index + 1}`,
    cookies: '',
    next: () => demoWrite(store, { action: 'increment' }, writer.cookies),
    acknowledge(body, setCookies) {
      writer.cookies = cookieHeader(setCookies, writer.cookies);
      highest = Math.max(highest, Number((body as DemoBody).data.counter));
    },
    async verify(site) {
      if (highest === 0) return [];
      const response = await send(site.port, demoRead(store, writer.cookies));
      const body = json<DemoBody>(response);
      const counter = Number(body.data?.counter ?? 0);
      return body.status === 'ok' && counter >= highest
        ? []
        : [`${writer.label}: acknowledged ${highest}, found ${body.status} counter ${counter}`];
    },
  };
  return writer;
}

function quizWriter(quizId: string, index: number): Writer {
  const attempts: number[] = [];
  const writer: Writer = {
    label: `learner ${index + 1}`,
    cookies: '',
    next: () => quizSubmission(quizId, writer.cookies),
    acknowledge(body, setCookies) {
      writer.cookies = cookieHeader(setCookies, writer.cookies);
      attempts.push((body as { attemptId: number }).attemptId);
    },
    async verify(site) {
      if (attempts.length === 0) return [];
      const response = await send(site.port, {
        method: 'GET',
        path: '/api/learner',
        headers: { Cookie: writer.cookies },
      });
      const { learner } = json<LearnerBody>(response);
      const found = new Set(learner?.quizAttempts.listed.map((attempt) => attempt.id) ?? []);
      const missing = attempts.filter((id) => !found.has(id));
      // The list holds the newest 200 rows; older ones are only counted in `total`. Writes are
      // sequential, so the rows are the acknowledged attempts in order, then at most the one a
      // request committed before the kill cut off its answer.
      const total = learner?.quizAttempts.total ?? 0;
      const listedFrom = Math.max(0, total - 200);
      const lost = missing.filter((id) => attempts.indexOf(id) >= listedFrom);
      if (total < attempts.length) {
        return [`${writer.label}: ${attempts.length} attempts acknowledged, ${total} kept`];
      }
      return lost.length === 0
        ? []
        : [`${writer.label}: acknowledged attempts ${lost.join(', ')} are gone`];
    },
  };
  return writer;
}

interface LearnerBody {
  learner: { quizAttempts: { total: number; listed: { id: number }[] } } | null;
}
