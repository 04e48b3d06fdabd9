import { describe, expect, it } from 'vitest';
import { newMarker, probeAnswer, summarize } from '../../src/components/demo/process-probe';
import { report } from './demo-fixtures';

const answeredBy = (pid: number, data: Record<string, unknown>, processes = 2) => ({
  ...report({ where: 'server', data }),
  servedBy: { host: 'lab-host', pid, processes },
});

describe('the real-process check', () => {
  it('counts, per answering process, the reads that found the marked value', () => {
    const marker = 'probe-abc';
    const saved = answeredBy(100, { probe: marker });
    const reads = [
      probeAnswer(1, answeredBy(200, {}), marker),
      probeAnswer(2, answeredBy(100, { probe: marker }), marker),
      probeAnswer(3, answeredBy(200, { probe: 'probe-older' }), marker),
      probeAnswer(4, answeredBy(100, { probe: marker }), marker),
    ];
    expect(reads.map((read) => [read.pid, read.found])).toEqual([
      [200, false],
      [100, true],
      [200, false],
      [100, true],
    ]);
    expect(summarize(saved, reads)).toEqual({
      processes: 2,
      savedBy: { host: 'lab-host', pid: 100, processes: 2 },
      byProcess: [
        { pid: 200, host: 'lab-host', reads: 2, found: 0 },
        { pid: 100, host: 'lab-host', reads: 2, found: 2 },
      ],
    });
  });

  it('makes a new marker each press, so an earlier press cannot count as found', () => {
    expect(newMarker()).not.toBe(newMarker());
  });
});
