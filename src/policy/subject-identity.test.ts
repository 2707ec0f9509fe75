import { describe, expect, it } from 'vitest';
import { normaliseANumber, subjectHashes, subjectIdentifiers } from './subject-identity.ts';

describe('subjectIdentifiers', () => {
  const maria = { first_name: 'María', last_name: 'García', street: '123 Main Street' };

  it('gives one identifier per locality form, normalised', () => {
    expect(
      subjectIdentifiers({ ...maria, zip: '77001-1234', city: 'houston', state: 'Texas' }),
    ).toEqual([
      'person:v1:MARIA|GARCIA|123 MAIN ST|Z:77001',
      'person:v1:MARIA|GARCIA|123 MAIN ST|C:HOUSTON|TX',
    ]);
  });

  it('ignores the unit in the street line, so a unit cannot escape a hold', () => {
    expect(subjectIdentifiers({ ...maria, street: '123 Main St Apt 4', zip: '77001' })).toEqual(
      subjectIdentifiers({ ...maria, zip: '77001' }),
    );
  });

  it('names nobody without a house number and street, a locality, or a name', () => {
    expect(subjectIdentifiers({ ...maria, street: '77001', zip: '77001' })).toEqual([]);
    expect(subjectIdentifiers({ ...maria, street: 'Main St', zip: '77001' })).toEqual([]);
    expect(subjectIdentifiers({ ...maria })).toEqual([]);
    expect(subjectIdentifiers({ ...maria, first_name: '', zip: '77001' })).toEqual([]);
    expect(subjectIdentifiers({ first_name: 1, last_name: {}, street: [], zip: 77001 })).toEqual(
      [],
    );
  });

  it('adds the A-number, digits only', () => {
    expect(normaliseANumber('A-012 345 678')).toBe('012345678');
    expect(normaliseANumber('12345678')).toBe('012345678');
    expect(normaliseANumber('A12')).toBe('');
    expect(normaliseANumber('A1234567890')).toBe('');
    expect(subjectIdentifiers({ a_number: 'a012345678' })).toEqual(['a_number:v1:012345678']);
  });

  it('hashes every identifier with the given keyed hash', () => {
    expect(subjectHashes({ a_number: 'A012345678' }, (v) => `h(${v})`)).toEqual([
      'h(a_number:v1:012345678)',
    ]);
  });
});
