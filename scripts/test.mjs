#!/usr/bin/env node
// `npm test`: formatting, lint, type checks, a production build, then every Vitest project
// (unit, integration, browser, reliability). Stops at the first failing step; the Vitest JSON report lands in
// reports/vitest.json for CI to count.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';

const steps = [
  ['Formatting', 'prettier', ['--check', '.']],
  ['Lint', 'eslint', ['.']],
  ['Type check', 'astro', ['check']],
  ['Build', 'npm', ['run', 'build']],
  [
    'Tests',
    'vitest',
    ['run', '--reporter=default', '--reporter=json', '--outputFile.json=reports/vitest.json'],
  ],
];

mkdirSync('reports', { recursive: true });
for (const [label, command, args] of steps) {
  console.log(`\n▶ ${label}: ${command} ${args.join(' ')}`);
  const [program, programArgs] =
    command === 'npm' ? ['npm', args] : ['npx', ['--no-install', command, ...args]];
  const result = spawnSync(program, programArgs, { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`\n✖ ${label} failed (exit ${result.status ?? result.signal}).`);
    process.exit(result.status || 1);
  }
}
