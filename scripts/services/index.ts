/**
 * The one launcher of the services the Redis, Memcached and PostgreSQL demos need, shared by the
 * tests and `npm run services` (`scripts/services.mjs`). Plain TypeScript that Node runs as it is
 * (type stripping), so both can import it.
 */
import { postgresBinaries, postgresInstall, startPostgres } from './postgres.ts';
import {
  findBinary,
  specs,
  startMemcached,
  startRedis,
  type RunningService,
  type SpawnedKind,
} from './spawned.ts';

export { startPostgres, type RunningPostgres } from './postgres.ts';
export {
  answers,
  host,
  specs,
  startMemcached,
  startRedis,
  type RunningRedis,
  type RunningService,
} from './spawned.ts';
export { portIsFree } from './common.ts';

export type ServiceKind = SpawnedKind | 'postgres';

/** Why `kind` cannot be started here, or null when its programs are installed. */
export function missingService(kind: ServiceKind): string | null {
  if (kind === 'postgres') {
    return postgresBinaries() ? null : `initdb and pg_ctl are not installed: ${postgresInstall}`;
  }
  const spec = specs[kind];
  return findBinary(spec.binary) ? null : `${spec.binary} is not installed: ${spec.install}`;
}

/**
 * Whether a test file may run against `kind`: `null` when its programs are installed, otherwise
 * the reason to skip. In CI (`CI=true`) a missing program throws instead, so the run fails loudly
 * rather than passing with the store untested.
 */
export function serviceSkipReason(kind: ServiceKind): string | null {
  const missing = missingService(kind);
  if (missing === null) return null;
  if (process.env.CI === 'true') throw new Error(missing);
  return `${missing} (skipping the ${kind} tests; CI=true makes this a failure)`;
}

/** The variable that points the site at each service. */
export const serviceVariables = {
  redis: 'REDIS_URL',
  memcached: 'MEMCACHED_SERVERS',
  postgres: 'DATABASE_URL',
} as const satisfies Record<ServiceKind, string>;

export interface ServiceWithSetting {
  service: RunningService & { remove?(): Promise<void> };
  /** The variable and its value, as the site reads them from the environment. */
  variable: string;
  value: string;
}

/** Starts `kind` on a free port and says how to point the site at it. */
export async function startServiceFor(kind: ServiceKind): Promise<ServiceWithSetting> {
  const variable = serviceVariables[kind];
  if (kind === 'postgres') {
    const service = await startPostgres();
    return { service, variable, value: service.url };
  }
  if (kind === 'redis') {
    const service = await startRedis();
    return { service, variable, value: service.url };
  }
  const service = await startMemcached();
  return { service, variable, value: service.address };
}

/** The service whose variable a store's "not configured" message names, if any. */
export function serviceNamedIn(message: string): ServiceKind | null {
  const kinds = Object.keys(serviceVariables) as ServiceKind[];
  return kinds.find((kind) => message.includes(serviceVariables[kind])) ?? null;
}
