/**
 * The built site as a process the reliability tests may crash: it notices when the process died,
 * and starts it again on the same data directory when asked, so one fatal request fails one
 * check instead of every check after it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startSite, type RunningSite } from '../../e2e/server';
import { send } from './http-client';

/** Limits far above what a test sends, so every request reaches the code under test. */
export const generousLimits: Record<string, string> = {
  RATE_LIMIT_DEMO_WRITES: '1000000/60',
  RATE_LIMIT_QUIZ: '1000000/60',
  RATE_LIMIT_SIGN_IN: '1000000/60',
};

export interface Death {
  /** What was being sent when the process died. */
  during: string;
  /** How it exited, and the end of what it printed. */
  exit: string;
}

export class LiveSite {
  readonly deaths: Death[] = [];
  /** Which process this is: 0 for the first, one more after each restart. */
  generation = 0;
  #site: RunningSite;
  #exited = false;
  #restarting: Promise<void> | null = null;
  #deathClaimed = -1;

  private constructor(
    site: RunningSite,
    readonly env: Record<string, string>,
    readonly dataDir: string,
  ) {
    this.#site = site;
    this.#watch(site);
  }

  static async start(env: Record<string, string> = {}): Promise<LiveSite> {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'session-lab-reliability-'));
    const site = await startSite(env, { dataDir });
    return new LiveSite(site, env, dataDir);
  }

  get port(): number {
    return this.#site.port;
  }

  get baseURL(): string {
    return this.#site.baseURL;
  }

  get pid(): number {
    return this.#site.pid;
  }

  get running(): RunningSite {
    return this.#site;
  }

  /**
   * Whether the process is still up and answering. A crash on a request may exit a moment after
   * the connection broke, so this asks the process rather than trusting the last answer.
   */
  async alive(): Promise<boolean> {
    if (this.#exited) return false;
    try {
      const health = await send(this.port, { method: 'GET', path: '/healthz' }, 5_000);
      return health.status === 200 && !this.#exited;
    } catch {
      // Give the exit event a moment to arrive, then trust it.
      await new Promise((resolve) => setTimeout(resolve, 200));
      return false;
    }
  }

  /** Records a death with what caused it; the next `ensureRunning` starts a new process. */
  recordDeath(during: string): Death {
    const tail = this.#site.output.join('').split('\n').slice(-12).join('\n');
    const death = { during, exit: tail.trim() };
    this.deaths.push(death);
    this.#deathClaimed = this.generation;
    return death;
  }

  /**
   * With several clients at once, every request in flight sees the same death: the first to ask
   * for `generation` gets true and assigns the blame; the others were collateral.
   */
  claimDeath(generation: number): boolean {
    if (generation !== this.generation || this.#deathClaimed === generation) return false;
    this.#deathClaimed = generation;
    return true;
  }

  /** Starts a new process on the same data directory if this one died; one restart at a time. */
  async ensureRunning(): Promise<void> {
    while (this.#restarting) await this.#restarting;
    const generation = this.generation;
    if (!this.#exited && (await this.alive())) return;
    // Another caller restarted it while this one was asking the old process.
    if (this.generation !== generation) return this.ensureRunning();
    this.#restarting ??= this.#restart().finally(() => {
      this.#restarting = null;
    });
    await this.#restarting;
  }

  async #restart(): Promise<void> {
    this.#site.signal('SIGKILL');
    await this.#site.exited;
    this.#site = await startSite(this.env, { dataDir: this.dataDir });
    this.#exited = false;
    this.generation += 1;
    this.#watch(this.#site);
  }

  /** Stops the process and removes its data directory. */
  async stop(): Promise<void> {
    await this.#site.stop();
    await rm(this.dataDir, { recursive: true, force: true });
  }

  #watch(site: RunningSite): void {
    void site.exited.then(() => {
      if (site === this.#site) this.#exited = true;
    });
  }
}
