import { describe, expect, it } from 'vitest';
import {
  addressKeys,
  houseKey,
  normaliseState,
  normaliseUnit,
  parseStreetLine,
  sameLetterStreet,
  streetMayBeOne,
  zip5,
  type AddressKeys,
  type ParsedStreet,
} from './address.ts';

describe('parseStreetLine', () => {
  it.each<[string, Omit<ParsedStreet, 'careOf'>]>([
    ['123 Main St', { houseNumber: '123', streetName: 'MAIN ST', unit: '' }],
    ['123 Main Street', { houseNumber: '123', streetName: 'MAIN ST', unit: '' }],
    ['123 North Main Street', { houseNumber: '123', streetName: 'N MAIN ST', unit: '' }],
    ['123 north main street', { houseNumber: '123', streetName: 'N MAIN ST', unit: '' }],
    ['123 Main Street North', { houseNumber: '123', streetName: 'MAIN ST N', unit: '' }],
    ['123 Southwest Oak Avenue', { houseNumber: '123', streetName: 'SW OAK AVE', unit: '' }],
    ['123 North Main Street Apt 4b', { houseNumber: '123', streetName: 'N MAIN ST', unit: '4B' }],
    ['123 Main St Apartment 4B', { houseNumber: '123', streetName: 'MAIN ST', unit: '4B' }],
    ['123 Main St #4B', { houseNumber: '123', streetName: 'MAIN ST', unit: '4B' }],
    ['123 Main St # 4B', { houseNumber: '123', streetName: 'MAIN ST', unit: '4B' }],
    ['123 Main St, Suite 200', { houseNumber: '123', streetName: 'MAIN ST', unit: 'STE 200' }],
    ['123 Main St Unit 2', { houseNumber: '123', streetName: 'MAIN ST', unit: '2' }],
    ['123A Main St', { houseNumber: '123A', streetName: 'MAIN ST', unit: '' }],
    ['123 1/2 Main St', { houseNumber: '123 1/2', streetName: 'MAIN ST', unit: '' }],
    ['1 Ñandú Boulevard', { houseNumber: '1', streetName: 'NANDU BLVD', unit: '' }],
    ['10 North St', { houseNumber: '10', streetName: 'NORTH ST', unit: '' }],
    ['Main St', { houseNumber: '', streetName: 'MAIN ST', unit: '' }],
    ['123A', { houseNumber: '123A', streetName: '', unit: '' }],
    ['', { houseNumber: '', streetName: '', unit: '' }],
  ])('%j → %j', (street, expected) => {
    expect(parseStreetLine(street)).toEqual({ ...expected, careOf: false });
  });

  it.each([
    ['c/o Mary Jones, 12 Main St', true],
    ['C/O MARY JONES 12 MAIN ST', true],
    ['Attn: Mary Jones, 12 Main St', true],
    ['Care of Mary Jones, 12 Main St', true],
    ['Erin Johnson c/o DTZ Suite 1800 77 W Wacker Dr', true],
    ['12 Co Rd 5', false],
    ['12 Care St', false],
  ])('%j names a recipient: %s', (street, careOf) => {
    expect(parseStreetLine(street)).toMatchObject({ houseNumber: expect.any(String), careOf });
  });
});

describe('normaliseUnit', () => {
  it.each([
    ['4B', '4B'],
    ['4b', '4B'],
    ['#4B', '4B'],
    ['# 4B', '4B'],
    ['Apt 4b', '4B'],
    ['Apt. 4-B', '4B'],
    ['APARTMENT 4B', '4B'],
    ['Suite 200', 'STE 200'],
    ['Unit 2', '2'],
    ['#12', '12'],
    ['', ''],
    // One identifier written apart is joined; two numbers stay apart (building 1, apt 2).
    ['4 B', '4B'],
    ['A 1', 'A1'],
    ['1 2', '1 2'],
    ['3 1/2', '3 1/2'],
    // Any dash is a hyphen and an underscore a space; neither joins two numbers (the
    // eighth hunt: en dash, U+2010 and '_' gave '12').
    ['Apt 1–2', '1-2'],
    ['Apt 1‐2', '1-2'],
    ['Apt 1−2', '1-2'],
    ['Apt 1_2', '1 2'],
  ])('%j → %j', (unit, expected) => {
    expect(normaliseUnit(unit)).toBe(expected);
  });
});

describe('normaliseState', () => {
  it.each([
    ['TX', 'TX'],
    ['tx', 'TX'],
    ['Texas', 'TX'],
    ['TEXAS', 'TX'],
    ['Tex.', 'TX'],
    ['Calif.', 'CA'],
    ['California', 'CA'],
    ['New York', 'NY'],
    ['new  york', 'NY'],
    ['North Carolina', 'NC'],
    ['District of Columbia', 'DC'],
    ['West Virginia', 'WV'],
    ['W. Va.', 'WV'],
    ['Fla', 'FL'],
    ['Texass', ''],
    ['XX', ''],
    ['', ''],
  ])('%j → %j', (state, expected) => {
    expect(normaliseState(state)).toBe(expected);
  });
});

describe('zip5', () => {
  it.each([
    ['77001', '77001'],
    [' 77001 ', '77001'],
    ['77001-1234', '77001'],
    ['77001 1234', '77001'],
    ['770011234', '77001'],
    ['07001', '07001'],
    ['7700', ''],
    ['770011', ''],
    ['77001-12', ''],
    ['ABCDE', ''],
    ['', ''],
  ])('%j → %j', (zip, expected) => {
    expect(zip5(zip)).toBe(expected);
  });
});

describe('addressKeys', () => {
  it.each<[Parameters<typeof addressKeys>[0], AddressKeys]>([
    [
      { street: '12 Oak Avenue', unit: '', city: 'Reno', state: 'Nevada', zip: '89501-1234' },
      { street_key: '12 OAK AVE', unit_key: '', city_key: 'RENO', state: 'NV', zip5: '89501' },
    ],
    [
      { street: '123 North Main Street Apt 4b', city: 'Houston', state: 'Texas', zip: '77001' },
      {
        street_key: '123 N MAIN ST',
        unit_key: '4B',
        city_key: 'HOUSTON',
        state: 'TX',
        zip5: '77001',
      },
    ],
    [
      { street: '123 N Main St', unit: '#4B', city: 'Houston', state: 'TX', zip: '77001' },
      {
        street_key: '123 N MAIN ST',
        unit_key: '4B',
        city_key: 'HOUSTON',
        state: 'TX',
        zip5: '77001',
      },
    ],
    [
      {
        street: '5 Calle Peñón',
        unit: null,
        city: 'San Juan Bautista',
        state: 'Calif.',
        zip: null,
      },
      {
        street_key: '5 CALLE PENON',
        unit_key: '',
        city_key: 'SAN JUAN BAUTISTA',
        state: 'CA',
        zip5: '',
      },
    ],
    [
      { street: '1 Elm Ct' },
      { street_key: '1 ELM CT', unit_key: '', city_key: '', state: '', zip5: '' },
    ],
  ])('%j', (address, expected) => {
    expect(addressKeys(address)).toEqual(expected);
  });

  it('the same address written two ways gives the same keys', () => {
    const a = addressKeys({
      street: '123 North Main Street Apt 4b',
      city: 'houston',
      state: 'texas',
      zip: '77001-0001',
    });
    const b = addressKeys({
      street: '123 N. Main St.',
      unit: 'APT 4-B',
      city: 'HOUSTON',
      state: 'TX',
      zip: '77001',
    });
    expect(a).toEqual(b);
  });

  it('keeps a unit field and a street-line unit that differ, so neither alone agrees', () => {
    expect(addressKeys({ street: '123 Main St Apt 4', unit: '5' }).unit_key).toBe('4 5');
    expect(addressKeys({ street: '123 Main St Apt 4', unit: '#4' }).unit_key).toBe('4');
    expect(addressKeys({ street: '123 Main St', unit: 'Apt 5' }).unit_key).toBe('5');
  });

  it('lets no placeholder in the unit field hide the street line’s unit', () => {
    for (const unit of ['-', '#', 'Apt', 'N/A', 'none']) {
      expect(addressKeys({ street: '123 Main St Apt 4', unit }).unit_key).toBe('4');
      expect(addressKeys({ street: '123 Main St', unit }).unit_key).toBe('');
    }
  });

  it.each([
    ['12 Main St Flat 4', 'FLAT 4'],
    ['12 Main St Upstairs', 'UPSTAIRS'],
    ['12 Main St Upper', 'UPPR'],
    ['12 Main St Bldg 2 Apt 4', 'BLDG 2 4'],
    ['12 Main St Rear Apt 1', 'REAR 1'],
    ['12 Main St Apt 4 Unit 5', '4 5'],
    ['12 Main St, Flat 4', 'FLAT 4'],
    ['12 Main St Apt 4B', '4B'],
    ['12 Main Pl ace', ''],
    ['12 Main St Apt Rear', 'REAR'],
    ['12 Main St Apt Upper Level', 'UPPR LEVEL'],
    ['12 Main St Fl 2', 'FL 2'],
    ['12 Main St 2nd Floor', 'FL 2'],
    ['12 Main Str eet Flat 4', 'FLAT 4'],
    // ADR 0014: words before the house number, building words before a unit, a
    // hyphenated designator.
    ['Upstairs, 12 Main St', 'UPSTAIRS'],
    ['Flat 4 12 Main St', 'FLAT 4'],
    ['B 12 Main St', 'B'],
    ['12 Main St, Tower A Apt 4', '4 TOWER A'],
    ['12 Main St Apt-4', '4'],
    ['12 Main St, Top Fl', 'TOP'],
  ])('reads every unit of %s, and words nothing else read: %s', (street, unit) => {
    expect(parseStreetLine(street).unit).toBe(unit);
  });

  it.each([
    ['12 Main St, Reno NV 89501', 'Reno', ''],
    ['12 Main St Apt 2 Reno', 'Reno', '2'],
    ['12 Main St, Reno NV 89501', 'Sparks', 'RENO'],
    ['12 Main St NW Apt D', 'Washington, D.C.', 'D'],
    ['12 Main St Apt E', 'E. Orange', 'E'],
    ['12 Main St Garden', 'Garden Grove', 'GARDEN'],
    ['12 Main St, Washington DC 20001', 'Washington, D.C.', ''],
  ])(
    'takes only the address’s own whole city, state and ZIP off %s (%s): %s',
    (street, city, key) => {
      const zip =
        city === 'Reno' || city === 'Sparks' ? '89501' : city === 'E. Orange' ? '07017' : '20001';
      const state =
        city === 'Reno' || city === 'Sparks' ? 'NV' : city === 'E. Orange' ? 'NJ' : 'DC';
      expect(addressKeys({ street, city, state, zip }).unit_key).toBe(key);
    },
  );

  it('takes off a ZIP with a leading zero written in the line', () => {
    expect(
      addressKeys({
        street: '12 Main St, East Orange NJ 07017',
        city: 'East Orange',
        state: 'NJ',
        zip: '07017',
      }).unit_key,
    ).toBe('');
  });

  it.each([
    ['Flat 4', 'FLAT 4'],
    ['Bldg 2 Apt 4', 'BLDG 2 4'],
    ['Apt 4, Bldg 3', '4 BLDG 3'],
    ['Upper', 'UPPR'],
    ['Unit 4-B', '4B'],
  ])('reads the unit field %s as %s', (unit, key) => {
    expect(addressKeys({ street: '12 Main St', unit }).unit_key).toBe(key);
  });

  it('reads a fraction written as one character as a fraction', () => {
    expect(parseStreetLine('12½ Main St').houseNumber).toBe('12 1/2');
    expect(parseStreetLine('12 ½ Main St').houseNumber).toBe('12 1/2');
    expect(parseStreetLine('12¼ Main St').houseNumber).toBe('12 1/4');
    expect(parseStreetLine('12 1⁄2 Main St').houseNumber).toBe('12 1/2');
    expect(parseStreetLine('12½ Main St').houseNumber).not.toBe(
      parseStreetLine('1212 Main St').houseNumber,
    );
  });
});

describe('parseStreetLine: regressions', () => {
  it('reads unit words inside street names as street names', () => {
    expect(parseStreetLine('100 N Front St')).toEqual({
      houseNumber: '100',
      streetName: 'N FRONT ST',
      unit: '',
      careOf: false,
    });
    expect(parseStreetLine('100 N Pier Rd')).toEqual({
      houseNumber: '100',
      streetName: 'N PIER RD',
      unit: '',
      careOf: false,
    });
    expect(parseStreetLine('9 Lower Rd')).toEqual({
      houseNumber: '9',
      streetName: 'LOWER RD',
      unit: '',
      careOf: false,
    });
  });

  it('keeps two streets that differ only in a unit-like word apart', () => {
    const a = addressKeys({ street: '100 N Front St', unit: 'Apt 2', zip: '19106' });
    const b = addressKeys({ street: '100 N Pier Rd', unit: 'Apt 2', zip: '19106' });
    expect(a.street_key).not.toBe(b.street_key);
  });

  it('still finds a unit that ends the street line', () => {
    expect(parseStreetLine('100 N Front St Apt 2')).toEqual({
      houseNumber: '100',
      streetName: 'N FRONT ST',
      unit: '2',
      careOf: false,
    });
    expect(parseStreetLine('5 Oak Ave Unit C').unit).toBe('C');
  });

  it('parses hyphenated house numbers', () => {
    expect(parseStreetLine('12-14 Main St')).toEqual({
      houseNumber: '12-14',
      streetName: 'MAIN ST',
      unit: '',
      careOf: false,
    });
  });
});

describe('sameLetterStreet', () => {
  it.each([
    ['LINDSAYSTREET', '|LINDSAY|ST|'],
    ['LINDSAY ST', '|LINDSAY|ST|'],
    ['PAUL COECRESCENT', '|PAULCOE|CRES|'],
    ['PAUL COE CRES', '|PAULCOE|CRES|'],
    ['KULGERA S TREET', '|KULGERA|ST|'],
    ['MAPLEAVENUE', '|MAPLE|AVE|'],
    ['MOORE ST', '|MOORE|ST|'], // its own suffix: nothing more is taken for one
    // Directionals and the suffix stay words of their own.
    ['N MAIN ST', 'N|MAIN|ST|'],
    ['1ST AVE N', '|1ST|AVE|N'],
    ['ELM CT S', '|ELM|CT|S'],
    // A number does not run into the next.
    ['US HIGHWAY 1 9', '|USHIGHWAY1 9||'],
    // Endings shorter than four letters are left: they end real names.
    ['BROADWAY', '|BROADWAY||'],
    // A name that only is a suffix word keeps it.
    ['PLACE', '|PLACE||'],
    ['', '|||'],
  ])('%s → %s', (street, expected) => {
    expect(sameLetterStreet(street)).toBe(expected);
  });
});

describe('streetMayBeOne', () => {
  it.each<[string, string, boolean]>([
    ['MAIN', 'MAIN ST', true],
    ['MAIN ST', 'N MAIN ST', true],
    ['MAIN ST', 'MAIN ST NW', true],
    ['MAINSTREET', 'MAIN', true],
    ['N MAIN ST', 'S MAIN ST', false],
    ['MAIN AVE', 'MAIN ST', false],
    ['MAIN ST', 'MAPLE ST', false],
    ['', '', false],
  ])('%s, %s → %s', (a, b, expected) => {
    expect(streetMayBeOne(a, b)).toBe(expected);
    expect(streetMayBeOne(b, a)).toBe(expected);
  });
});

describe('houseKey (ADR 0014)', () => {
  it.each([
    ['7-A', '7A'],
    ['7A', '7A'],
    ['012', '12'],
    ['007-B', '7B'],
    ['0', '0'],
    ['12 1/2', '12 1/2'],
    ['123-45', '123-45'],
    ['12-14', '12-14'],
    ['W123N456', 'W123N456'],
  ])('%s → %s', (house, key) => {
    expect(houseKey(house)).toBe(key);
  });

  it('is what the parser reads of 7 A, 7-A and 7A alike', () => {
    const keys = ['7 A Main St', '7-A Main St', '7A Main St'].map((s) =>
      houseKey(parseStreetLine(s).houseNumber),
    );
    expect(new Set(keys)).toEqual(new Set(['7A']));
  });
});
