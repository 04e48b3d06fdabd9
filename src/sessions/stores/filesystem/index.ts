import { defineStoreKind, noSettings } from '../../store-kind';
import { createFilesystemStore, filesystemIdentity } from './store';

export const filesystemKind = defineStoreKind({
  ...filesystemIdentity,
  readSettings: noSettings,
  create: (site) =>
    createFilesystemStore({
      secure: site.secureCookies,
      dataDir: site.dataDir,
      maxSessionsPerVisitor: site.maxSessionsPerVisitor,
    }),
});
