/**
 * A conformance fixture for any storage kind, built the way the site builds it: from the registry,
 * with the kind's own defaults. A kind whose "not configured" message names a service variable
 * (DATABASE_URL …) gets that service from the shared launcher, on a free port, and the outage
 * test stops and starts it. Kinds that need settings of their own for the suite (a short TTL on a
 * server that keeps time itself) keep a hand-written fixture in `store-fixtures.ts`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  serviceNamedIn,
  serviceSkipReason,
  startServiceFor,
  type ServiceKind,
} from '../../scripts/services/index.ts';
import { openDatabase } from '../../src/server/platform/database';
import type { StoreId } from '../../src/sessions/catalog';
import { storeKinds } from '../../src/sessions/registry';
import type { SiteResources, StoreKind } from '../../src/sessions/store-kind';
import type { SessionData, SessionStore } from '../../src/sessions/types';
import { SimulatedBrowser, testInstance } from './simulated-browser';
import type { StoreFixture } from './store-fixtures';

const secret = 'conformance-secret-0123456789abcdef';
const otherSecret = 'another-secret-fedcba9876543210xyz';
/** Past any store's lifetime and any cookie's (400 days at most, RFC 6265bis). */
const beyondAnyLifetimeMs = 401 * 24 * 60 * 60 * 1000;

function siteIn(directory: string, secrets: string[]): SiteResources {
  return {
    secrets,
    secureCookies: false,
    dataDir: directory,
    db: openDatabase(path.join(directory, 'site.sqlite')),
  };
}

/** The service a kind needs, read from what it says when built without one; null for none. */
function neededService(kind: StoreKind<StoreId>): ServiceKind | null {
  const directory = mkdtempSync(path.join(tmpdir(), 'session-lab-probe-'));
  const site = siteIn(directory, [secret]);
  try {
    const store = kind.create(site, kind.readSettings({}));
    void store.close?.();
    if (!store.notConfigured) return null;
    const service = serviceNamedIn(store.notConfigured);
    if (service === null) {
      throw new Error(`${kind.id} is not configured, and names no service the launcher starts`);
    }
    return service;
  } finally {
    site.db.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

/** The kinds that need a service (their demos answer 503 without it), from the registry. */
export function storesNeedingAService(): StoreId[] {
  return storeKinds.filter((kind) => neededService(kind) !== null).map((kind) => kind.id);
}

/** The same characters in another order: the value's shape, almost surely never issued. */
function reshuffled(value: string): string {
  return value
    .split('.')
    .map((part) => {
      const characters = [...part];
      for (let index = characters.length - 1; index > 0; index--) {
        const other = Math.floor(Math.random() * (index + 1));
        [characters[index], characters[other]] = [characters[other]!, characters[index]!];
      }
      return characters.join('');
    })
    .join('.');
}

/** What one fresh browser's first save sets: the cookie's name and value. */
async function mint(
  store: SessionStore,
  instanceDirectory: string,
  now: () => number,
  data: SessionData = { minted: true },
): Promise<[string, string]> {
  const browser = new SimulatedBrowser();
  const ctx = browser.request(testInstance('mint', instanceDirectory), now);
  await store.save(ctx, data);
  browser.receive(ctx);
  const first = [...browser.cookies][0];
  if (!first) throw new Error(`${store.info.id} set no cookie on its first save`);
  return first;
}

export function registryFixture(kind: StoreKind<StoreId>): StoreFixture[] {
  const service = neededService(kind);
  if (service !== null) {
    const skip = serviceSkipReason(service);
    if (skip) {
      console.warn(skip);
      return [];
    }
  }
  return [
    {
      id: kind.id,
      kind: kind.where === 'browser' ? 'cookie' : 'server',
      hasOutage: service !== null,
      async setup() {
        const running = service === null ? null : await startServiceFor(service);
        const env = running ? { [running.variable]: running.value } : {};
        const directory = await mkdtemp(path.join(tmpdir(), 'session-lab-conformance-'));
        const site = siteIn(directory, [secret]);
        const store = kind.create(site, kind.readSettings(env));
        let time = Date.now();
        const now = () => time;
        const instance = testInstance('1', path.join(directory, 'instances', '1'));
        const [cookieName, minted] = await mint(store, path.join(directory, 'mint'), now);
        return {
          store,
          instance,
          now,
          async advanceBeyondLifetime() {
            time += beyondAnyLifetimeMs;
          },
          cookieName,
          otherKeyCookie:
            kind.where === 'browser'
              ? async (data) => {
                  const other = kind.create(
                    { ...site, secrets: [otherSecret] },
                    kind.readSettings(env),
                  );
                  return (await mint(other, path.join(directory, 'other'), now, data))[1];
                }
              : undefined,
          wellFormedUnknownId: reshuffled(minted),
          outage: running
            ? { stop: () => running.service.stop(), start: () => running.service.start() }
            : undefined,
          async teardown() {
            await store.close?.();
            if (running) await (running.service.remove?.() ?? running.service.stop());
            site.db.close();
            await rm(directory, { recursive: true, force: true });
          },
        };
      },
    },
  ];
}
