/**
 * Start-up of the built server (src/server/platform/serve.ts, built as dist/server/entry.mjs): a bad
 * setting stops it before it listens, with exit status 1 and a message naming the variable, and a
 * port already taken stops it with a message saying so; neither leaves a process running.
 */
import { createServer } from 'node:net';
import { expect, it } from 'vitest';
import { freePort, runUntilExit } from './server';

it.each([
  ['PORT', { PORT: '80a' }],
  ['SESSION_SECRET', { SESSION_SECRET: 'shorter-than-32-characters' }],
  ['RATE_LIMIT_QUIZ', { RATE_LIMIT_QUIZ: 'lots' }],
  ['TRUST_PROXY', { TRUST_PROXY: 'maybe' }],
  ['WORKERS', { WORKERS: 'many' }],
  ['WORKERS', { WORKERS: '0' }],
])('stops with status 1 naming %s when its value is invalid', async (variable, env) => {
  const port = String(await freePort());
  const { code, signal, output } = await runUntilExit({ PORT: port, ...env });
  expect({ code, signal }, output).toEqual({ code: 1, signal: null });
  expect(output).toContain(`Session Lab cannot start. Invalid ${variable}:`);
  expect(output).not.toMatch(/listening on/);
});

it.each([['1'], ['2']])(
  'stops with status 1 when its port is taken, saying which (WORKERS=%s)',
  async (workers) => {
    const taken = createServer();
    const port = await new Promise<number>((resolve) =>
      taken.listen(0, '127.0.0.1', () => resolve((taken.address() as { port: number }).port)),
    );
    try {
      const { code, signal, output } = await runUntilExit({ PORT: String(port), WORKERS: workers });
      expect({ code, signal }, output).toEqual({ code: 1, signal: null });
      expect(output).toContain(`Session Lab cannot listen on 127.0.0.1:${port}.`);
      expect(output).toMatch(/EADDRINUSE/);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  },
);
