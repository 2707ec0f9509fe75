/**
 * Readers and field adapters for the labelled sets in ../shared/data (issue 3,
 * point 6 b and c). The files are read in place and never copied into the
 * repository; results name records by their ids only. Mapping and protocol:
 * docs/matching-eval-labelled.md.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import type { PersonFeatures } from '../../src/matching/comparison.ts';
import { personFeatures, type PersonRecord } from '../../src/matching/features.ts';
import { parseUsAddress, streetLine } from '../../src/matching/normalize/us-address.ts';
import { foldText } from '../../src/matching/normalize/text.ts';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where the shared data sets live: $TAXGATE_SHARED_DATA, else ../shared/data next to the repo. */
export function sharedDataDir(): string {
  return resolve(process.env.TAXGATE_SHARED_DATA ?? join(REPO, '..', 'shared', 'data'));
}

export class MissingDataError extends Error {}

/** Resolves a file under the shared data folder, with a clear message when it is absent. */
export function sharedFile(...parts: string[]): string {
  const root = sharedDataDir();
  if (!existsSync(root)) {
    throw new MissingDataError(
      `the shared data folder ${root} is missing: this evaluation reads the labelled sets ` +
        `in place (they are never copied into the repository). Provide ../shared/data next ` +
        `to the repository, or set TAXGATE_SHARED_DATA to the folder that holds febrl/, ` +
        `zingg_febrl_20k/ and senzing_truthset/.`,
    );
  }
  const path = join(root, ...parts);
  if (!existsSync(path)) {
    throw new MissingDataError(`${path} is missing from the shared data folder ${root}`);
  }
  return path;
}

function readCsv(path: string, header: boolean): string[][] {
  const rows = parse(readFileSync(path, 'utf8'), {
    trim: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
  }) as string[][];
  return header ? rows.slice(1) : rows;
}

// ---------------------------------------------------------------- FEBRL

/** One FEBRL row (datasets 1–4 and Zingg's FEBRL-generated file share the schema). */
export interface FebrlRow {
  rec_id: string;
  given_name: string;
  surname: string;
  street_number: string;
  address_1: string;
  address_2: string;
  suburb: string;
  postcode: string;
  state: string;
  date_of_birth: string;
  soc_sec_id: string;
}

export const FEBRL_FIELDS = [
  'rec_id',
  'given_name',
  'surname',
  'street_number',
  'address_1',
  'address_2',
  'suburb',
  'postcode',
  'state',
  'date_of_birth',
  'soc_sec_id',
] as const;

/** The fields of a FEBRL row a duplicate may corrupt (rec_id and soc_sec_id excluded). */
export const FEBRL_COMPARED = FEBRL_FIELDS.slice(1, 10) as readonly (keyof FebrlRow)[];

/** Reads a FEBRL CSV (header line optional; fields space-padded after commas). */
export function readFebrl(path: string, header = true): FebrlRow[] {
  return readCsv(path, header).map((cells) => {
    const row = {} as Record<string, string>;
    FEBRL_FIELDS.forEach((f, i) => (row[f] = cells[i] ?? ''));
    return row as unknown as FebrlRow;
  });
}

/** `rec-12-org` → { entity: '12', original: true }; `rec-12-dup-0` → { entity: '12', original: false }. */
export function febrlEntity(recId: string): { entity: string; original: boolean } {
  const m = /^rec-(\d+)-(org|dup-\d+)$/.exec(recId);
  if (!m) throw new Error(`unexpected FEBRL rec_id '${recId}'`);
  return { entity: m[1]!, original: m[2] === 'org' };
}

/**
 * An address_2 that names a dwelling unit: a unit designator (as FEBRL writes
 * them, abbreviations and misspellings included) followed by an identifier.
 * Everything else in address_2 — property and village names, `sec 12`, `locn 8774`,
 * `rmb 12` (rural lot numbers) — is not part of the street address and is dropped.
 */
const UNIT_2 =
  /^(?:unit|unt|flat|flt|apartment|apt|aprt|apmnt|aptmnt|aptmn|aprtmt|villa|vlla|vila|townhouse|suite|ste|shop)\s*(\d+[a-z]?)\b/;

export function febrlUnit(address2: string): string {
  const m = UNIT_2.exec(address2.toLowerCase());
  return m ? `APT ${m[1]!}` : '';
}

/** `19151111` → `1915-11-11`; anything else as written (it still compares as a string). */
export function febrlDob(dob: string): string | null {
  const d = dob.trim();
  if (!d) return null;
  return /^\d{8}$/.test(d) ? `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}` : d;
}

/**
 * FEBRL row → PersonRecord: given_name → first_name, surname → last_name,
 * street_number + address_1 → street, a unit-like address_2 → unit, suburb → city,
 * state → state (kept as text by `febrlFeatures`), postcode → zip padded to five
 * digits with a leading 0 (`4223` → `04223`), date_of_birth → dob (YYYY-MM-DD).
 */
export function febrlRecord(r: FebrlRow): PersonRecord {
  const postcode = r.postcode.trim();
  return {
    first_name: r.given_name,
    last_name: r.surname,
    street: [r.street_number, r.address_1].filter((s) => s.trim()).join(' '),
    unit: febrlUnit(r.address_2),
    city: r.suburb,
    state: r.state,
    zip: /^\d{4}$/.test(postcode) ? `0${postcode}` : postcode,
    dob: febrlDob(r.date_of_birth),
  };
}

/**
 * Features of a FEBRL row: the engine's own personFeatures, then one adapter step —
 * an Australian state (nsw, vic…) is no USPS code, so normaliseState gives '';
 * the folded state text is kept instead (`AU NSW`), so the state + street blocking
 * key and the city-and-state locality level work as they do for US addresses.
 */
export function febrlFeatures(r: FebrlRow): PersonFeatures {
  const f = personFeatures(febrlRecord(r));
  const state = foldText(r.state);
  return f.state || !state ? f : { ...f, state: `AU ${state}` };
}

/** The compared FEBRL fields on which a duplicate differs from its original. */
export function febrlChanges(org: FebrlRow, dup: FebrlRow): string[] {
  return FEBRL_COMPARED.filter((f) => org[f].trim() !== dup[f].trim());
}

// ---------------------------------------------------------------- Senzing truth set

export interface SenzingRecord {
  source: string;
  recordId: string;
  cluster: string;
  testGroup: string;
  record: PersonRecord;
  /** A street address the engine can compare: a house number and a ZIP or a city. */
  hasAddress: boolean;
  /** A name in Latin script (some records carry only a native-script name or none). */
  hasName: boolean;
}

const MONTHS = 'JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC'.split(' ');
const pad2 = (n: number | string) => String(n).padStart(2, '0');
/** Two-digit years: 00–26 → 20xx, else 19xx (the set's dates of birth run 1931–2011). */
const year = (y: string) =>
  y.length === 4 ? y : Number(y) <= 26 ? `20${pad2(y)}` : `19${pad2(y)}`;

/** Senzing's dates of birth as written (M/D/YYYY, M/D/YY, D-Mon-YY, Mon D YYYY, ISO) → YYYY-MM-DD. */
export function senzingDob(s: string): string | null {
  const t = s.trim().toUpperCase();
  if (!t) return null;
  let m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t);
  if (m) return t;
  m = /^(\d{1,2})\/(\d{1,2})\/(\d{2}|\d{4})$/.exec(t);
  if (m) return `${year(m[3]!)}-${pad2(m[1]!)}-${pad2(m[2]!)}`;
  m = /^(\d{1,2})-([A-Z]{3})-(\d{2}|\d{4})$/.exec(t);
  if (m && MONTHS.includes(m[2]!))
    return `${year(m[3]!)}-${pad2(MONTHS.indexOf(m[2]!) + 1)}-${pad2(m[1]!)}`;
  m = /^([A-Z]{3}) (\d{1,2}) (\d{4})$/.exec(t);
  if (m && MONTHS.includes(m[1]!))
    return `${m[3]!}-${pad2(MONTHS.indexOf(m[1]!) + 1)}-${pad2(m[2]!)}`;
  return t;
}

/** 'Hughes, Howie' → last Hughes, first Howie; 'Wang Jie' → first Wang, last Jie (as written). */
function splitFullName(full: string): { first: string; last: string } {
  const comma = full.indexOf(',');
  if (comma >= 0) return { last: full.slice(0, comma).trim(), first: full.slice(comma + 1).trim() };
  const words = full.trim().split(/\s+/);
  return { first: words.slice(0, -1).join(' '), last: words.at(-1) ?? '' };
}

/**
 * Reads the Senzing demo truth set (customers, watchlist, reference): PERSON
 * records only, with their truth cluster. An address written on one line (ADDR_FULL,
 * or ADDR_LINE1 with nothing in the city, state and postal code fields) is split
 * with the engine's US parser.
 */
export function readSenzing(): SenzingRecord[] {
  const dir = 'senzing_truthset';
  const truth = new Map<string, { cluster: string; group: string }>();
  for (const [group, cluster, source, id] of readCsv(
    sharedFile(dir, 'actual_truthset_key.csv'),
    true,
  )) {
    truth.set(`${source}|${id}`, { cluster: cluster!, group: group! });
  }
  const out: SenzingRecord[] = [];
  for (const file of ['customers.csv', 'watchlist.csv', 'reference.csv']) {
    const [head, ...rows] = readCsv(sharedFile(dir, file), false);
    const col = (row: string[], name: string) => (row[head!.indexOf(name)] ?? '').trim();
    for (const row of rows) {
      if (col(row, 'RECORD_TYPE') !== 'PERSON') continue;
      const t = truth.get(`${col(row, 'DATA_SOURCE')}|${col(row, 'RECORD_ID')}`);
      if (!t) continue;
      let first = col(row, 'PRIMARY_NAME_FIRST');
      let last = col(row, 'PRIMARY_NAME_LAST');
      const middle = col(row, 'PRIMARY_NAME_MIDDLE');
      if (!first && !last && col(row, 'PRIMARY_NAME_FULL')) {
        ({ first, last } = splitFullName(col(row, 'PRIMARY_NAME_FULL')));
      }
      let street = col(row, 'ADDR_LINE1');
      let unit = '';
      let city = col(row, 'ADDR_CITY');
      let state = col(row, 'ADDR_STATE');
      let zip = col(row, 'ADDR_POSTAL_CODE');
      const oneLine = col(row, 'ADDR_FULL') || (!city && !state && !zip ? street : '');
      if (oneLine) {
        const a = parseUsAddress(oneLine);
        street = [a.houseNumber, streetLine(a)].filter(Boolean).join(' ');
        unit = a.unitId ? `APT ${a.unitId}` : '';
        city = city || a.city;
        state = state || a.state;
        zip = zip || a.zip5;
      }
      const record: PersonRecord = {
        first_name: first,
        middle_name: middle,
        last_name: last,
        street,
        unit,
        city,
        state,
        zip,
        dob: senzingDob(col(row, 'DATE_OF_BIRTH')),
      };
      const f = personFeatures(record);
      out.push({
        source: col(row, 'DATA_SOURCE'),
        recordId: col(row, 'RECORD_ID'),
        cluster: t.cluster,
        testGroup: t.group,
        record,
        hasAddress: !!f.houseNumber && !!f.streetName && (!!f.zip5 || !!f.city),
        hasName: f.given.length > 0 || f.surnames.length > 0,
      });
    }
  }
  return out;
}
