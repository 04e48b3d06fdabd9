/**
 * The Redis store's fix for lost updates: one Lua script reads the session, adds one to the
 * counter and writes it back. Redis runs a script to the end before any other command, so no
 * request can read the session between this one's read and write. (With one hash field per value
 * instead of one JSON string, `HINCRBY` would do it without a script.)
 */
import { createHash } from 'node:crypto';
import { ErrorReply } from 'redis';
import type { AtomicCounterFix } from '../../counter-fix';
import type { DemoContext, SessionData } from '../../types';
import type { RedisClient } from './connection';

// #region atomic-increment
// KEYS[1] the session key, ARGV[1] the counter's name. KEEPTTL: the session keeps its expiry.
// A value that is not a number counts as 0, as the demo's own increment does.
const script = `
local stored = redis.call('GET', KEYS[1])
if not stored then return false end
local session = cjson.decode(stored)
local current = session[ARGV[1]]
if type(current) ~= 'number' then current = 0 end
session[ARGV[1]] = current + 1
local updated = cjson.encode(session)
redis.call('SET', KEYS[1], updated, 'KEEPTTL')
return updated
`;
// #endregion atomic-increment
const scriptSha = createHash('sha1').update(script).digest('hex');

async function runScript(redis: RedisClient, key: string, field: string): Promise<unknown> {
  const options = { keys: [key], arguments: [field] };
  try {
    return await redis.evalSha(scriptSha, options);
  } catch (error) {
    // Redis forgets scripts when it restarts or is flushed; sending it once puts it back.
    if (!(error instanceof ErrorReply) || !error.message.startsWith('NOSCRIPT')) throw error;
    return redis.eval(script, options);
  }
}

/** `sessionKey` is the key this request may write (the session its load found), or undefined. */
export function redisAtomicIncrement(
  sessionKey: (ctx: DemoContext) => string | undefined,
  run: <T>(
    ctx: DemoContext,
    description: string,
    work: (redis: RedisClient) => Promise<T>,
  ) => Promise<T>,
): AtomicCounterFix {
  return {
    kind: 'atomic',
    how: 'one Lua script: GET, add 1, SET … KEEPTTL',
    async increment(ctx: DemoContext, key: string): Promise<SessionData | null> {
      const target = sessionKey(ctx);
      if (target === undefined) return null;
      const updated = await run(ctx, 'EVALSHA (atomic increment)', (redis) =>
        runScript(redis, target, key),
      );
      return typeof updated === 'string' ? (JSON.parse(updated) as SessionData) : null;
    },
  };
}
