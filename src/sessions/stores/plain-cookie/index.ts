import { defineStoreKind, noSettings } from '../../store-kind';
import { createPlainCookieStore, plainCookieIdentity } from './store';

export const plainCookieKind = defineStoreKind({
  ...plainCookieIdentity,
  readSettings: noSettings,
  create: (site) => createPlainCookieStore({ secure: site.secureCookies }),
});
