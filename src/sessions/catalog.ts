/**
 * Every storage kind the course teaches, in lesson order, as the registry lists them. Lessons name
 * their demo stores by these ids.
 */
import { storeKinds } from './registry';

export type StoreId = (typeof storeKinds)[number]['id'];

export const storeIds = storeKinds.map((kind) => kind.id) as unknown as readonly [
  StoreId,
  ...StoreId[],
];

export const storeTitles = Object.fromEntries(
  storeKinds.map((kind) => [kind.id, kind.title]),
) as Record<StoreId, string>;

/** Where each kind keeps the session: in the browser's cookie, or on the server. */
export const storeWhere = Object.fromEntries(
  storeKinds.map((kind) => [kind.id, kind.where]),
) as Record<StoreId, 'browser' | 'server'>;

export function isStoreId(value: string): value is StoreId {
  return (storeIds as readonly string[]).includes(value);
}
