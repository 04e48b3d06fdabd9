/**
 * A broken lesson or quiz must stop the build with a message naming the file and the field.
 * Each case breaks one file in a copy of the project and runs Astro for real.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const projectFiles = [
  'src',
  'content',
  'quizzes',
  'public',
  'astro.config.mjs',
  'package.json',
  'tsconfig.json',
  'svelte.config.js',
];
const copies: string[] = [];

function copyProject(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'session-lab-content-'));
  for (const file of projectFiles) cpSync(file, path.join(dir, file), { recursive: true });
  symlinkSync(path.resolve('node_modules'), path.join(dir, 'node_modules'));
  copies.push(dir);
  return dir;
}

function edit(dir: string, file: string, change: (text: string) => string): void {
  const target = path.join(dir, file);
  const before = readFileSync(target, 'utf8');
  const after = change(before);
  expect(after, `the edit of ${file} changed nothing`).not.toBe(before);
  writeFileSync(target, after);
}

function astro(dir: string, command: 'sync' | 'build'): { status: number | null; output: string } {
  const result = spawnSync(
    process.execPath,
    [path.resolve('node_modules/astro/bin/astro.mjs'), command],
    {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      timeout: 120_000,
    },
  );
  return { status: result.status, output: `${result.stdout}\n${result.stderr}` };
}

afterEach(() => {
  for (const dir of copies.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('broken content fails the build with a message naming the file and field', () => {
  it('a question with no correct option', () => {
    const dir = copyProject();
    edit(dir, 'quizzes/signed-cookie.yaml', (text) =>
      text.replaceAll('correct: true', 'correct: false'),
    );
    const { status, output } = astro(dir, 'sync');
    expect(status).not.toBe(0);
    expect(output).toMatch(/quizzes\/signed-cookie\.yaml/);
    expect(output).toMatch(/questions\.0\.options: no option is marked correct/);
  });

  it('a duplicate question id', () => {
    const dir = copyProject();
    edit(dir, 'quizzes/why-sessions.yaml', (text) => {
      const ids = [...text.matchAll(/^ {2}- id: (\S+)$/gm)].map((match) => match[1]);
      return text.replace(`  - id: ${ids[1]}`, `  - id: ${ids[0]}`);
    });
    const { status, output } = astro(dir, 'sync');
    expect(status).not.toBe(0);
    expect(output).toMatch(/quizzes\/why-sessions\.yaml/);
    expect(output).toMatch(/questions\.1\.id: duplicate question id/);
  });

  it('an unknown store id in a lesson', () => {
    const dir = copyProject();
    edit(dir, 'content/lessons/signed-cookie.mdx', (text) =>
      text.replace('stores: [signed-cookie]', 'stores: [cookie-jar]'),
    );
    const { status, output } = astro(dir, 'sync');
    expect(status).not.toBe(0);
    expect(output).toMatch(/content\/lessons\/signed-cookie\.mdx/);
    expect(output).toMatch(/stores\.0/);
  });

  it('a lesson naming a quiz that does not exist', () => {
    const dir = copyProject();
    edit(dir, 'content/lessons/why-sessions.md', (text) =>
      text.replace('quiz: why-sessions', 'quiz: no-such-quiz'),
    );
    const { status, output } = astro(dir, 'build');
    expect(status).not.toBe(0);
    expect(output).toMatch(/content\/lessons\/why-sessions: field "quiz" names "no-such-quiz"/);
  });
});
