import { describe, expect, it } from 'vitest';
import {
  normaliseANumber,
  subjectHashes,
  subjectHashesToStore,
  subjectIdentifiers,
} from './subject-identity.ts';

describe('subjectIdentifiers', () => {
  const maria = { first_name: 'María', last_name: 'García', street: '123 Main Street' };

  it('gives one identifier per locality form, normalised', () => {
    expect(
      subjectIdentifiers({ ...maria, zip: '77001-1234', city: 'houston', state: 'Texas' }),
    ).toEqual([
      'person:v1:MARIA|GARCIA|123 MAIN ST|Z:77001',
      'person:v1:MARIA|GARCIA|123 MAIN ST|C:HOUSTON|TX',
      'person:v2:MARIA|GARCIA||123 MAIN ST|Z:77001',
      'person:v2:MARIA|GARCIA||123 MAIN ST|C:HOUSTON|TX',
    ]);
  });

  // The eighth hunt: each pair escaped a hold written the other way, though matching
  // compares the two names as exact.
  it.each([
    [
      { first_name: 'Sean', last_name: "O'Brien" },
      { first_name: 'SEAN', last_name: 'OBRIEN' },
    ],
    [
      { first_name: 'Đức', last_name: 'Nguyễn' },
      { first_name: 'Duc', last_name: 'Nguyen' },
    ],
    [
      { first_name: 'Maria Jose', last_name: 'Garcia' },
      { first_name: 'Maria', middle_name: 'Jose', last_name: 'Garcia' },
    ],
    [
      { first_name: 'Ann', last_name: 'McDonald' },
      { first_name: 'Ann', last_name: 'Mc Donald' },
    ],
    [
      { first_name: 'Marie', last_name: 'St. Louis' },
      { first_name: 'Marie', last_name: 'Saint Louis' },
    ],
    [
      { first_name: 'Juan', last_name: 'Garcia y Lopez' },
      { first_name: 'Juan', last_name: 'Garcia Lopez' },
    ],
    [
      { first_name: 'Maria del Carmen', last_name: 'Ruiz' },
      { first_name: 'Maria Carmen', last_name: 'Ruiz' },
    ],
  ])('names %o and %o as one subject', (hold, request) => {
    const place = { street: '12 Main St', zip: '89501' };
    const held = subjectIdentifiers({ ...hold, ...place });
    expect(subjectIdentifiers({ ...request, ...place }).filter((i) => held.includes(i))).toEqual([
      expect.stringMatching(/^person:v2:/),
    ]);
  });

  // v1 as 87a96e7 computed it (before migration 0015 read dashes as hyphens), run by
  // hand: holds placed then carry these hashes and must still match.
  it.each([
    ['12–14 Elm Ave', 'Reno', '1214 ELM AVE|C:RENO'],
    ['12‐14 Elm Ave', 'Reno', '1214 ELM AVE|C:RENO'],
    ['12−14 Elm Ave', 'Reno', '1214 ELM AVE|C:RENO'],
    ['12_14 Elm Ave', 'Reno', '1214 ELM AVE|C:RENO'],
    ['12－14 Elm Ave', 'Reno', '12-14 ELM AVE|C:RENO'],
    ['12﹣14 Elm Ave', 'Reno', '12-14 ELM AVE|C:RENO'],
    ['1 Main St', 'Winston–Salem', '1 MAIN ST|C:WINSTON SALEM'],
  ])('keeps v1 of %s, %s as read before dashes became hyphens', (street, city, key) => {
    const ids = subjectIdentifiers({
      first_name: 'Ann',
      last_name: 'Lee',
      street,
      city,
      state: 'NC',
    });
    expect(ids[0]).toBe(`person:v1:ANN|LEE|${key}|NC`);
  });

  it('keeps apart a junior and his senior; holds two given names on the first', () => {
    const place = { street: '12 Main St', zip: '89501' };
    const shared = (a: object, b: object) =>
      subjectIdentifiers({ ...a, ...place }).filter((i) =>
        subjectIdentifiers({ ...b, ...place }).includes(i),
      );
    expect(
      shared(
        { first_name: 'John', last_name: 'Smith Jr' },
        { first_name: 'John', last_name: 'Smith' },
      ),
    ).toEqual([]);
    // An order's John Robert Smith covers a request for John, John R or John + middle R,
    // as papers write a second given name or leave it out; the price is a sister who
    // shares the first given name (Maria Jose, Maria Luisa), the safe direction for a hold.
    for (const request of [
      { first_name: 'John', last_name: 'Smith' },
      { first_name: 'John R', last_name: 'Smith' },
      { first_name: 'John', middle_name: 'R', last_name: 'Smith' },
    ]) {
      expect(shared({ first_name: 'John Robert', last_name: 'Smith' }, request)).toEqual([
        expect.stringMatching(/^person:v2:JOHN\|SMITH\|\|/),
      ]);
    }
    expect(
      shared(
        { first_name: 'Maria Jose', last_name: 'Garcia' },
        { first_name: 'Maria Luisa', last_name: 'Garcia' },
      ),
    ).toHaveLength(1);
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

  it('stores v2 and the A-number, v1 only where there is no v2 (the window compares all)', () => {
    const h = (v: string) => `h(${v})`;
    const ana = { first_name: 'Ana', last_name: 'Lee', street: '12 Oak St', zip: '77001' };
    expect(subjectHashesToStore({ ...ana, a_number: 'A012345678' }, h)).toEqual({
      all: [
        'h(person:v1:ANA|LEE|12 OAK ST|Z:77001)',
        'h(person:v2:ANA|LEE||12 OAK ST|Z:77001)',
        'h(a_number:v1:012345678)',
      ],
      stored: ['h(person:v2:ANA|LEE||12 OAK ST|Z:77001)', 'h(a_number:v1:012345678)'],
    });
    // A name matching reads as none has no v2: its v1 is stored.
    const none = { ...ana, first_name: 'ʼ' };
    expect(subjectHashesToStore(none, h).stored).toEqual(subjectHashes(none, h));
    expect(subjectHashes(none, h)).toHaveLength(1);
  });

  it('hashes every identifier with the given keyed hash', () => {
    expect(subjectHashes({ a_number: 'A012345678' }, (v) => `h(${v})`)).toEqual([
      'h(a_number:v1:012345678)',
    ]);
  });
});
