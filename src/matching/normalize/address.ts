import { memoizeString } from './memo.ts';
import { foldText } from './text.ts';
import {
  compactStreet,
  parseUsStreetLine,
  unitKeyOf,
  standardiseState,
  standardiseZip,
  addressWords,
  streetLine,
} from './us-address.ts';

/** A street line taken apart (USPS Publication 28 vocabulary). */
export interface ParsedStreet {
  /** House number as written, folded: '123', '123A', '123 1/2', '12-14'. Empty when absent. */
  houseNumber: string;
  /**
   * Street with directionals and suffix standardised: 'N MAIN ST'; a PO box or rural
   * route in its standard form ('PO BOX 12', 'RR 2 BOX 15'); a named place as written.
   */
  streetName: string;
  /**
   * Secondary units found in the street line, as the unit key of parseUsStreetLine:
   * an apartment's identifier ('APT 4B' → '4B'), any other unit with its designator
   * ('BLDG 2 APT 4' → 'BLDG 2 4'), then any words after the street nothing else read.
   * addressKeys takes off the address's own city, state and ZIP at its end.
   */
  unit: string;
  /** The line names a recipient: care of, attention (parseUsStreetLine's `careOf`). */
  careOf: boolean;
}

/**
 * Splits a street line into house number, standardised street name and any unit
 * written in it, with the same parser that reads whole one-line addresses
 * (see us-address.ts and docs/matching-addresses.md).
 * @example parseStreetLine('123 North Main Street Apt 4b') // { houseNumber: '123', streetName: 'N MAIN ST', unit: '4B' }
 */
export const parseStreetLine: (street: string) => Readonly<ParsedStreet> = memoizeString(
  (street) => {
    const { address: a, unitKey, careOf } = parseUsStreetLine(street);
    return Object.freeze({
      houseNumber: a.houseNumber,
      streetName: streetLine(a),
      unit: unitKey,
      careOf,
    });
  },
);

/**
 * One form for a standardised street name however its name words were spaced
 * ('LINDSAYSTREET' and 'LINDSAY ST' → '|LINDSAY|ST|'): compactStreet, memoised.
 * @example sameLetterStreet('PAUL COECRESCENT') === sameLetterStreet('PAUL COE CRES') // true
 */
export const sameLetterStreet: (streetName: string) => string = memoizeString(compactStreet);

/**
 * Two street names that may be one street with its suffix or a directional left off
 * on one side ('MAIN' and 'MAIN ST', 'MAIN ST' and 'N MAIN ST'): the same name words,
 * and each of directionals and suffix the same or written on one side only. Not
 * evidence enough to confirm (N MAIN ST and MAIN ST may be two streets), but enough to
 * count a namesake there as a rival (ADR 0014).
 * @example streetMayBeOne('MAIN', 'MAIN ST') // true
 * @example streetMayBeOne('MAIN AVE', 'MAIN ST') // false
 */
export function streetMayBeOne(a: string, b: string): boolean {
  const [preA, nameA, suffixA, postA] = sameLetterStreet(a).split('|');
  const [preB, nameB, suffixB, postB] = sameLetterStreet(b).split('|');
  const agree = (x = '', y = '') => x === y || !x || !y;
  return (
    !!nameA &&
    nameA === nameB &&
    agree(preA, preB) &&
    agree(suffixA, suffixB) &&
    agree(postA, postB)
  );
}

/**
 * A unit field as a unit key (unitKeyOf): 'Apt. 4-B' → '4B', '#12' → '12', 'Rear' →
 * 'REAR', 'Bldg 2 Apt 4' → 'BLDG 2 4', 'Flat 4' → 'FLAT 4'; '' for '-', '#', 'Apt' or
 * 'N/A'.
 */
export function normaliseUnit(unit: string): string {
  return unitKeyOf(unit);
}

/** USPS state code from a code or a name ('Calif.' → 'CA'); '' when unknown. */
export function normaliseState(state: string): string {
  return standardiseState(addressWords(state));
}

/**
 * A house number as matching compares and blocks on it: a letter written apart from
 * its number joined to it, leading zeros dropped ('7-A' and '7 A' are '7A', '012' is
 * '12'), so that a namesake written either way is paired and counted (ADR 0014).
 * Subject identities keep the number as parsed.
 * @example houseKey('007-B') // '7B'
 */
export function houseKey(houseNumber: string): string {
  return houseNumber.replace(/^0+(?=\d)/, '').replace(/(?<=\d)[- ](?=[A-Z]$)/, '');
}

/** The first five digits of a ZIP or ZIP+4; '' when it is not one. */
export function zip5(zip: string): string {
  return standardiseZip(zip);
}

/** An address reduced to the keys matching compares. */
export interface AddressKeys {
  street_key: string;
  unit_key: string;
  city_key: string;
  state: string;
  zip5: string;
}

/** @example addressKeys({ street: '12 Oak Avenue', unit: '', city: 'Reno', state: 'Nevada', zip: '89501-1234' }) */
export function addressKeys(a: {
  street: string;
  unit?: string | null;
  city?: string | null;
  state?: string | null;
  zip?: string | null;
}): AddressKeys {
  const parsed = parseStreetLine(a.street);
  // The unit field, else the street line's unit. A field that names none ('-', 'Apt')
  // does not hide a unit the street line names; two that differ are both kept, so
  // neither alone agrees.
  const city = foldText(a.city ?? '');
  const state = normaliseState(a.state ?? '');
  const zip = zip5(a.zip ?? '');
  const line = withoutLocality(parsed.unit, city, state, zip);
  const field = a.unit ? normaliseUnit(a.unit) : '';
  const unit = !field || field === line ? line || field : line ? `${line} ${field}` : field;
  return {
    street_key: [parsed.houseNumber, parsed.streetName].filter(Boolean).join(' '),
    unit_key: unit,
    city_key: city,
    state,
    zip5: zip,
  };
}

/**
 * A street line's unit key without the city, state or ZIP the line ends with ('12 Main
 * St Apt 2 Reno', '12 Main St, Reno NV 89501'): words the parser could not read stay in
 * the unit key, and the address's own locality is not a unit. Only the whole city comes
 * off, never a word of it alone: in Washington, D.C., 'APT D' keeps its D (ADR 0014).
 */
function withoutLocality(unit: string, city: string, state: string, zip: string): string {
  if (!unit) return unit;
  // The whole city, or the city without its single letters ('WASHINGTON D C' written
  // 'Washington DC'): never one of its words alone.
  const cities = [city, city.replace(/(^| )[A-Z](?= |$)/g, '').trim()].filter(Boolean);
  const words = unit.split(' ');
  while (words.length > 0) {
    const w = words[words.length - 1]!;
    // The unit key drops leading zeros: '07017' is there as '7017'.
    if (
      (!!zip && (zip5(w) === zip || zip5(`0${w}`) === zip)) ||
      (!!state && normaliseState(w) === state)
    ) {
      words.pop();
      continue;
    }
    const tail = cities.find((c) => (' ' + words.join(' ')).endsWith(' ' + c));
    if (!tail) break;
    words.splice(-tail.split(' ').length);
  }
  return words.join(' ');
}
