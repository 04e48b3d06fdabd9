/** Which process answered a request, for the demo report (with WORKERS above 1 there are several). */
import { hostname } from 'node:os';
import type { ServedBy } from '../../lab/demo-api';
import type { Config } from './config';

const host = hostname();

export function servedBy(config: Pick<Config, 'workers'>): ServedBy {
  return { host, pid: process.pid, processes: config.workers };
}
