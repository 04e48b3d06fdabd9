/**
 * Starts the built server once for all browser tests. `npm test` builds first; running this
 * project alone needs `npm run build`.
 */
import type { TestProject } from 'vitest/node';
import { startSite } from './server';

declare module 'vitest' {
  export interface ProvidedContext {
    baseURL: string;
    dataDir: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Every test comes from 127.0.0.1; the limits themselves are tested on servers of their own.
  const site = await startSite({
    RATE_LIMIT_DEMO_WRITES: '100000/60',
    RATE_LIMIT_QUIZ: '100000/60',
    RATE_LIMIT_COMPARE: '100000/60',
    COMPARE_INTERVAL: '0',
  });
  project.provide('baseURL', site.baseURL);
  project.provide('dataDir', site.dataDir);
  return () => site.stop();
}
