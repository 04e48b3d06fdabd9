/**
 * "Reset": empties every demo session in every store, for a class that starts over. Learners keep
 * everything else: their learner record and sign-in, quiz attempts, lesson progress and classes.
 * A sweep is not enough (it deletes only expired sessions), so each server store empties itself
 * through its admin face, its own way; cookie stores hold nothing on the server to delete.
 */
import type { StoreId } from '../../sessions/catalog';
import type { RunningStore } from '../../sessions/store-kind';
import { StoreUnavailableError } from '../../sessions/types';
import { adminScope, type AdminDeps } from '../platform/admin-scope';
import { forgetStoreFigures } from './store-figures';

export type ResetOutcome =
  'emptied' | 'signed-out' | 'in-browsers' | 'not-configured' | 'unreachable' | 'incomplete';

export interface StoreReset {
  storeId: StoreId;
  title: string;
  outcome: ResetOutcome;
  /** Sessions (files, rows, keys, entries) deleted or signed out; what counts is in `detail`. */
  deleted: number;
  detail: string;
}

export interface ResetReport {
  /** False when a configured store could not be reached or was not emptied in one go. */
  complete: boolean;
  stores: StoreReset[];
}

export type ResetDeps = AdminDeps;

const inBrowsers =
  'Each session is the browser’s own cookie; the server holds nothing to delete. Changing ' +
  'SESSION_SECRET would invalidate signed, sealed and JWT cookies (not plain ones), and sign ' +
  'everyone out of everything else signed with it.';

export async function resetDemoSessions(deps: ResetDeps): Promise<ResetReport> {
  const scope = adminScope(deps);
  const results: StoreReset[] = [];
  for (const store of deps.stores.values()) {
    results.push({
      storeId: store.info.id,
      title: store.info.title,
      ...(await resetStore(store, scope)),
    });
  }
  forgetStoreFigures(deps.db);
  return {
    complete: results.every(
      (result) => result.outcome !== 'unreachable' && result.outcome !== 'incomplete',
    ),
    stores: results,
  };
}

async function resetStore(
  store: RunningStore,
  scope: ReturnType<typeof adminScope>,
): Promise<Omit<StoreReset, 'storeId' | 'title'>> {
  if (store.info.where === 'browser' || !store.admin) {
    return { outcome: 'in-browsers', deleted: 0, detail: inBrowsers };
  }
  if (store.notConfigured) {
    return { outcome: 'not-configured', deleted: 0, detail: store.notConfigured };
  }
  try {
    return await store.admin.empty(scope);
  } catch (error) {
    if (!(error instanceof StoreUnavailableError)) throw error;
    return { outcome: 'unreachable', deleted: 0, detail: error.message };
  }
}
