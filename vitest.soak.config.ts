/**
 * `npm run soak` only. The default config (vitest.config.ts) never includes bench/, so the soak
 * stays out of `npm test`; the reliability suite there runs the same checks, briefly.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['bench/**/*.soak.ts'],
    environment: 'node',
    // The table is the output: print it as it is, not wrapped in per-test log headers.
    disableConsoleIntercept: true,
    hookTimeout: 60_000,
    reporters: [['default', { summary: false }]],
  },
});
