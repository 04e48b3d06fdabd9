/**
 * What the learner's presses did: each demo action sent through the runner (one request, or an
 * action and the read that shows its effect), and what the console says about it afterwards —
 * the notice, the alert, the race's summary. The forms call these methods; the result view and
 * the result strip read the state.
 */
import type { DemoAction, DemoResponse } from '../../lab/demo-api';
import { DemoRunner } from './demo-runner.svelte';
import type { DemoMethod, DemoTarget, Exchange } from './exchange';
import { instanceLabel } from './exchange-format';
import { describeFailure, restartOutcome, tamperOutcome, type Notice } from './outcomes';
import { raceSize, summarizeRace, type RaceSettings, type RaceSummary } from './race';

function lines(...items: (string | null | undefined)[]): string[] {
  return items.filter((item): item is string => Boolean(item));
}

export class DemoSession {
  readonly runner: DemoRunner;
  alertMessage = $state('');
  notice = $state<Notice | null>(null);
  raceSummary = $state<RaceSummary | null>(null);
  raceRunning = $state(false);
  /**
   * The last exchange logged before the latest action began: the result strip compares the
   * session after the action with the one this exchange (or an earlier report) showed.
   */
  actionStartSeq = $state(0);
  /** How many actions the learner has started; the strip appears after the first. */
  actionCount = $state(0);

  readonly exchanges = $derived.by(() => this.runner.exchanges);
  readonly pending = $derived.by(() => this.runner.pending);
  readonly lastReport = $derived.by(
    () => this.exchanges.findLast((item) => item.response !== null) ?? null,
  );
  readonly latest = $derived.by(() => this.exchanges.at(-1) ?? null);
  readonly session = $derived.by(() => this.lastReport?.response ?? null);
  readonly latestFailure = $derived.by(() => (this.latest ? describeFailure(this.latest) : null));
  readonly unavailable = $derived.by(() =>
    this.latestFailure?.kind === 'unavailable' ? this.latestFailure.text : null,
  );
  readonly shownAlert = $derived.by(() => this.alertMessage || this.runner.pageError);

  /** `target` is read when a request is queued, so a later change of instance does not move it. */
  constructor(target: () => Omit<DemoTarget, 'tag'>) {
    this.runner = new DemoRunner(target);
  }

  /**
   * A new action replaces what the last one said. `counted`: a press of the learner's, which the
   * result strip reports; the page's own reads (on load, after a checkpoint) are not.
   */
  begin(counted = true) {
    this.alertMessage = '';
    this.notice = null;
    if (counted) {
      this.actionCount++;
      // Queued ahead of the action's own requests, so it settles before any of them is logged.
      void this.runner.mark().then((seq) => {
        if (seq !== null) this.actionStartSeq = seq;
      });
    }
  }

  /** A form's own check failed: nothing was sent, and the alert says why. */
  refuse(message: string) {
    this.alertMessage = message;
  }

  /**
   * Shows what went wrong with a request, if anything, and returns its report. A 409 is the
   * store explaining what it cannot do: a lesson under `lessonTitle`, not an error. A 503 shows
   * in the status line, where the session would be.
   */
  settle(exchange: Exchange | null, lessonTitle = 'Not possible here'): DemoResponse | null {
    if (!exchange) return null;
    const failure = describeFailure(exchange);
    if (!failure) return exchange.response;
    if (failure.kind === 'teaching') {
      this.notice = { tone: 'lesson', title: lessonTitle, lines: [failure.text] };
    } else if (failure.kind !== 'unavailable') {
      this.alertMessage = failure.text;
    }
    return null;
  }

  async act(method: DemoMethod, body?: DemoAction, counted = true) {
    this.begin(counted);
    const exchange = await this.runner.send(method, body);
    const done = this.settle(exchange);
    if (exchange && done?.notice) {
      this.notice = { tone: 'info', title: exchange.actionLabel, lines: [done.notice] };
    }
  }

  /** An action, then a read that shows its effect; both queued at once so nothing interleaves. */
  async actThenRead(body: DemoAction): Promise<[DemoResponse | null, DemoResponse | null]> {
    this.begin();
    const [done, read] = await Promise.all([
      this.runner.send('POST', body),
      this.runner.send('GET'),
    ]);
    return [this.settle(done), this.settle(read)];
  }

  async restartInstance(restarted: string) {
    const [done, read] = await this.actThenRead({ action: 'restart-instance' });
    if (done && read) {
      this.notice = {
        tone: 'info',
        title: `Restarted instance ${instanceLabel(restarted)}, then read the session`,
        lines: lines(done.notice, restartOutcome(read)),
      };
    }
  }

  /** `changed`: the forged value differs from the one the browser holds. */
  async forge(name: string, forged: string, changed: boolean) {
    const [done, read] = await this.actThenRead({ action: 'tamper', cookie: name, value: forged });
    if (done && read) {
      this.notice = {
        tone: 'info',
        title: `Forged cookie ${name}, then read the session`,
        lines: lines(done.notice, tamperOutcome(read, changed)),
      };
    }
  }

  async race(settings: RaceSettings) {
    if (this.raceRunning) return;
    this.raceRunning = true;
    this.begin();
    const { workMs, fix } = settings;
    try {
      const [batch, read] = await Promise.all([
        this.runner.sendTogether(raceSize, 'POST', {
          action: 'increment',
          ...(workMs > 0 && { workMs }),
          ...(fix && { fix: fix.kind }),
        }),
        this.runner.send('GET'),
      ]);
      const refused = batch?.find((exchange) => exchange.response === null);
      if (refused) this.settle(refused);
      this.raceSummary = summarizeRace(
        (batch ?? []).map((exchange) => exchange.response),
        this.settle(read),
        settings,
      );
    } finally {
      this.raceRunning = false;
    }
  }

  async secondSession() {
    this.begin();
    const done = this.settle(
      await this.runner.send('POST', { action: 'second-session' }),
      'One session only',
    );
    if (!done) return;
    const count = done.server?.ownerSessions;
    this.notice = {
      tone: 'info',
      title: 'Signed in from another device',
      lines: lines(
        done.notice,
        count === undefined ? null : `You now have ${count} sessions in this store.`,
      ),
    };
  }

  async revokeAll() {
    this.begin();
    const done = this.settle(
      await this.runner.send('POST', { action: 'revoke-all' }),
      'A cookie session cannot be revoked',
    );
    if (!done) return;
    const read = this.settle(await this.runner.send('GET'));
    this.notice = {
      tone: 'info',
      title: 'Logged out everywhere',
      lines: lines(
        done.notice,
        read?.status === 'new'
          ? 'The next read found no session: this device is logged out too.'
          : read
            ? `The next read found the session “${read.status}”.`
            : null,
      ),
    };
  }
}
