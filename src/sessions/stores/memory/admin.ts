/**
 * The memory store seen from the instructor's side: each long-lived instance's memory holds its
 * own sessions, so they are counted and dropped instance by instance, as a restart would drop them.
 * One-request ("fresh") instances are gone with their request and hold nothing to count.
 */
import type { StoreAdmin } from '../../store-kind';
import { forgetMemorySessions, memoryStoreStats } from './store';

export function createMemoryAdmin(cookieName: string): StoreAdmin {
  return {
    async count(scope) {
      let sessions = 0;
      let bytes = 0;
      for (const instance of scope.instances) {
        const stats = memoryStoreStats(instance.memory, cookieName);
        sessions += stats.entries;
        bytes += stats.bytes;
      }
      return {
        sessions,
        bytes,
        note: `Instances ${instanceRange(scope.instances)}; an expired entry counts until the next sweep.`,
      };
    },

    async empty(scope) {
      let deleted = 0;
      for (const instance of scope.instances) {
        deleted += forgetMemorySessions(instance.memory, cookieName);
      }
      return {
        outcome: 'emptied',
        deleted,
        detail: `Dropped the sessions in the memory of instances ${instanceRange(scope.instances)}, as a restart would.`,
      };
    },
  };
}

function instanceRange(instances: readonly { id: string }[]): string {
  if (instances.length === 0) return '(none)';
  const first = instances[0]!.id;
  const last = instances.at(-1)!.id;
  return first === last ? first : `${first}–${last}`;
}

/** What this store's "log out everywhere" count counts (shown beside the button). */
export const memoryRevokeCounts =
  'Counts your live sessions in this instance’s memory, deleted on the spot. Only this instance: another instance is another process, whose memory this one cannot reach.';
