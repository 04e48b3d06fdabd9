import {
  defineStoreKind,
  settingText,
  StoreSettingError,
  type Environment,
} from '../../store-kind';
import { createMemcachedStore, memcachedIdentity } from './store';

export interface MemcachedSettings {
  /** MEMCACHED_SERVERS as host:port entries; empty when unset. */
  servers: string[];
}

export function readMemcachedSettings(env: Environment): MemcachedSettings {
  const raw = settingText(env, 'MEMCACHED_SERVERS');
  if (raw === undefined) return { servers: [] };
  const servers = raw.split(',').map((server) => {
    const trimmed = server.trim();
    if (!/^[A-Za-z0-9.\-[\]:]+:\d{1,5}$/.test(trimmed)) {
      throw new StoreSettingError('MEMCACHED_SERVERS', `"${trimmed}" is not host:port`);
    }
    return trimmed;
  });
  return { servers };
}

export const memcachedKind = defineStoreKind({
  ...memcachedIdentity,
  readSettings: readMemcachedSettings,
  create: (site, settings: MemcachedSettings) =>
    createMemcachedStore({
      servers: settings.servers,
      secure: site.secureCookies,
      maxSessionsPerVisitor: site.maxSessionsPerVisitor,
    }),
});
