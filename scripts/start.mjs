#!/usr/bin/env node
// `npm start`: build when the build is missing or older than the sources, then serve it.
// Instructors run `npm run build` once and `npm run serve` instead.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const entry = 'dist/server/entry.mjs';
const sources = ['src', 'content', 'quizzes', 'public', 'astro.config.mjs', 'package.json'];

function newestChange(target) {
  if (!existsSync(target)) return 0;
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(target).reduce(
    (newest, name) => Math.max(newest, newestChange(path.join(target, name))),
    stat.mtimeMs,
  );
}

const builtAt = existsSync(entry) ? statSync(entry).mtimeMs : 0;
if (builtAt < Math.max(...sources.map(newestChange))) {
  console.log('Building Session Lab (first start or sources changed)…');
  const build = spawnSync('npm', ['run', 'build'], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status || 1);
}
await import(path.resolve(entry));
