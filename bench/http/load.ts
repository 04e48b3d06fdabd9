/**
 * A small HTTP load generator for `npm run bench:http`: a fixed number of connections, each
 * sending its next request as soon as the last answer arrived, for a fixed time.
 *
 * Why not autocannon: one more dependency tree for a few dozen lines, and this one goes through
 * `node:http`'s keep-alive agent, which behaves the same for every target: it keeps a Node
 * server's connections open and opens a new one whenever a server closes it, as gunicorn's
 * sync workers do after every response. The price is a client that costs more CPU per request
 * than autocannon's hand-written one, on the same cores as the servers: every row pays it alike.
 */
import { Agent, request } from 'node:http';

export interface LoadOptions {
  url: string;
  headers?: Record<string, string>;
  connections: number;
  durationMs: number;
}

export interface LoadResult {
  /** Answers with status 200: the only ones counted in the rate and the latencies. */
  requests: number;
  /** Answers with a status other than 200, and requests that failed outright. */
  errors: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/** The most latencies kept; past it the run still counts requests (a bound on memory). */
const maxSamples = 2_000_000;

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const target = new URL(options.url);
  if (target.hostname !== '127.0.0.1') throw new Error('bench:http only loads 127.0.0.1');
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const latencies = new Float64Array(maxSamples);
  let requests = 0;
  let errors = 0;
  const started = performance.now();
  const deadline = started + options.durationMs;

  const one = () =>
    new Promise<void>((resolve) => {
      const sent = performance.now();
      const outgoing = request(target, { agent, headers: options.headers }, (response) => {
        response.on('data', () => {});
        response.on('end', () => {
          if (response.statusCode !== 200) {
            errors++;
          } else {
            if (requests < maxSamples) latencies[requests] = performance.now() - sent;
            requests++;
          }
          resolve();
        });
      });
      outgoing.on('error', () => {
        errors++;
        resolve();
      });
      outgoing.end();
    });

  const connection = async () => {
    while (performance.now() < deadline) await one();
  };
  await Promise.all(Array.from({ length: options.connections }, connection));
  const elapsedMs = performance.now() - started;
  agent.destroy();

  const kept = latencies.subarray(0, Math.min(requests, maxSamples)).sort();
  const at = (quantile: number) =>
    kept[Math.min(kept.length - 1, Math.floor(kept.length * quantile))] ?? NaN;
  return {
    requests,
    errors,
    requestsPerSecond: (requests / elapsedMs) * 1000,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
  };
}
