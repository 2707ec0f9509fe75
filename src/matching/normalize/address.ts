import { foldText } from './text.ts';
import { readList, readMappingTable } from './tables.ts';

const SUFFIXES = readMappingTable('usps-pub28/street_suffix_abbreviations.csv');
const DIRECTIONALS = readMappingTable('usps-pub28/directionals.csv');
const UNIT_DESIGNATORS = readMappingTable('usps-pub28/secondary_unit_designators.csv');
const STATES = readMappingTable('usps-pub28/state_name_variants.csv');
for (const code of readList('usps-pub28/state_codes.txt')) STATES.set(code, code);
for (const abbr of new Set(DIRECTIONALS.values())) DIRECTIONALS.set(abbr, abbr);
for (const abbr of new Set(UNIT_DESIGNATORS.values())) UNIT_DESIGNATORS.set(abbr, abbr);

/** A street line taken apart (USPS Publication 28 vocabulary). */
export interface ParsedStreet {
  /** House number as written, folded: '123', '123A', '123 1/2', '12-14'. Empty when absent. */
  houseNumber: string;
  /** Street name tokens with directionals and suffix standardised: 'N MAIN ST'. */
  streetName: string;
  /** Secondary unit found in the street line ('APT 4B', '#4B'), as its identifier only. */
  unit: string;
}

const HOUSE_NUMBER = /^(\d+[A-Z]?(?:-\d+[A-Z]?)?)(?: (1\/2|1\/4|3\/4))?(?= |$)/;

/**
 * Splits a street line into house number, standardised street name and any unit
 * written in it.
 * @example parseStreetLine('123 North Main Street Apt 4b') // { houseNumber: '123', streetName: 'N MAIN ST', unit: '4B' }
 */
export function parseStreetLine(street: string): ParsedStreet {
  let s = foldText(street);
  let unit = '';
  // A unit written in the street line: '... APT 4B', '... # 4B', '... #4B', '... UNIT C'.
  // A designator counts only when one identifier with a digit, or a single letter,
  // ends the line: 'FRONT ST' and 'LOWER RD' are street names, not units.
  const tokens = s.split(' ');
  const isUnitId = (t: string | undefined) => !!t && (/\d/.test(t) || /^[A-Z]$/.test(t));
  for (let i = 1; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.startsWith('#')) {
      const id = t.length > 1 ? t.slice(1) : tokens[i + 1];
      const rest = t.length > 1 ? tokens.length - i - 1 : tokens.length - i - 2;
      if (id && rest === 0 && /^[A-Z0-9-]+$/.test(id)) {
        unit = id;
        s = tokens.slice(0, i).join(' ');
        break;
      }
    }
    if (UNIT_DESIGNATORS.has(t) && i >= 2 && i === tokens.length - 2 && isUnitId(tokens[i + 1])) {
      unit = tokens[i + 1]!;
      s = tokens.slice(0, i).join(' ');
      break;
    }
  }
  const m = HOUSE_NUMBER.exec(s);
  const houseNumber = m ? (m[2] ? `${m[1]} ${m[2]}` : m[1]!) : '';
  const rest = (m ? s.slice(m[0].length) : s).trim();
  return { houseNumber, streetName: standardiseStreetName(rest), unit };
}

function standardiseStreetName(name: string): string {
  const tokens = name.split(' ').filter(Boolean);
  if (tokens.length === 0) return '';
  const out = tokens.map((t) => t);
  // Leading and trailing directionals (only when a name remains: 'NORTH ST' keeps NORTH).
  if (out.length > 2 && DIRECTIONALS.has(out[0]!)) out[0] = DIRECTIONALS.get(out[0]!)!;
  const last = out.length - 1;
  if (last >= 2 && DIRECTIONALS.has(out[last]!)) {
    out[last] = DIRECTIONALS.get(out[last]!)!;
    if (SUFFIXES.has(out[last - 1]!)) out[last - 1] = SUFFIXES.get(out[last - 1]!)!;
  } else if (last >= 1 && SUFFIXES.has(out[last]!)) {
    out[last] = SUFFIXES.get(out[last]!)!;
  }
  return out.join(' ');
}

/** Unit identifier without its designator: 'Apt. 4-B' → '4B', '#12' → '12'. */
export function normaliseUnit(unit: string): string {
  const tokens = foldText(unit).replace(/#/g, ' ').split(' ').filter(Boolean);
  const rest = tokens.length > 1 && UNIT_DESIGNATORS.has(tokens[0]!) ? tokens.slice(1) : tokens;
  return rest.join('');
}

/** USPS state code from a code or a name ('Calif.' → 'CA'); '' when unknown. */
export function normaliseState(state: string): string {
  return STATES.get(foldText(state)) ?? '';
}

/** The first five digits of a ZIP or ZIP+4; '' when it is not one. */
export function zip5(zip: string): string {
  const m = /^(\d{5})(?:[- ]?\d{4})?$/.exec(zip.trim());
  return m ? m[1]! : '';
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
