/**
 * The README's promise: `npm start` serves the course with the machine's own npm and Node, however
 * old that Node is (this machine's is 20), because the project brings the Node its scripts run.
 * The test removes every project `node_modules/.bin` from PATH, so `npm` and `node` are the
 * machine's, exactly as a newcomer's shell has them.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { freePort } from './server';

function machinePath(): string {
  return (process.env.PATH ?? '')
    .split(path.delimiter)
    .filter(
      (entry) => !entry.includes(`node_modules${path.sep}`) && !entry.endsWith('node_modules'),
    )
    .join(path.delimiter);
}

it('serves the course and the SQLite demo through `npm start` on the machine’s own npm', async () => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'session-lab-readme-'));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: machinePath(),
    HOST: '127.0.0.1',
    PORT: String(port),
    DATA_DIR: dataDir,
  };
  for (const name of Object.keys(env)) if (name.startsWith('npm_')) delete env[name];
  const started = spawn('npm', ['start'], {
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  started.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  started.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const base = `http://127.0.0.1:${port}`;
  try {
    const deadline = Date.now() + 45_000;
    let home: Response | null = null;
    while (Date.now() < deadline && started.exitCode === null) {
      home = await fetch(`${base}/`, { signal: AbortSignal.timeout(1_000) }).catch(() => null);
      if (home) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(home?.status, output.join('')).toBe(200);
    const demo = await fetch(`${base}/api/demo/sqlite`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ action: 'increment' }),
    });
    expect(demo.status, output.join('')).toBe(200);
    expect(((await demo.json()) as { data: { counter: number } }).data.counter).toBe(1);
  } finally {
    if (started.pid !== undefined && started.exitCode === null) {
      const exited = new Promise((resolve) => started.once('exit', resolve));
      process.kill(-started.pid, 'SIGTERM');
      await exited;
    }
    await rm(dataDir, { recursive: true, force: true });
  }
});
