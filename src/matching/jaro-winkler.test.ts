import { describe, expect, it } from 'vitest';
import { jaroWinkler } from './jaro-winkler.ts';

describe('jaroWinkler', () => {
  // Reference values from Winkler (1990) and the common textbook examples.
  it.each([
    ['MARTHA', 'MARHTA', 0.961],
    ['DWAYNE', 'DUANE', 0.84],
    ['DIXON', 'DICKSONX', 0.813],
    ['JELLYFISH', 'SMELLYFISH', 0.896],
  ])('%s ~ %s = %f', (a, b, expected) => {
    expect(jaroWinkler(a, b)).toBeCloseTo(expected, 3);
  });

  it('is 1 for equal strings and 0 with nothing in common', () => {
    expect(jaroWinkler('GARCIA', 'GARCIA')).toBe(1);
    expect(jaroWinkler('ABC', 'XYZ')).toBe(0);
    expect(jaroWinkler('', 'A')).toBe(0);
  });

  it('is symmetric', () => {
    for (const [a, b] of [
      ['GONZALEZ', 'GONZALES'],
      ['NGUYEN', 'NGUYN'],
      ['A', 'AB'],
    ]) {
      expect(jaroWinkler(a!, b!)).toBeCloseTo(jaroWinkler(b!, a!), 12);
    }
  });
});
