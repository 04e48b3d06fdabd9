/**
 * The lock fix for stores that live inside one process (memory, files): requests carrying the same
 * session cookie to the same instance take turns from load to save. It cannot reach a second
 * process, so on a real multi-process deployment it would not help; that is why shared stores
 * use a fix of their own.
 */
import { KeyedMutex } from '../../keyed-mutex';
import type { LockCounterFix } from '../../counter-fix';
import type { DemoContext } from '../../types';

export function inProcessLock(cookieName: string): LockCounterFix {
  const mutex = new KeyedMutex();
  return {
    kind: 'lock',
    how: 'a mutex per session id in this process',
    scope: 'process',
    withLock(ctx: DemoContext, work) {
      const id = ctx.cookies.get(cookieName);
      // No cookie: the request starts a session of its own, which no other request shares.
      if (!id) return work();
      return mutex.run(`${ctx.instance.id}\n${id}`, work);
    },
  };
}
