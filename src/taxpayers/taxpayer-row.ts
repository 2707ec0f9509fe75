import { normaliseState } from '../matching/normalize/address.ts';
import { isCalendarDate } from '../policy/item-rules.ts';
import type { TaxpayerReturnsTable } from '../storage/schema.ts';

/** The columns of the taxpayer import CSV, in order (docs/formats.md#taxpayer-returns-csv). */
export const TAXPAYER_COLUMNS = [
  'tin',
  'tax_year',
  'first_name',
  'middle_name',
  'last_name',
  'street',
  'unit',
  'city',
  'state',
  'zip',
  'dob',
] as const;

export type TaxpayerReturn = TaxpayerReturnsTable;

/** Why one CSV row was not loaded; carries its line number, never its content. */
export interface RowProblem {
  line: number;
  reason: string;
}

/**
 * Checks and cleans one CSV record. Errors name the column, never its value:
 * the value may be taxpayer data.
 * @example parseTaxpayerRow({ tin: '000-12-3456', tax_year: '2024', ... })
 */
export function parseTaxpayerRow(
  r: Record<string, string | undefined>,
  currentYear: number,
): TaxpayerReturn | string {
  const get = (k: string) => (r[k] ?? '').trim();
  const tin = get('tin').replace(/-/g, '');
  if (!/^\d{9}$/.test(tin)) return 'tin must be 9 digits (dashes allowed)';
  const year = Number(get('tax_year'));
  // A return for the current year cannot have been filed yet; a year mis-keyed so would
  // stay the address of record until a later year's return arrived (the eighth hunt).
  if (!/^\d{4}$/.test(get('tax_year')) || year < 1900 || year >= currentYear) {
    return `tax_year must be a year from 1900 to ${currentYear - 1}: the current year's return cannot have been filed yet`;
  }
  for (const k of ['first_name', 'last_name', 'street', 'city', 'state', 'zip']) {
    if (!get(k)) return `${k} is empty`;
  }
  for (const k of TAXPAYER_COLUMNS) {
    if (get(k).length > 200) return `${k} is longer than 200 characters`;
  }
  if (!normaliseState(get('state'))) return 'state is not a US state or territory';
  if (!/^\d{5}(-?\d{4})?$/.test(get('zip'))) return 'zip must be 5 digits or ZIP+4';
  const dob = get('dob');
  if (dob && !isCalendarDate(dob)) return 'dob must be a date as YYYY-MM-DD';
  return {
    tin,
    tax_year: year,
    first_name: get('first_name'),
    middle_name: get('middle_name'),
    last_name: get('last_name'),
    street: get('street'),
    unit: get('unit'),
    city: get('city'),
    state: get('state'),
    zip: get('zip'),
    dob: dob || null,
  };
}
