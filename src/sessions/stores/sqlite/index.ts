import { defineStoreKind, noSettings } from '../../store-kind';
import { createSqliteStore, sqliteIdentity } from './store';

export const sqliteKind = defineStoreKind({
  ...sqliteIdentity,
  readSettings: noSettings,
  create: (site) =>
    createSqliteStore({
      db: site.db,
      secure: site.secureCookies,
      maxSessionsPerVisitor: site.maxSessionsPerVisitor,
    }),
});
