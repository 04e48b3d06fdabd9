/** What every launched service needs: a free loopback port, a pause, and clean-up at exit. */
import { createServer } from 'node:net';

export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not find a free port'));
      });
    });
  });
}

/** Whether nothing listens on `port` yet. */
export function portIsFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const exitHooks = new Set<() => void>();
let exitListening = false;

/**
 * Runs `hook` when the process exits, however it exits short of SIGKILL. Hooks must be
 * synchronous: an `exit` handler cannot wait.
 */
export function onExit(hook: () => void): () => void {
  if (!exitListening) {
    exitListening = true;
    process.once('exit', () => {
      for (const each of exitHooks) {
        try {
          each();
        } catch {
          // the others still run
        }
      }
    });
  }
  exitHooks.add(hook);
  return () => exitHooks.delete(hook);
}
