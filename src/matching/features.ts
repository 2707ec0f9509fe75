import type { PersonFeatures } from './comparison.ts';
import { addressKeys, houseKey, parseStreetLine } from './normalize/address.ts';
import { parsePersonName, surnameKeys } from './normalize/person-name.ts';

/** A person at an address as requests and returns both carry it. */
export interface PersonRecord {
  first_name: string;
  middle_name?: string | null;
  last_name: string;
  street: string;
  unit?: string | null;
  city?: string | null;
  state?: string | null;
  zip?: string | null;
  dob?: string | null;
}

/**
 * Reduces a person at an address to the features the engine compares. Requests
 * and taxpayers' addresses of record go through this one function, so both sides
 * are normalised alike.
 * @example personFeatures({ first_name: 'José', last_name: 'de la Cruz', street: '12 N Main St', zip: '77001' })
 */
export function personFeatures(p: PersonRecord): PersonFeatures {
  const name = parsePersonName({
    first_name: p.first_name,
    middle_name: p.middle_name ?? '',
    last_name: p.last_name,
  });
  const address = addressKeys({
    street: p.street,
    unit: p.unit ?? '',
    city: p.city ?? '',
    state: p.state ?? '',
    zip: p.zip ?? '',
  });
  const street = parseStreetLine(p.street);
  return {
    given: name.given,
    surnames: name.surnames,
    surnameKeys: surnameKeys(name),
    suffix: name.suffix,
    ...(name.compoundGiven ? { givenCompound: true as const } : {}),
    houseNumber: houseKey(street.houseNumber),
    ...(street.careOf ? { careOf: true as const } : {}),
    streetName: street.streetName,
    unit: address.unit_key,
    city: address.city_key,
    state: address.state,
    zip5: address.zip5,
    dob: p.dob || null,
  };
}

/** The longest token of a street name: its most distinctive word ('N MAIN ST' → 'MAIN'). */
function streetCore(streetName: string): string {
  return streetName.split(' ').reduce((a, b) => (b.length > a.length ? b : a), '');
}

/**
 * Blocking keys: a union chosen so that every pair the decision rules could
 * confirm shares at least one key (docs/matching.md#blocking). A confirmation
 * needs the house number and the ZIP (or city and state) to agree, so:
 * ZIP + house number; state + street word + house number (a wrong or missing ZIP).
 * A surname + ZIP key would also find people at other house numbers, only to
 * refuse them, and grows with the store (a common surname in a ZIP): left out.
 */
export function blockingKeys(f: PersonFeatures): string[] {
  const keys = new Set<string>();
  if (f.zip5 && f.houseNumber) keys.add(`z|${f.zip5}|${f.houseNumber}`);
  const core = streetCore(f.streetName);
  if (f.state && core && f.houseNumber) keys.add(`s|${f.state}|${core}|${f.houseNumber}`);
  return [...keys];
}
