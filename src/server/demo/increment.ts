/**
 * The increment action as the concurrency lesson runs it: optional simulated work between load
 * and save (where a real handler would wait on a database or an API), and optionally the store's
 * own fix for the lost updates that overlap then causes (`sessions/counter-fix.ts`).
 */
import type { CounterFix, VersionCounterFix } from '../../sessions/counter-fix';
import type { DemoContext, Loaded, SessionData, SessionStore } from '../../sessions/types';
import type { DemoAction } from '../../lab/demo-api';
import { applyDemoAction, defaultCounterKey } from '../../lab/demo-actions';
import { HttpError } from '../platform/http';

type Increment = Extract<DemoAction, { action: 'increment' }>;

/** The fix this request asked for, or null; a 409 when the store has no such fix. */
export function counterFixFor(
  store: SessionStore,
  action: DemoAction | undefined,
): CounterFix | null {
  if (action?.action !== 'increment' || action.fix === undefined || action.fix === 'none') {
    return null;
  }
  const fixes = store.counterFixes ?? [];
  if (fixes.length === 0) {
    throw new HttpError(
      409,
      store.info.where === 'browser'
        ? `${store.info.title}: the server cannot fix this race. The browser keeps whichever cookie arrives last, and every response carries the whole session as its request saw it.`
        : `${store.info.title} has no fix for overlapping increments here.`,
    );
  }
  const fix = fixes.find((offered) => offered.kind === action.fix);
  if (!fix) {
    const offered = fixes.map((offered) => `"${offered.kind}" (${offered.how})`).join(' or ');
    throw new HttpError(409, `${store.info.title}'s fix is ${offered}, not "${action.fix}".`);
  }
  return fix;
}

/** Runs `work` (load to save) under the fix's lock when the fix is a lock; otherwise as it is. */
export function underFix<T>(
  fix: CounterFix | null,
  ctx: DemoContext,
  work: () => Promise<T>,
): Promise<T> {
  return fix?.kind === 'lock' ? fix.withLock(ctx, work) : work();
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A version check retries while other saves come first. In a race of at most 25 requests, at most
 * 24 others can; past this the request gives up rather than loop.
 */
export const maxVersionAttempts = 25;

async function simulateWork(ctx: DemoContext, workMs: number | undefined): Promise<void> {
  if (!workMs) return;
  await ctx.timer.measure('work', `simulated work (${workMs} ms)`, () => sleep(workMs));
}

/** Load is done; simulate the handler's work, then change and save as the fix says. */
export async function runIncrement(
  store: SessionStore,
  ctx: DemoContext,
  loaded: Loaded,
  action: Increment,
  fix: CounterFix | null,
): Promise<{ data: SessionData; notice: string | null }> {
  const title = store.info.title;
  await simulateWork(ctx, action.workMs);
  if (fix?.kind === 'version' && loaded.status === 'ok') {
    return saveWithVersionCheck(store, ctx, loaded, action, fix);
  }
  // An atomic increment changes a session the store holds; a new one is saved the usual way.
  if (fix?.kind === 'atomic' && loaded.status === 'ok') {
    const key = action.key ?? defaultCounterKey;
    const data = await fix.increment(ctx, key);
    if (data === null) {
      return {
        data: {},
        notice:
          'The session was gone by the time the increment ran (revoked or expired); nothing was saved.',
      };
    }
    return { data, notice: null };
  }
  const next = applyDemoAction(loaded.data, action);
  await ctx.timer.measure('save', `${title}: save`, () => store.save(ctx, next));
  return { data: next, notice: null };
}

const gone = {
  data: {},
  notice:
    'The session was gone by the time the increment ran (revoked or expired); nothing was saved.',
};

/**
 * Optimistic concurrency: save only if nobody saved since this request loaded; otherwise load
 * again, redo the work and the change, and try again, as a handler with a version check does.
 */
async function saveWithVersionCheck(
  store: SessionStore,
  ctx: DemoContext,
  loaded: Loaded,
  action: Increment,
  fix: VersionCounterFix,
): Promise<{ data: SessionData; notice: string | null }> {
  const title = store.info.title;
  let current = loaded;
  for (let attempt = 1; attempt <= maxVersionAttempts; attempt++) {
    const next = applyDemoAction(current.data, action);
    const saved = await ctx.timer.measure('save', `${title}: save if unchanged`, () =>
      fix.saveIfUnchanged(ctx, current.data, next),
    );
    if (saved) {
      const retries = attempt - 1;
      return {
        data: next,
        notice:
          retries === 0
            ? null
            : `Saved on attempt ${attempt}: ${retries} ${retries === 1 ? 'time' : 'times'} another request had saved first, so this one loaded again and redid its change.`,
      };
    }
    current = await ctx.timer.measure('load', `${title}: load again`, () => store.load(ctx));
    if (current.status !== 'ok') return gone;
    await simulateWork(ctx, action.workMs);
  }
  throw new HttpError(
    409,
    `Gave up after ${maxVersionAttempts} attempts: other requests kept saving this session first.`,
  );
}
