/**
 * The stores that have a live demo, by id. Adding a storage kind means one store file and one
 * line here.
 */
import type { StoreId } from './catalog';
import { createSignedCookieStore } from './stores/signed-cookie';
import type { SessionStore } from './types';

export interface StoreSettings {
  /** The first signs or seals, all verify. */
  secrets: readonly string[];
  /** Send cookies with `Secure`: true when the site is served over HTTPS. */
  secureCookies: boolean;
}

export type StoreRegistry = ReadonlyMap<StoreId, SessionStore>;

export function createStoreRegistry(settings: StoreSettings): StoreRegistry {
  const stores: SessionStore[] = [
    createSignedCookieStore({ secrets: settings.secrets, secure: settings.secureCookies }),
  ];
  return new Map(stores.map((store) => [store.info.id, store]));
}
