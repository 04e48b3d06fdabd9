import { defineStoreKind, noSettings } from '../../store-kind';
import { createMemoryStore, memoryIdentity } from './store';

export const memoryKind = defineStoreKind({
  ...memoryIdentity,
  readSettings: noSettings,
  create: (site) =>
    createMemoryStore({
      secure: site.secureCookies,
      maxSessionsPerVisitor: site.maxSessionsPerVisitor,
    }),
});
