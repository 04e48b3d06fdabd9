/**
 * The console's request log and the order requests go out in. Requests normally go one at a
 * time, so every action sees the cookies the previous one set; a race sends a batch together on
 * purpose. Either way the log lists exchanges in the order they were sent. Each exchange also goes
 * into the page's one log, which the inspector drawer shows for every demo on the page.
 */
import type { DemoAction } from '../../lab/demo-api';
import { sendDemoRequest, type DemoMethod, type DemoTarget, type Exchange } from './exchange';
import { pageLog } from './page-log.svelte';

/** Old exchanges are dropped past this many, so a long session cannot grow the page forever. */
const maxLogLength = 200;

export class DemoRunner {
  exchanges = $state.raw<Exchange[]>([]);
  pending = $state(0);
  /** Set when the page itself failed (not a request): a bug, shown so it is not silent. */
  pageError = $state('');

  readonly #target: () => Omit<DemoTarget, 'tag'>;
  #queue: Promise<unknown> = Promise.resolve();

  /** `target` is read when a request is queued, so a later change of instance does not move it. */
  constructor(target: () => Omit<DemoTarget, 'tag'>) {
    this.#target = target;
  }

  /** Queues one request after everything queued before it. */
  send(method: DemoMethod, body?: DemoAction): Promise<Exchange | null> {
    const target = this.#target();
    return this.#enqueue(async () => {
      const exchange = await sendDemoRequest(target, method, body);
      this.#log([exchange]);
      return exchange;
    });
  }

  /**
   * Queues `count` identical requests that go out together (after everything queued before),
   * each with its own URL tag so each finds its own timing entry.
   */
  sendTogether(count: number, method: DemoMethod, body?: DemoAction): Promise<Exchange[] | null> {
    const target = this.#target();
    // One race, one write against the rate limit (see server/race-admission.ts).
    const id = Array.from(crypto.getRandomValues(new Uint8Array(12)), (byte) =>
      byte.toString(16).padStart(2, '0'),
    ).join('');
    const race = `${id}/${count}`;
    return this.#enqueue(async () => {
      const batch = await Promise.all(
        Array.from({ length: count }, (_, index) =>
          sendDemoRequest({ ...target, tag: String(index + 1), race }, method, body),
        ),
      );
      this.#log(batch.toSorted((a, b) => a.seq - b.seq));
      return batch;
    });
  }

  #enqueue<T>(task: () => Promise<T>): Promise<T | null> {
    this.pending++;
    const run = this.#queue.then(task).then(
      (result) => {
        this.pending--;
        return result;
      },
      (failure: unknown) => {
        // The queue must survive: a rejected link would silently skip every later request.
        this.pending--;
        this.pageError = `Something went wrong in the page: ${failure instanceof Error ? failure.message : String(failure)}`;
        return null;
      },
    );
    this.#queue = run;
    return run;
  }

  #log(batch: Exchange[]): void {
    this.pageError = '';
    this.exchanges = [...this.exchanges, ...batch].slice(-maxLogLength);
    pageLog.record(batch);
  }
}
