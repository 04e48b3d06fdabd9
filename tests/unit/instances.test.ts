import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InstanceError, InstanceSimulator, isNamedInstance } from '../../src/lab/instances';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'session-lab-instances-'));
});
afterEach(() => rm(dataDir, { recursive: true, force: true }));

describe('simulated instances', () => {
  it('has exactly four named instances, whatever a number parser would accept', () => {
    const instances = new InstanceSimulator(dataDir);
    expect(['1', '2', '3', '4'].map(isNamedInstance)).toEqual([true, true, true, true]);
    for (const alias of ['01', '1.0', '0x1', '+1', '1e0', ' 1', '1 ', '0', '5', '10', '', '٢']) {
      expect(isNamedInstance(alias), alias).toBe(false);
      expect(() => instances.resolve(alias), alias).toThrow(InstanceError);
    }
    expect(instances.resolve('1')).toBe(instances.resolve(null));
    expect(instances.resolve('4')).toBe(instances.resolve('4'));
  });

  it('makes every "fresh" instance new and for one request only', () => {
    const instances = new InstanceSimulator(dataDir);
    const first = instances.resolve('fresh');
    const second = instances.resolve('fresh');
    expect(first.id).not.toBe(second.id);
    expect(first.oneRequest).toBe(true);
    expect(instances.resolve('2').oneRequest).toBeUndefined();
  });

  it('removes one-request directories left from before, and only those', async () => {
    const root = path.join(dataDir, 'instances');
    await mkdir(path.join(root, 'fresh-abc'), { recursive: true });
    await writeFile(path.join(root, 'fresh-abc', 'session'), '{}');
    await mkdir(path.join(root, '2'), { recursive: true });
    expect(new InstanceSimulator(dataDir).removeLeftovers()).toBe(1);
    expect(existsSync(path.join(root, 'fresh-abc'))).toBe(false);
    expect(existsSync(path.join(root, '2'))).toBe(true);
  });
});
