import { defineStoreKind, noSettings } from '../../store-kind';
import { createSignedCookieStore, signedCookieIdentity } from './store';

export const signedCookieKind = defineStoreKind({
  ...signedCookieIdentity,
  readSettings: noSettings,
  create: (site) => createSignedCookieStore({ secrets: site.secrets, secure: site.secureCookies }),
});
