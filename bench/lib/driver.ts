/**
 * Drives a real store the way the demo server does, one request at a time, with the test suite's
 * simulated browser carrying the cookies between requests. Only the store call is timed.
 */
import type {
  DemoContext,
  Instance,
  Loaded,
  SessionData,
  SessionStore,
} from '../../src/sessions/types';
import { SimulatedBrowser } from '../../tests/support/simulated-browser';
import { since, type TimedOp } from './measure';
import { CHANGED_KEY, FIRST_VISITS } from './sessions';

export interface StoreDriver {
  /** A request that carries the existing session and reads it. */
  load: TimedOp;
  /** A request that reads the session (untimed), changes one key and saves it (timed). */
  save: TimedOp;
  /** The cookie value the browser holds now, as the store last set it. */
  cookie(): string;
  /** Fails unless every run used one session and a load sees the last save. */
  verify(): Promise<void>;
}

function expectOk(store: SessionStore, loaded: Loaded): Loaded {
  if (loaded.status !== 'ok') {
    throw new Error(
      `${store.info.id}: expected the existing session, got ${loaded.status} (${loaded.reason ?? ''})`,
    );
  }
  return loaded;
}

/**
 * `owner` is the learner the requests name (`ctx.owner`), as the site's demo requests do once the
 * visitor has a learner id; null plays an anonymous visitor.
 */
export async function driveStore(
  store: SessionStore,
  instance: Instance,
  session: SessionData,
  owner: string | null,
): Promise<StoreDriver> {
  const browser = new SimulatedBrowser();
  const now = () => Date.now();
  const request = (): DemoContext => ({ ...browser.request(instance, now), owner });
  // A returning visitor: the session exists before the first timed request.
  const first = request();
  await store.save(first, session);
  browser.receive(first);
  const issued = new Map(browser.cookies);
  if (issued.size !== 1) throw new Error(`${store.info.id}: expected one session cookie`);
  let visits = FIRST_VISITS;

  return {
    async load() {
      const ctx = request();
      const start = performance.now();
      const loaded = await store.load(ctx);
      const micros = since(start);
      expectOk(store, loaded);
      browser.receive(ctx);
      return micros;
    },

    async save() {
      const ctx = request();
      const { data } = expectOk(store, await store.load(ctx));
      const changed = { ...data, [CHANGED_KEY]: ++visits };
      const start = performance.now();
      await store.save(ctx, changed);
      const micros = since(start);
      browser.receive(ctx);
      return micros;
    },

    cookie() {
      return [...browser.cookies.values()][0] ?? '';
    },

    async verify() {
      const ctx = request();
      const { data } = expectOk(store, await store.load(ctx));
      if (data[CHANGED_KEY] !== visits) {
        throw new Error(`${store.info.id}: the last save (${visits}) is not what a load reads`);
      }
      // Server stores keep the id they issued; a new id would mean each save made a new session.
      if (
        store.info.where === 'server' &&
        [...issued].some(([k, v]) => browser.cookies.get(k) !== v)
      ) {
        throw new Error(`${store.info.id}: the session id changed during the run`);
      }
    },
  };
}
