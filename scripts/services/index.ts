/**
 * The one launcher of the services the Redis, Memcached and PostgreSQL demos need, shared by the
 * tests and `npm run services` (`scripts/services.mjs`). Plain TypeScript that Node runs as it is
 * (type stripping), so both can import it.
 */
import { postgresBinaries, postgresInstall } from './postgres.ts';
import { findBinary, specs, type SpawnedKind } from './spawned.ts';

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
