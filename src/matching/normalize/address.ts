import { memoizeString } from './memo.ts';
import { foldText } from './text.ts';
import {
  compactStreet,
  parseUnit,
  parseUsStreet,
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
  /** Secondary unit found in the street line ('APT 4B', '#4B'), as its identifier only. */
  unit: string;
}

/**
 * Splits a street line into house number, standardised street name and any unit
 * written in it, with the same parser that reads whole one-line addresses
 * (see us-address.ts and docs/matching-addresses.md).
 * @example parseStreetLine('123 North Main Street Apt 4b') // { houseNumber: '123', streetName: 'N MAIN ST', unit: '4B' }
 */
export const parseStreetLine: (street: string) => Readonly<ParsedStreet> = memoizeString(
  (street) => {
    const a = parseUsStreet(street);
    return Object.freeze({
      houseNumber: a.houseNumber,
      streetName: streetLine(a),
      unit: a.unitId || a.unitType,
    });
  },
);

/**
 * One form for a standardised street name however its name words were spaced
 * ('LINDSAYSTREET' and 'LINDSAY ST' → '|LINDSAY|ST|'): compactStreet, memoised.
 * @example sameLetterStreet('PAUL COECRESCENT') === sameLetterStreet('PAUL COE CRES') // true
 */
export const sameLetterStreet: (streetName: string) => string = memoizeString(compactStreet);

/** Unit identifier without its designator: 'Apt. 4-B' → '4B', '#12' → '12', 'Rear' → 'REAR'. */
export function normaliseUnit(unit: string): string {
  const u = parseUnit(unit);
  return u.unitId || (u.unitType === '#' ? '' : u.unitType);
}

/** USPS state code from a code or a name ('Calif.' → 'CA'); '' when unknown. */
export function normaliseState(state: string): string {
  return standardiseState(addressWords(state));
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
  const unit = a.unit ? normaliseUnit(a.unit) : parsed.unit;
  return {
    street_key: [parsed.houseNumber, parsed.streetName].filter(Boolean).join(' '),
    unit_key: unit,
    city_key: foldText(a.city ?? ''),
    state: normaliseState(a.state ?? ''),
    zip5: zip5(a.zip ?? ''),
  };
}
