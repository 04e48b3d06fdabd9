import { describe, expect, it } from 'vitest';
import {
  chooseCoding,
  isCompressibleType,
} from '../../src/server/platform/compression/content-coding';

describe('chooseCoding', () => {
  it('prefers Brotli among equals, as browsers offer it', () => {
    expect(chooseCoding('gzip, deflate, br, zstd')).toBe('br');
    expect(chooseCoding('br')).toBe('br');
  });

  it('falls back to gzip, x-gzip included, when Brotli is not offered or refused', () => {
    expect(chooseCoding('gzip, deflate')).toBe('gzip');
    expect(chooseCoding('x-gzip')).toBe('gzip');
    expect(chooseCoding('br;q=0, gzip')).toBe('gzip');
  });

  it('follows the client’s weights', () => {
    expect(chooseCoding('br;q=0.5, gzip;q=0.8')).toBe('gzip');
    expect(chooseCoding('br;q=0.9, gzip;q=0.8')).toBe('br');
  });

  it('reads * as any coding not named', () => {
    expect(chooseCoding('*')).toBe('br');
    expect(chooseCoding('br;q=0, *')).toBe('gzip');
    expect(chooseCoding('*;q=0')).toBeNull();
  });

  it('sends identity when nothing it has is acceptable', () => {
    expect(chooseCoding(undefined)).toBeNull();
    expect(chooseCoding('')).toBeNull();
    expect(chooseCoding('identity')).toBeNull();
    expect(chooseCoding('deflate, zstd')).toBeNull();
    expect(chooseCoding('br;q=0, gzip;q=0')).toBeNull();
    expect(chooseCoding('br;q=nonsense')).toBeNull();
  });
});

describe('isCompressibleType', () => {
  it('compresses text, JSON, JavaScript and SVG', () => {
    for (const type of [
      'text/html; charset=utf-8',
      'text/css',
      'text/javascript; charset=utf-8',
      'application/json; charset=utf-8',
      'application/manifest+json',
      'image/svg+xml',
    ]) {
      expect(isCompressibleType(type), type).toBe(true);
    }
  });

  it('leaves compressed formats and missing types alone', () => {
    for (const type of [
      'image/png',
      'font/woff2',
      'application/wasm',
      'application/octet-stream',
    ]) {
      expect(isCompressibleType(type), type).toBe(false);
    }
    expect(isCompressibleType(undefined)).toBe(false);
  });
});
