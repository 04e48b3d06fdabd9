import {
  defineStoreKind,
  settingText,
  StoreSettingError,
  type Environment,
} from '../../store-kind';
import { createPostgresStore, postgresIdentity } from './store';

export interface PostgresSettings {
  /** DATABASE_URL; null when unset, and the demo then says how to enable it. */
  url: string | null;
}

export function readPostgresSettings(env: Environment): PostgresSettings {
  const raw = settingText(env, 'DATABASE_URL');
  if (raw === undefined) return { url: null };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new StoreSettingError(
      'DATABASE_URL',
      'is not a URL (expected postgres://user:password@host:5432/dbname)',
    );
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new StoreSettingError(
      'DATABASE_URL',
      `scheme must be postgres: or postgresql:, got ${url.protocol}`,
    );
  }
  return { url: raw };
}

export const postgresKind = defineStoreKind({
  ...postgresIdentity,
  readSettings: readPostgresSettings,
  create: (site, settings: PostgresSettings) =>
    createPostgresStore({
      url: settings.url,
      secure: site.secureCookies,
      maxSessionsPerVisitor: site.maxSessionsPerVisitor,
    }),
});
