/**
 * Which stores need a service this server was not given. A store that is not configured holds
 * nothing for anyone, so pages show it as "not configured", never as an error, and deletions skip
 * it; a configured store that does not answer is a real problem and is reported as unreachable.
 */
import type { StoreId } from '../sessions/catalog';
import { memcachedNotConfiguredMessage } from '../sessions/stores/memcached';
import { redisNotConfiguredMessage } from '../sessions/stores/redis';
import type { Config } from './config';

export type ServiceSettings = Pick<Config, 'redisUrl' | 'memcachedServers'>;

/** Why the store cannot run here, with how to fix it; null when it needs nothing more. */
export function notConfiguredReason(settings: ServiceSettings, id: StoreId): string | null {
  if (id === 'redis' && settings.redisUrl === null) return redisNotConfiguredMessage;
  if (id === 'memcached' && settings.memcachedServers.length === 0) {
    return memcachedNotConfiguredMessage;
  }
  return null;
}
