#!/usr/bin/env node
// `npm start`: build when the build is missing or older than the sources, then serve it.
// Instructors run `npm run build` once and `npm run serve` instead.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

// npm scripts run the Node the project installs (node_modules/.bin/node); anything older than
// Astro's minimum means it was started some other way, which deserves a clear word.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(
    `Session Lab needs Node 22.12 or newer; this is Node ${process.versions.node}.\n` +
      'Run "npm install" and then "npm start": npm scripts use the Node 24 the project installs.',
  );
  process.exit(1);
}

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
