import { describe, expect, it } from 'vitest';
import {
  applyDemoAction,
  DemoInputError,
  paddingKey,
  parseDemoAction,
} from '../../src/lab/demo-actions';
import { maxGrowBytes } from '../../src/lab/demo-api';

describe('parseDemoAction', () => {
  it('accepts JSON and form-shaped input', () => {
    expect(parseDemoAction({ action: 'set', key: 'user_id', value: '42' })).toEqual({
      action: 'set',
      key: 'user_id',
      value: '42',
    });
    expect(parseDemoAction({ action: 'grow', bytes: '1024' })).toEqual({
      action: 'grow',
      bytes: 1024,
      sendAnyway: false,
    });
    expect(parseDemoAction({ action: 'increment', key: '' })).toEqual({
      action: 'increment',
      key: undefined,
    });
    expect(parseDemoAction({ action: 'clear' })).toEqual({ action: 'clear' });
  });

  it('accepts the actions that act on the store or the browser', () => {
    expect(parseDemoAction({ action: 'grow', bytes: 5120, sendAnyway: true })).toMatchObject({
      sendAnyway: true,
    });
    expect(parseDemoAction({ action: 'grow', bytes: '5120', sendAnyway: 'on' })).toMatchObject({
      sendAnyway: true,
    });
    for (const action of ['destroy', 'revoke-all', 'second-session', 'restart-instance']) {
      expect(parseDemoAction({ action })).toEqual({ action });
    }
    expect(parseDemoAction({ action: 'tamper', cookie: 'session', value: 'eyJ.x_y-z' })).toEqual({
      action: 'tamper',
      cookie: 'session',
      value: 'eyJ.x_y-z',
    });
  });

  it.each([
    [null],
    [{ action: 'tamper', cookie: 'a b', value: 'x' }],
    [{ action: 'tamper', cookie: 'session', value: 'has space' }],
    [{ action: 'tamper', cookie: 'session', value: 'semi;colon' }],
    [{ action: 'tamper', cookie: 'session', value: 'x'.repeat(8193) }],
    [[]],
    ['set'],
    [{}],
    [{ action: 'drop-table' }],
    [{ action: 'set', key: '', value: 'x' }],
    [{ action: 'set', key: 'a/b', value: 'x' }],
    [{ action: 'set', key: 'k'.repeat(65), value: 'x' }],
    [{ action: 'set', key: 'k', value: 'x'.repeat(1025) }],
    [{ action: 'set', key: 'k', value: 42 }],
    [{ action: 'grow', bytes: -1 }],
    [{ action: 'grow', bytes: 1.5 }],
    [{ action: 'grow', bytes: maxGrowBytes + 1 }],
    [{ action: 'grow', bytes: '1e3' }],
  ])('refuses bad input #%# with a DemoInputError', (input) => {
    expect(() => parseDemoAction(input)).toThrow(DemoInputError);
  });
});

describe('applyDemoAction', () => {
  it('sets, increments and clears without touching the input', () => {
    const data = { counter: 2 };
    expect(applyDemoAction(data, { action: 'increment' })).toEqual({ counter: 3 });
    expect(applyDemoAction(data, { action: 'increment', key: 'visits' })).toEqual({
      counter: 2,
      visits: 1,
    });
    expect(applyDemoAction(data, { action: 'set', key: 'counter', value: 'x' })).toEqual({
      counter: 'x',
    });
    expect(applyDemoAction(data, { action: 'clear' })).toEqual({});
    expect(data).toEqual({ counter: 2 });
  });

  it.each([100, 1024, 3900, 5120, maxGrowBytes])(
    'grows the session JSON to exactly %i bytes',
    (bytes) => {
      const grown = applyDemoAction({ user_id: 'ü' }, { action: 'grow', bytes });
      expect(Buffer.byteLength(JSON.stringify(grown))).toBe(bytes);
      expect(grown.user_id).toBe('ü');
    },
  );

  it('pads with text that does not compress away', async () => {
    const { deflateSync } = await import('node:zlib');
    const grown = applyDemoAction({}, { action: 'grow', bytes: 4000 });
    expect(deflateSync(String(grown[paddingKey])).length).toBeGreaterThan(2500);
  });

  it('shrinks back when asked for less than the data already takes', () => {
    const grown = applyDemoAction({ a: 1 }, { action: 'grow', bytes: 2000 });
    expect(applyDemoAction(grown, { action: 'grow', bytes: 0 })).toEqual({ a: 1 });
  });

  it('takes a bounded workMs and a known fix on increment, from JSON or a form', () => {
    expect(parseDemoAction({ action: 'increment', workMs: 20, fix: 'lock' })).toEqual({
      action: 'increment',
      key: undefined,
      workMs: 20,
      fix: 'lock',
    });
    expect(parseDemoAction({ action: 'increment', workMs: '200', fix: 'none' })).toEqual({
      action: 'increment',
      key: undefined,
      workMs: 200,
    });
    for (const workMs of [-1, 201, 1.5, '1e2', 'soon']) {
      expect(() => parseDemoAction({ action: 'increment', workMs }), String(workMs)).toThrow(
        DemoInputError,
      );
    }
    expect(() => parseDemoAction({ action: 'increment', fix: 'magic' })).toThrow(DemoInputError);
  });
});
