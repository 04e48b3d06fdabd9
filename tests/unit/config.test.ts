import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/server/platform/config';

const dataDir = () => mkdtempSync(path.join(tmpdir(), 'session-lab-config-'));
const secret = 'x'.repeat(32);

describe('loadConfig', () => {
  it('needs nothing for local use, generating one secret and keeping it', () => {
    const dir = dataDir();
    const first = loadConfig({ DATA_DIR: dir });
    expect(first).toMatchObject({
      host: 'localhost',
      port: 4321,
      dataDir: dir,
      sessionSecretSource: 'generated',
    });
    expect(first.storeSettings.get('redis')).toEqual({ url: null });
    expect(first.storeSettings.get('memcached')).toEqual({ servers: [] });
    const file = path.join(dir, 'session-secret');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const second = loadConfig({ DATA_DIR: dir });
    expect(second.sessionSecrets).toEqual(first.sessionSecrets);
    expect(second.sessionSecretSource).toBe('data-dir');
    expect(readFileSync(file, 'utf8').trim()).toBe(first.sessionSecrets[0]);
  });

  it('reads every variable', () => {
    const config = loadConfig({
      HOST: '0.0.0.0',
      PORT: '8080',
      DATA_DIR: dataDir(),
      SESSION_SECRET: `${secret}, ${'y'.repeat(40)}`,
      REDIS_URL: 'redis://127.0.0.1:6379',
      MEMCACHED_SERVERS: '127.0.0.1:11211,[::1]:11212',
    });
    expect(config).toMatchObject({
      host: '0.0.0.0',
      port: 8080,
      sessionSecrets: [secret, 'y'.repeat(40)],
      sessionSecretSource: 'environment',
    });
    expect(config.storeSettings.get('redis')).toEqual({ url: 'redis://127.0.0.1:6379' });
    expect(config.storeSettings.get('memcached')).toEqual({
      servers: ['127.0.0.1:11211', '[::1]:11212'],
    });
  });

  it('limits join-code guesses and benchmark runs unless told otherwise', () => {
    const defaults = loadConfig({ DATA_DIR: dataDir(), SESSION_SECRET: secret });
    expect(defaults).toMatchObject({
      joinLookupLimit: { max: 20, windowSeconds: 60 },
      compareLimit: { max: 6, windowSeconds: 300 },
      compareIntervalSeconds: 60,
    });
    const set = loadConfig({
      DATA_DIR: dataDir(),
      SESSION_SECRET: secret,
      RATE_LIMIT_JOIN: '5/600',
      RATE_LIMIT_COMPARE: '2/60',
      COMPARE_INTERVAL: '0',
    });
    expect(set).toMatchObject({
      joinLookupLimit: { max: 5, windowSeconds: 600 },
      compareLimit: { max: 2, windowSeconds: 60 },
      compareIntervalSeconds: 0,
    });
  });

  it.each([
    ['RATE_LIMIT_JOIN', { RATE_LIMIT_JOIN: '20' }],
    ['RATE_LIMIT_COMPARE', { RATE_LIMIT_COMPARE: '0/60' }],
    ['RATE_LIMIT_DEMO_WRITES_PER_ADDRESS', { RATE_LIMIT_DEMO_WRITES_PER_ADDRESS: '1/60' }],
    ['COMPARE_INTERVAL', { COMPARE_INTERVAL: '-1' }],
    ['COMPARE_INTERVAL', { COMPARE_INTERVAL: '90000' }],
    ['PORT', { PORT: '70000' }],
    ['PORT', { PORT: '80a' }],
    ['SESSION_SECRET', { SESSION_SECRET: 'short' }],
    ['SESSION_SECRET', { SESSION_SECRET: `${secret},` }],
    ['REDIS_URL', { REDIS_URL: 'not a url' }],
    ['REDIS_URL', { REDIS_URL: 'http://127.0.0.1:6379' }],
    ['MEMCACHED_SERVERS', { MEMCACHED_SERVERS: '127.0.0.1' }],
  ])('refuses a bad %s with a message naming it', (variable, env) => {
    expect(() => loadConfig({ DATA_DIR: dataDir(), ...env })).toThrow(ConfigError);
    expect(() => loadConfig({ DATA_DIR: dataDir(), ...env })).toThrow(
      new RegExp(`^Invalid ${variable}:`),
    );
  });

  it('limits demo writes per learner, under a higher ceiling per address', () => {
    const base = { DATA_DIR: dataDir(), SESSION_SECRET: secret };
    expect(loadConfig(base)).toMatchObject({
      demoWriteLimit: { max: 120, windowSeconds: 60 },
      demoWriteAddressLimit: { max: 1200, windowSeconds: 60 },
    });
    const set = loadConfig({
      ...base,
      RATE_LIMIT_DEMO_WRITES: '30/60',
      RATE_LIMIT_DEMO_WRITES_PER_ADDRESS: '900/60',
    });
    expect(set).toMatchObject({
      demoWriteLimit: { max: 30, windowSeconds: 60 },
      demoWriteAddressLimit: { max: 900, windowSeconds: 60 },
    });
    // Unset, the ceiling is ten learners' worth, whatever the per-learner limit.
    expect(
      loadConfig({ ...base, RATE_LIMIT_DEMO_WRITES: '100000/60' }).demoWriteAddressLimit,
    ).toEqual({ max: 1_000_000, windowSeconds: 60 });
    // The same rate over a longer window is allowed; a lower rate is not.
    expect(
      loadConfig({ ...base, RATE_LIMIT_DEMO_WRITES_PER_ADDRESS: '240/120' }).demoWriteAddressLimit,
    ).toEqual({ max: 240, windowSeconds: 120 });
    for (const bad of ['100/60', '1200', '0/60', 'lots']) {
      expect(() => loadConfig({ ...base, RATE_LIMIT_DEMO_WRITES_PER_ADDRESS: bad }), bad).toThrow(
        /^Invalid RATE_LIMIT_DEMO_WRITES_PER_ADDRESS:/,
      );
    }
    expect(() => loadConfig({ ...base, RATE_LIMIT_DEMO_WRITES_PER_ADDRESS: '100/60' })).toThrow(
      /fewer requests than RATE_LIMIT_DEMO_WRITES \(120\/60\)/,
    );
  });

  it('runs one process unless WORKERS asks for more, or one per core with auto', () => {
    const base = { DATA_DIR: dataDir(), SESSION_SECRET: secret };
    expect(loadConfig(base).workers).toBe(1);
    expect(loadConfig({ ...base, WORKERS: '2' }).workers).toBe(2);
    expect(loadConfig({ ...base, WORKERS: ' AUTO ' }).workers).toBe(
      Math.min(availableParallelism(), 64),
    );
    for (const bad of ['0', '65', '1.5', 'many', '-2', '2x']) {
      expect(() => loadConfig({ ...base, WORKERS: bad }), bad).toThrow(/^Invalid WORKERS:/);
    }
  });

  it('reads the per-address share of the demo stores, 1 to 1000', () => {
    const base = { DATA_DIR: dataDir(), SESSION_SECRET: secret };
    expect(loadConfig(base).demoSessionsPerAddress).toBe(100);
    expect(loadConfig({ ...base, DEMO_SESSIONS_PER_ADDRESS: '400' }).demoSessionsPerAddress).toBe(
      400,
    );
    for (const bad of ['0', '1001', '1.5', 'lots', '-3']) {
      expect(() => loadConfig({ ...base, DEMO_SESSIONS_PER_ADDRESS: bad }), bad).toThrow(
        /DEMO_SESSIONS_PER_ADDRESS/,
      );
    }
  });

  it('never echoes a secret in its error', () => {
    expect(() => loadConfig({ DATA_DIR: dataDir(), SESSION_SECRET: 'hunter2' })).toThrow(
      /^(?!.*hunter2)/,
    );
  });
});
