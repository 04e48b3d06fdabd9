import { defineStoreKind, noSettings } from '../../store-kind';
import { createEncryptedCookieStore, encryptedCookieIdentity } from './store';

export const encryptedCookieKind = defineStoreKind({
  ...encryptedCookieIdentity,
  readSettings: noSettings,
  create: (site) =>
    createEncryptedCookieStore({ secrets: site.secrets, secure: site.secureCookies }),
});
