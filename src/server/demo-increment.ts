/**
 * The increment action as the concurrency lesson runs it: optional simulated work between load
 * and save (where a real handler would wait on a database or an API), and optionally the store's
 * own fix for the lost updates that overlap then causes (`sessions/counter-fix.ts`).
 */
import type { CounterFix } from '../sessions/counter-fix';
import type { DemoContext, Loaded, SessionData, SessionStore } from '../sessions/types';
import type { DemoAction } from '../lab/demo-api';
import { applyDemoAction, defaultCounterKey } from '../lab/demo-actions';
import { HttpError } from './http';

type Increment = Extract<DemoAction, { action: 'increment' }>;

/** The fix this request asked for, or null; a 409 when the store has no such fix. */
export function counterFixFor(
  store: SessionStore,
  action: DemoAction | undefined,
): CounterFix | null {
  if (action?.action !== 'increment' || action.fix === undefined || action.fix === 'none') {
    return null;
  }
  const fix = store.counterFix;
  if (!fix) {
    throw new HttpError(
      409,
      store.info.where === 'browser'
        ? `${store.info.title}: the server cannot fix this race. The browser keeps whichever cookie arrives last, and every response carries the whole session as its request saw it.`
        : `${store.info.title} has no fix for overlapping increments here.`,
    );
  }
  if (fix.kind !== action.fix) {
    throw new HttpError(
      409,
      `${store.info.title}'s fix is "${fix.kind}" (${fix.how}), not "${action.fix}".`,
    );
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

/** Load is done; simulate the handler's work, then change and save as the fix says. */
export async function runIncrement(
  store: SessionStore,
  ctx: DemoContext,
  loaded: Loaded,
  action: Increment,
  fix: CounterFix | null,
): Promise<{ data: SessionData; notice: string | null }> {
  const title = store.info.title;
  if (action.workMs) {
    const ms = action.workMs;
    await ctx.timer.measure('work', `simulated work (${ms} ms)`, () => sleep(ms));
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
