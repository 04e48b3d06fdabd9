import { defineStoreKind, noSettings } from '../../store-kind';
import { createJwtStore, jwtIdentity } from './store';

export const jwtKind = defineStoreKind({
  ...jwtIdentity,
  readSettings: noSettings,
  create: (site) => createJwtStore({ secrets: site.secrets, secure: site.secureCookies }),
});
