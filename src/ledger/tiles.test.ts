import { describe, expect, it } from 'vitest';
import { encodeEntryBundle, formatTileIndex, formatTilePath, parseTilePath } from './tiles.ts';

describe('tlog-tiles paths', () => {
  it('writes indexes in x-prefixed 3-digit groups', () => {
    expect(formatTileIndex(0)).toBe('000');
    expect(formatTileIndex(5)).toBe('005');
    expect(formatTileIndex(1000)).toBe('x001/000');
    expect(formatTileIndex(1234067)).toBe('x001/x234/067');
  });

  it('parses canonical paths, full and partial, hashes and entries', () => {
    expect(parseTilePath('0/x001/x234/067')).toEqual({ level: 0, index: 1234067, width: 256 });
    expect(parseTilePath('1/000.p/7')).toEqual({ level: 1, index: 0, width: 7 });
    expect(parseTilePath('entries/x002/001.p/255')).toEqual({
      level: null,
      index: 2001,
      width: 255,
    });
    expect(formatTilePath({ level: 2, index: 1000, width: 3 })).toBe('2/x001/000.p/3');
  });

  it('refuses anything but the one canonical form', () => {
    for (const bad of [
      '00/000', // leading zero in L
      '64/000', // level beyond 63
      '0/5', // index not in 3 digits
      '0/x000/005', // non-minimal groups
      '0/001/002', // missing x prefix
      '0/000.p/0',
      '0/000.p/07',
      '0/000.p/256',
      '0/000.p/300',
      'hashes/000',
      '0/000/',
      '0/x001',
    ]) {
      expect(parseTilePath(bad), bad).toBeNull();
    }
  });

  it('encodes entry bundles with uint16 big-endian lengths', () => {
    const bundle = encodeEntryBundle([Uint8Array.of(1, 2, 3), new Uint8Array(0), Uint8Array.of(9)]);
    expect(Buffer.from(bundle).toString('hex')).toBe('00030102030000000109');
    expect(() => encodeEntryBundle([new Uint8Array(0x10000)])).toThrow(RangeError);
  });
});
