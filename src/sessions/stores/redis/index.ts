import {
  defineStoreKind,
  settingText,
  StoreSettingError,
  type Environment,
} from '../../store-kind';
import { createRedisStore, redisIdentity } from './store';

export interface RedisSettings {
  /** REDIS_URL; null when unset, and the demo then says how to enable it. */
  url: string | null;
}

export function readRedisSettings(env: Environment): RedisSettings {
  const raw = settingText(env, 'REDIS_URL');
  if (raw === undefined) return { url: null };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new StoreSettingError('REDIS_URL', `"${raw}" is not a URL (expected redis://host:6379)`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new StoreSettingError(
      'REDIS_URL',
      `scheme must be redis: or rediss:, got ${url.protocol}`,
    );
  }
  return { url: raw };
}

export const redisKind = defineStoreKind({
  ...redisIdentity,
  readSettings: readRedisSettings,
  create: (site, settings: RedisSettings) =>
    createRedisStore({
      url: settings.url,
      secure: site.secureCookies,
      maxSessionsPerVisitor: site.maxSessionsPerVisitor,
    }),
});
