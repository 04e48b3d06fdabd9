/**
 * The Redis store's fair share (see `../fair-share.ts`) as one Lua script, so that counting a
 * learner's or an address's live sessions, evicting the oldest past the share and writing the new
 * session happen atomically, in one round trip: two new sessions of one learner at the same
 * moment cannot both see room for one more.
 *
 * The indexes are the sorted sets the store already keeps, scored by save time, oldest first. A
 * listed id whose key Redis has expired or deleted is dropped from the index as it is met, so only
 * live sessions count. An evicted session leaves `<prefix>evicted:<SHA-1 of its id>` holding the
 * cause and the share (as `encodeShareEviction` writes them), with the session's remaining TTL,
 * for its next load to report. The script
 * reaches session keys it is not given as KEYS, which is fine on one Redis server (this store's
 * setup) but would not be on Redis Cluster.
 */
import { createHash } from 'node:crypto';
import { ErrorReply, type RedisClientType } from 'redis';
import type { EvictionCause } from '../../fair-share';
import { maxIndexedSessionsPerOwner } from '../../session-owner';

/**
 * KEYS[1]: the new session's key; KEYS[2..]: the indexes it joins (owner, address).
 * ARGV: value, TTL seconds, now (ms), id, session key prefix, eviction key prefix, largest index,
 * then a share and a cause per index. Returns how many sessions were evicted.
 */
const script = `
local value, ttl, now, id = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
local prefix, evictedPrefix, largestIndex = ARGV[5], ARGV[6], tonumber(ARGV[7])
local evicted = 0
for i = 2, #KEYS do
  local index = KEYS[i]
  local share, cause = tonumber(ARGV[6 + 2 * (i - 1)]), ARGV[7 + 2 * (i - 1)]
  local live = {}
  for _, member in ipairs(redis.call('ZRANGE', index, 0, -1)) do
    if member ~= id then
      if redis.call('EXISTS', prefix .. member) == 1 then
        live[#live + 1] = member
      else
        redis.call('ZREM', index, member)
      end
    end
  end
  for j = 1, #live + 1 - share do
    local victim = live[j]
    local remaining = redis.call('PTTL', prefix .. victim)
    redis.call('DEL', prefix .. victim)
    redis.call('ZREM', index, victim)
    if remaining > 0 then
      redis.call('SET', evictedPrefix .. redis.sha1hex(victim), cause .. ' ' .. share, 'PX', remaining)
    end
    evicted = evicted + 1
  end
  redis.call('ZADD', index, now, id)
  redis.call('ZREMRANGEBYRANK', index, 0, -(largestIndex + 1))
  redis.call('EXPIRE', index, ttl)
end
redis.call('SET', KEYS[1], value, 'EX', ttl)
return evicted
`;

const scriptSha = createHash('sha1').update(script).digest('hex');

export interface FairSave {
  id: string;
  value: string;
  ttlSeconds: number;
  now: number;
  keyPrefix: string;
  /** The indexes the new session joins, with their share and what eviction from them means. */
  groups: { indexKey: string; share: number; cause: EvictionCause }[];
}

/** Where an evicted id's record lives; Lua's `redis.sha1hex` computes the same name. */
export function evictedKeyFor(keyPrefix: string, id: string): string {
  return `${keyPrefix}evicted:${createHash('sha1').update(id).digest('hex')}`;
}

/** Saves a new session within its shares; returns how many sessions went to make room. */
export async function saveWithinShares(redis: RedisClientType, save: FairSave): Promise<number> {
  const options = {
    keys: [save.keyPrefix + save.id, ...save.groups.map((group) => group.indexKey)],
    arguments: [
      save.value,
      String(save.ttlSeconds),
      String(save.now),
      save.id,
      save.keyPrefix,
      `${save.keyPrefix}evicted:`,
      String(maxIndexedSessionsPerOwner),
      ...save.groups.flatMap((group) => [String(group.share), group.cause]),
    ],
  };
  try {
    return Number(await redis.evalSha(scriptSha, options));
  } catch (error) {
    // Redis forgets scripts when it restarts or is flushed; sending it once puts it back.
    if (!(error instanceof ErrorReply) || !error.message.startsWith('NOSCRIPT')) throw error;
    return Number(await redis.eval(script, options));
  }
}
