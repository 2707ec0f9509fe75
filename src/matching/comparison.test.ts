import { describe, expect, it } from 'vitest';
import {
  compare,
  genderTwins,
  spellingKey,
  withinOneEdit,
  type PersonFeatures,
} from './comparison.ts';
import { givenNamesCompatible } from './given-names.ts';

const nicknames = new Map([
  ['PEPE', 'JOSE'],
  ['BILL', 'WILLIAM'],
]);
const compatible = (a: string, b: string) => (nicknames.get(a) ?? a) === (nicknames.get(b) ?? b);

function person(over: Partial<PersonFeatures> = {}): PersonFeatures {
  const surnames = over.surnames ?? ['GARCIA', 'LOPEZ'];
  return {
    given: ['JOSE'],
    surnames,
    surnameKeys: over.surnameKeys ?? [surnames.join(' '), ...surnames],
    suffix: null,
    houseNumber: '12',
    streetName: 'N MAIN ST',
    unit: '',
    city: 'HOUSTON',
    state: 'TX',
    zip5: '77001',
    dob: null,
    ...over,
  };
}

describe('compare', () => {
  it('agrees on everything for the same person at the same address', () => {
    expect(compare(person(), person(), compatible)).toEqual({
      surname: 'exact',
      given: 'exact',
      house: 'exact',
      street: 'exact',
      unit: 'both_empty',
      locality: 'zip_exact',
      dob: 'missing',
      suffix: 'missing',
      swapped: false,
      middle: 'missing',
    });
  });

  it.each([
    ['one surname of two', { surnames: ['GARCIA'], surnameKeys: ['GARCIA'] }, { surname: 'part' }],
    [
      'a surname typo',
      { surnames: ['GARCIAA', 'LOPEZ'], surnameKeys: ['GARCIAA LOPEZ'] },
      { surname: 'typo' },
    ],
    ['a nickname', { given: ['PEPE'] }, { given: 'nickname' }],
    ['an initial', { given: ['J'] }, { given: 'initial' }],
    ['a second given name in the field', { given: ['MARIA', 'JOSE'] }, { given: 'other_given' }],
    ['another house number', { houseNumber: '14' }, { house: 'different' }],
    ['a street typo', { streetName: 'N MAIM ST' }, { street: 'typo' }],
    ['a care-of line', { careOf: true as const }, { street: 'exact', careOf: true }],
    [
      'a street without its directional',
      { streetName: 'MAIN ST' },
      { street: 'different', streetPartial: true },
    ],
    ['a conflicting unit', { unit: '4B' }, { unit: 'record_missing' }],
    ['no ZIP but the same city', { zip5: '' }, { locality: 'city_exact' }],
    [
      'no ZIP and another city',
      { zip5: '', city: 'DALLAS' },
      { locality: 'zip_missing_city_different' },
    ],
    ['another ZIP', { zip5: '77002' }, { locality: 'zip_different' }],
    ['a suffix conflict', { suffix: 'JR' }, { suffix: 'missing' }],
  ])('%s', (_what, req, expected) => {
    expect(compare(person(req), person(), compatible)).toMatchObject(expected);
  });

  it('calls a street with the same letters, spaced otherwise, the same street', () => {
    const street = (a: string, b: string) =>
      compare(person({ streetName: a }), person({ streetName: b }), compatible).street;
    expect(street('MOORESTREET', 'MOORE ST')).toBe('exact'); // suffix written onto the name
    expect(street('PAUL COECRESCENT', 'PAUL COE CRES')).toBe('exact');
    expect(street('KULGERA S TREET', 'KULGERA ST')).toBe('exact'); // a space inside a word
    expect(street('MC DONALD AVE', 'MCDONALD AVE')).toBe('exact');
    // Other letters stay another street, or a typo of it.
    expect(street('MAPLE ST', 'MAPLE AVE')).toBe('different');
    expect(street('MAPLEDALE DR', 'MAPLE DR')).toBe('different');
    expect(street('MOORESTREET', 'MOORE AVE')).toBe('different');
    expect(street('TEMPLETNO ST', 'TEMPLETON ST')).toBe('typo');
    // A directional or the suffix is not part of the name, nor one number of the next.
    for (const [a, b] of [
      ['1ST AVE N', '1ST AVE'],
      ['MEMORIAL PKWY S', 'MEMORIAL PKWY'],
      ['N ASH ST', 'NASH ST'],
      ['W ALTON ST', 'WALTON ST'],
      ['ELM CT S', 'ELM CTS'],
      ['MAIN PL N', 'MAIN PLN'],
      ['US HIGHWAY 1 9', 'US HIGHWAY 19'],
    ]) {
      expect(street(a!, b!), `${a} / ${b}`).not.toBe('exact');
    }
  });

  it('tells a unit present on both sides apart', () => {
    expect(compare(person({ unit: '4B' }), person({ unit: '4C' }), compatible).unit).toBe(
      'different',
    );
    expect(compare(person({ unit: '' }), person({ unit: '4C' }), compatible).unit).toBe(
      'request_missing',
    );
    expect(compare(person({ suffix: 'JR' }), person({ suffix: 'SR' }), compatible).suffix).toBe(
      'conflict',
    );
    expect(
      compare(person({ dob: '1980-01-01' }), person({ dob: '1981-01-01' }), compatible).dob,
    ).toBe('different');
  });

  it('recognises a given name and surname written in each other’s fields', () => {
    const v = compare(
      person({ given: ['GARCIA'], surnames: ['JOSE'], surnameKeys: ['JOSE'] }),
      person(),
      compatible,
    );
    expect(v).toMatchObject({ swapped: true, given: 'exact', surname: 'part' });
  });

  it.each([
    [
      'two surnames, one differing on each side (a parent and a child)',
      { surnames: ['GARCIA', 'PEREZ'], surnameKeys: ['GARCIA PEREZ', 'GARCIA', 'PEREZ'] },
      { surname: 'different' },
    ],
    [
      'two surnames, the differing ones a typo of each other',
      { surnames: ['GARCIA', 'LOPES'], surnameKeys: ['GARCIA LOPES', 'GARCIA', 'LOPES'] },
      { surname: 'typo' },
    ],
    ['a suffix on one side only', { suffix: 'JR' }, { suffix: 'missing', suffixOneSide: true }],
  ])('%s', (_what, req, expected) => {
    expect(compare(person(req), person(), compatible)).toMatchObject(expected);
  });

  it.each([
    ['a nickname of the second given name', ['BILL'], ['JOHN', 'WILLIAM'], 'other_given'],
    ['the second given name, nicknamed', ['JOHN', 'BILL'], ['WILLIAM'], 'other_given'],
    ['a nickname of the first given name', ['BILL', 'JAMES'], ['WILLIAM', 'JAMES'], 'nickname'],
    ['a typo in the first, the second the same', ['JOSR', 'LUIS'], ['JOSE', 'LUIS'], 'typo'],
    ['two listed names one edit apart', ['JOAN'], ['JOHN'], 'different'],
    ['two listed names one edit apart, reversed', ['FRANCIS'], ['FRANCES'], 'different'],
    ['names in the lists of given names, one edit apart', ['MARTA'], ['MARIA'], 'different'],
    ['a curated given name one edit from another', ['JOSUE'], ['JOSE'], 'different'],
    ['two curated Vietnamese names one edit apart', ['DUNG'], ['HUNG'], 'different'],
    ['two curated Chinese names one edit apart', ['JIN'], ['JING'], 'different'],
    ['a misspelt Vietnamese name', ['PHOUNG'], ['PHUONG'], 'typo'],
    ['two spellings of one name', ['SARA'], ['SARAH'], 'typo'],
    ['two spellings of one name, K for C', ['KANDACE'], ['CANDACE'], 'typo'],
    ['a misspelling nobody bears', ['MARIQ'], ['MARIA'], 'typo'],
  ])('given names: %s', (_what, reqGiven, recGiven, level) => {
    const v = compare(person({ given: reqGiven }), person({ given: recGiven }), compatible);
    expect(v.given).toBe(level);
  });

  it('marks a nickname both sexes bear, with the tables the engine uses', () => {
    const pat = compare(
      person({ given: ['PAT'] }),
      person({ given: ['PATRICIA'] }),
      givenNamesCompatible,
    );
    expect(pat).toMatchObject({ given: 'nickname', givenEitherSex: true });
    const bill = compare(
      person({ given: ['BILL'] }),
      person({ given: ['WILLIAM'] }),
      givenNamesCompatible,
    );
    expect(bill.given).toBe('nickname');
    expect(bill.givenEitherSex).toBeUndefined();
    // Read crosswise: PAT written as the surname.
    const crossed = compare(
      person({ given: ['SMITH'], surnames: ['PAT'], surnameKeys: ['PAT'] }),
      person({ given: ['PATRICIA'], surnames: ['SMITH'], surnameKeys: ['SMITH'] }),
      givenNamesCompatible,
    );
    expect(crossed).toMatchObject({ swapped: true, given: 'nickname', givenEitherSex: true });
  });

  it('marks a compound first name against its first part alone (JEAN-CLAUDE, JEAN)', () => {
    const jeanClaude = person({ given: ['JEAN', 'CLAUDE'], givenCompound: true });
    const cut = { given: 'exact', compoundCut: true };
    expect(compare(jeanClaude, person({ given: ['JEAN'] }), compatible)).toMatchObject(cut);
    expect(compare(person({ given: ['JEAN'] }), jeanClaude, compatible)).toMatchObject(cut);
    // The other side names a second given name: compared as a middle name instead.
    for (const other of [
      ['JEAN', 'C'],
      ['JEAN', 'CLAUDE'],
      ['JEAN', 'ROBERT'],
    ]) {
      const v = compare(jeanClaude, person({ given: other }), compatible);
      expect(v.compoundCut).toBeUndefined();
    }
    // Spaced, JEAN CLAUDE may be a first and a middle name.
    const spaced = compare(
      person({ given: ['JEAN', 'CLAUDE'] }),
      person({ given: ['JEAN'] }),
      compatible,
    );
    expect(spaced.compoundCut).toBeUndefined();
  });

  it('compares second given names read crosswise too', () => {
    const v = compare(
      person({ given: ['KIM'], surnames: ['MIN', 'JUN'], surnameKeys: ['MIN JUN', 'MIN', 'JUN'] }),
      person({ given: ['MIN', 'JAE'], surnames: ['KIM'], surnameKeys: ['KIM'] }),
      compatible,
    );
    expect(v).toMatchObject({ swapped: true, given: 'exact', middle: 'different' });
  });

  it('marks a nickname row joining two names borne in their own right (JOHN, JONATHAN)', () => {
    const v = compare(
      person({ given: ['JONATHAN'] }),
      person({ given: ['JOHN'] }),
      givenNamesCompatible,
    );
    expect(v).toMatchObject({ given: 'nickname', givenTwoNames: true });
    const bill = compare(
      person({ given: ['BILL'] }),
      person({ given: ['WILLIAM'] }),
      givenNamesCompatible,
    );
    expect(bill.givenTwoNames).toBeUndefined();
  });

  it('marks a spelling typo both sexes bear (KYLE, KYLIE)', () => {
    const v = compare(
      person({ given: ['KYLE'] }),
      person({ given: ['KYLIE'] }),
      givenNamesCompatible,
    );
    expect(v).toMatchObject({ given: 'typo', givenEitherSex: true });
    const philip = compare(
      person({ given: ['PHILIP'] }),
      person({ given: ['PHILLIP'] }),
      givenNamesCompatible,
    );
    expect(philip.given).toBe('typo');
    expect(philip.givenEitherSex).toBeUndefined();
  });

  it('does not call different people a match', () => {
    const v = compare(
      person({ given: ['MARIA'], surnames: ['NGUYEN'], surnameKeys: ['NGUYEN'] }),
      person(),
      compatible,
    );
    expect(v).toMatchObject({ given: 'different', surname: 'different', swapped: false });
  });
});

describe('spellingKey', () => {
  it.each([
    ['SARAH', 'SARA', true],
    ['KATHERINE', 'CATHERINE', true],
    ['MATTHEW', 'MATHEW', true],
    ['PHILLIP', 'FILIP', true],
    ['KRISTEN', 'KRISTIN', true],
    ['JOHN', 'JOAN', false],
    ['MARIA', 'MARTA', false],
    ['JOSE', 'JOSUE', false],
    ['ERIC', 'ERIN', false],
  ])('%s and %s spell one name: %s', (a, b, expected) => {
    expect(spellingKey(a) === spellingKey(b)).toBe(expected);
  });
});

describe('withinOneEdit and genderTwins', () => {
  it.each([
    ['GARCIA', 'GARCIA', true],
    ['GARCIA', 'GARSIA', true],
    ['GARCIA', 'GRACIA', true],
    ['GARCIA', 'GARCI', true],
    ['GARCIA', 'GARCIAS', true],
    ['GARCIA', 'GRCIAA', false],
    ['GARCIA', 'GARZIO', false],
    ['ANA', 'ANNAS', false],
  ])('%s ~ %s → %s', (a, b, expected) => {
    expect(withinOneEdit(a, b)).toBe(expected);
    expect(withinOneEdit(b, a)).toBe(expected);
  });

  it('tells masculine and feminine forms apart', () => {
    expect(genderTwins('JUAN', 'JUANA')).toBe(true);
    expect(genderTwins('MARIO', 'MARIA')).toBe(true);
    expect(genderTwins('LOUIS', 'LOUISE')).toBe(true);
    expect(genderTwins('JEAN', 'JEANNE')).toBe(true);
    expect(genderTwins('MARIA', 'MARTA')).toBe(false);
  });
});
