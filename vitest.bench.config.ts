/**
 * `npm run bench` only. The default config (vitest.config.ts) never includes bench/, so the
 * benchmark stays out of `npm test`.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['bench/**/*.bench.ts'],
    environment: 'node',
    // The tables are the output: print them as they are, not wrapped in per-test log headers.
    disableConsoleIntercept: true,
    // gc() between measurements, so one store's garbage is not collected on another's clock.
    execArgv: ['--expose-gc'],
    fileParallelism: false,
    testTimeout: 20 * 60_000,
    hookTimeout: 60_000,
    reporters: [['default', { summary: false }]],
  },
});
