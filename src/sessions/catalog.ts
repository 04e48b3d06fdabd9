/**
 * Every storage kind the course teaches, in lesson order. Lessons name their demo stores by
 * these ids, so a store can be written about before its demo exists.
 */
export const storeIds = [
  'plain-cookie',
  'signed-cookie',
  'encrypted-cookie',
  'jwt',
  'memory',
  'filesystem',
  'sqlite',
  'redis',
  'memcached',
] as const;

export type StoreId = (typeof storeIds)[number];

export const storeTitles: Record<StoreId, string> = {
  'plain-cookie': 'Plain cookie',
  'signed-cookie': 'Signed cookie (Flask)',
  'encrypted-cookie': 'Encrypted cookie',
  jwt: 'JWT cookie',
  memory: 'Server memory',
  filesystem: 'Filesystem',
  sqlite: 'SQLite',
  redis: 'Redis',
  memcached: 'Memcached',
};

export function isStoreId(value: string): value is StoreId {
  return (storeIds as readonly string[]).includes(value);
}

/** Where each kind keeps the session: in the browser's cookie, or on the server. */
export const storeWhere: Record<StoreId, 'browser' | 'server'> = {
  'plain-cookie': 'browser',
  'signed-cookie': 'browser',
  'encrypted-cookie': 'browser',
  jwt: 'browser',
  memory: 'server',
  filesystem: 'server',
  sqlite: 'server',
  redis: 'server',
  memcached: 'server',
};
