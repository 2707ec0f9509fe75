import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  addressWords,
  boxLine,
  canonicalStreet,
  parseBox,
  parseUnit,
  parseUsAddress,
  standardiseDirectional,
  standardiseHouseNumber,
  standardiseState,
  standardiseStreetName,
  standardiseSuffix,
  standardiseZip,
  type UsAddress,
} from './us-address.ts';

/**
 * Measures the US address parser on labelled addresses (datamade/usaddress XML:
 * each token wrapped in its FGDC label). See docs/matching-addresses.md for the
 * definitions of the figures.
 */

/** Folder of the labelled test files copied into the repository. */
export const TEST_DATA_DIR = fileURLToPath(
  new URL('../../../data/usaddress/test_data/', import.meta.url),
);

/** The labelled test files, in the order reported. */
export const TEST_FILES = [
  'labeled.xml',
  'us50_test_tagged.xml',
  'simple_address_patterns.xml',
  'multi_word_state_addresses.xml',
] as const;

/** One labelled address: its text as one line and its tokens with their labels. */
export interface LabelledAddress {
  text: string;
  tokens: { label: string; text: string }[];
}

function decodeEntities(s: string): string {
  let out = s;
  for (let k = 0; k < 3; k++) {
    const next = out
      .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
      .replace(/&#x([0-9a-f]+);/gi, (_, n: string) => String.fromCodePoint(parseInt(n, 16)))
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'")
      .replace(/&amp;/g, '&');
    if (next === out) break;
    out = next;
  }
  return out;
}

/**
 * Reads a labelled XML file's text. The tags are flat (one level inside each
 * `<AddressString>`), so a regular expression reader suffices.
 * @example readLabelledXml('<AddressString><AddressNumber>12</AddressNumber> <StreetName>Oak</StreetName></AddressString>')
 * // [{ text: '12 Oak', tokens: [{ label: 'AddressNumber', text: '12' }, { label: 'StreetName', text: 'Oak' }] }]
 */
export function readLabelledXml(xml: string): LabelledAddress[] {
  const out: LabelledAddress[] = [];
  for (const m of xml.matchAll(/<AddressString>([\s\S]*?)<\/AddressString>/g)) {
    const inner = m[1]!;
    const tokens = [...inner.matchAll(/<([A-Za-z][A-Za-z0-9]*)>([\s\S]*?)<\/\1>/g)].map((t) => ({
      label: t[1]!,
      text: decodeEntities(t[2]!),
    }));
    const text = decodeEntities(inner.replace(/<\/?[A-Za-z][A-Za-z0-9]*>/g, ' '))
      .replace(/\s+/g, ' ')
      .trim();
    out.push({ text, tokens });
  }
  return out;
}

/** The components the labels give, standardised as the parser standardises its own. */
export interface ExpectedAddress {
  houseNumber: string;
  preDirectional: string;
  streetName: string;
  suffix: string;
  postDirectional: string;
  /** Canonical whole street (see canonicalStreet), for files whose labels do not split the suffix. */
  streetCanonical: string;
  intersection: boolean;
  unitType: string;
  unitId: string;
  box: string;
  city: string;
  state: string;
  zip5: string;
}

const NUMBER_LABELS = new Set(['AddressNumberPrefix', 'AddressNumber', 'AddressNumberSuffix']);
const NAME_LABELS = new Set([
  'StreetNamePreModifier',
  'StreetNamePreType',
  'StreetName',
  'StreetNamePostModifier',
]);
const STREET_LABELS = new Set([
  ...NAME_LABELS,
  'StreetNamePreDirectional',
  'StreetNamePostType',
  'StreetNamePostDirectional',
]);
const BOX_LABELS = new Set(['USPSBoxGroupType', 'USPSBoxGroupID', 'USPSBoxType', 'USPSBoxID']);

/** Expected components of one labelled address. */
export function expectedOf(a: LabelledAddress): ExpectedAddress {
  const words = (labels: Set<string> | string) =>
    a.tokens
      .filter((t) => (typeof labels === 'string' ? t.label === labels : labels.has(t.label)))
      .flatMap((t) => addressWords(t.text));
  const text = (labels: Set<string> | string) => words(labels).join(' ');
  const texts = (labels: Set<string>) =>
    a.tokens.filter((t) => labels.has(t.label)).map((t) => t.text);
  const intersection = a.tokens.some((t) => t.label === 'IntersectionSeparator');
  // The last post-type word is the suffix; earlier ones ('AVALON RIDGE PKWY') are name words.
  const postTypeIdx = a.tokens.map((t) => t.label).lastIndexOf('StreetNamePostType');
  const nameWords = a.tokens
    .filter(
      (t, i) => NAME_LABELS.has(t.label) || (t.label === 'StreetNamePostType' && i !== postTypeIdx),
    )
    .flatMap((t) => addressWords(t.text));
  const suffix =
    postTypeIdx >= 0 ? standardiseSuffix(addressWords(a.tokens[postTypeIdx]!.text)) : '';
  const streetWords = a.tokens
    .filter((t) => STREET_LABELS.has(t.label) || t.label === 'IntersectionSeparator')
    .flatMap((t) => (t.label === 'IntersectionSeparator' ? ['&'] : addressWords(t.text)));
  const occupancy = text(new Set(['OccupancyType', 'OccupancyIdentifier']));
  const unit = parseUnit(occupancy || text(new Set(['SubaddressType', 'SubaddressIdentifier'])));
  const stateLabels = a.tokens.filter((t) => t.label === 'StateName').map((t) => t.text);
  const state =
    standardiseState(addressWords(stateLabels.join(' '))) ||
    standardiseState(addressWords(stateLabels[stateLabels.length - 1] ?? ''));
  return {
    // Joined before splitting, as the parser reads them ('32 - 233' → '32-233').
    houseNumber: standardiseHouseNumber(addressWords(texts(NUMBER_LABELS).join(' '))),
    preDirectional: standardiseDirectional(words('StreetNamePreDirectional')),
    streetName: standardiseStreetName(nameWords, suffix),
    suffix,
    postDirectional: standardiseDirectional(words('StreetNamePostDirectional')),
    streetCanonical: canonicalStreet(streetWords),
    intersection,
    unitType: unit.unitType,
    unitId: unit.unitId,
    box: parseBox(text(BOX_LABELS)),
    city: text('PlaceName'),
    state,
    zip5: standardiseZip(words('ZipCode').join('')),
  };
}

/** The fields measured. `suffix` is null where the file's labels do not split it off. */
export interface FieldResults {
  houseNumber: boolean;
  street: boolean;
  suffix: boolean | null;
  unit: boolean;
  zip: boolean;
  city: boolean;
  state: boolean;
  allFour: boolean;
  allFive: boolean;
}

const unitTypeKey = (t: string) => (t === '#' ? '' : t);

function gotCanonical(p: UsAddress): string {
  if (p.kind === 'landmark') return '';
  const words = [p.preDirectional, p.streetName, p.suffix, p.postDirectional, p.crossStreet]
    .filter(Boolean)
    .join(' ')
    .split(' ');
  return canonicalStreet(words.filter(Boolean));
}

/**
 * Compares a parse with the expected components.
 * - house number: equal after standardising;
 * - street: the whole street (directionals, name, suffix, cross street) equal in
 *   canonical form (see canonicalStreet), and the PO box or route equal;
 * - suffix: equal (null where not labelled separately);
 * - unit: designator and identifier equal ('#' counts as no designator);
 * - ZIP: ZIP5 equal; city and state: equal.
 * Absent must be absent: a field found where the labels have none is wrong.
 * allFour = house number, street, suffix (where labelled) and unit; allFive adds ZIP.
 */
export function compare(e: ExpectedAddress, p: UsAddress, detailed: boolean): FieldResults {
  const landmark = p.kind === 'landmark';
  const box = e.box === boxLine(p);
  const street = box && (landmark ? !e.streetCanonical : e.streetCanonical === gotCanonical(p));
  const suffix = detailed
    ? e.intersection
      ? null
      : e.suffix === (landmark ? '' : p.suffix)
    : null;
  const houseNumber = e.houseNumber === p.houseNumber;
  const unit = unitTypeKey(e.unitType) === unitTypeKey(p.unitType) && e.unitId === p.unitId;
  const zip = e.zip5 === p.zip5;
  const allFour = houseNumber && street && suffix !== false && unit;
  return {
    houseNumber,
    street,
    suffix,
    unit,
    zip,
    city: e.city === p.city,
    state: e.state === p.state,
    allFour,
    allFive: allFour && zip,
  };
}

/** Accuracy of each field on one file (fractions of 1; suffix null when not labelled). */
export interface FileFigures {
  file: string;
  addresses: number;
  houseNumber: number;
  street: number;
  suffix: number | null;
  unit: number;
  zip: number;
  city: number;
  state: number;
  allFour: number;
  allFive: number;
}

/** One address's outcome, for listing failures. */
export interface AddressOutcome {
  text: string;
  expected: ExpectedAddress;
  parsed: UsAddress;
  results: FieldResults;
}

/** Parses every address of a labelled file and measures each field. */
export function evaluateXml(
  xml: string,
  file: string,
): { figures: FileFigures; outcomes: AddressOutcome[] } {
  const addresses = readLabelledXml(xml);
  // Only some files label the suffix apart from the street name (not us50_test_tagged).
  const detailed = addresses.some((a) => a.tokens.some((t) => t.label === 'StreetNamePostType'));
  const outcomes = addresses.map((a) => {
    const expected = expectedOf(a);
    const parsed = parseUsAddress(a.text);
    return { text: a.text, expected, parsed, results: compare(expected, parsed, detailed) };
  });
  const n = outcomes.length;
  const rate = (k: keyof FieldResults) =>
    n ? outcomes.filter((o) => o.results[k] === true).length / n : 0;
  return {
    figures: {
      file,
      addresses: n,
      houseNumber: rate('houseNumber'),
      street: rate('street'),
      suffix: detailed ? rate('suffix') : null,
      unit: rate('unit'),
      zip: rate('zip'),
      city: rate('city'),
      state: rate('state'),
      allFour: rate('allFour'),
      allFive: rate('allFive'),
    },
    outcomes,
  };
}

/** Evaluates a labelled file on disk. */
export function evaluateFile(path: string) {
  return evaluateXml(readFileSync(path, 'utf8'), basename(path));
}

/** All test files, plus the pooled figures over them (weighted by addresses). */
export function evaluateTestFiles(dir = TEST_DATA_DIR): FileFigures[] {
  const files = TEST_FILES.map((f) => evaluateFile(dir + f).figures);
  return [...files, pool(files, 'all test files')];
}

function pool(files: FileFigures[], name: string): FileFigures {
  const n = files.reduce((s, f) => s + f.addresses, 0);
  const avg = (
    k: 'houseNumber' | 'street' | 'unit' | 'zip' | 'city' | 'state' | 'allFour' | 'allFive',
  ) => files.reduce((s, f) => s + f[k] * f.addresses, 0) / n;
  const withSuffix = files.filter((f) => f.suffix !== null);
  const ns = withSuffix.reduce((s, f) => s + f.addresses, 0);
  return {
    file: name,
    addresses: n,
    houseNumber: avg('houseNumber'),
    street: avg('street'),
    suffix: ns ? withSuffix.reduce((s, f) => s + f.suffix! * f.addresses, 0) / ns : null,
    unit: avg('unit'),
    zip: avg('zip'),
    city: avg('city'),
    state: avg('state'),
    allFour: avg('allFour'),
    allFive: avg('allFive'),
  };
}

/** A fixed-width table of the figures, in percent. */
export function formatFigures(rows: FileFigures[]): string {
  const pct = (x: number | null) =>
    x === null ? '   n/a' : `${(x * 100).toFixed(1).padStart(5)}%`;
  const head = `${'file'.padEnd(34)} ${'n'.padStart(4)}  house  street suffix   unit    zip   city  state  all-4  all-5`;
  const lines = rows.map(
    (r) =>
      `${r.file.padEnd(34)} ${String(r.addresses).padStart(4)} ${[
        r.houseNumber,
        r.street,
        r.suffix,
        r.unit,
        r.zip,
        r.city,
        r.state,
        r.allFour,
        r.allFive,
      ]
        .map(pct)
        .join(' ')}`,
  );
  return [head, ...lines].join('\n');
}

// `node bin/run-ts.js src/matching/normalize/us-address.eval.ts [--failures] [FILE.xml ...]`
if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const args = process.argv.slice(2);
  const showFailures = args.includes('--failures');
  const paths = args.filter((a) => !a.startsWith('--'));
  if (paths.length === 0) {
    console.log(formatFigures(evaluateTestFiles()));
  } else {
    const results = paths.map(evaluateFile);
    console.log(formatFigures(results.map((r) => r.figures)));
    if (showFailures) {
      for (const r of results) {
        for (const o of r.outcomes.filter((x) => !x.results.allFive)) {
          const bad = (Object.keys(o.results) as (keyof FieldResults)[]).filter(
            (k) => o.results[k] === false && !k.startsWith('all') && k !== 'city' && k !== 'state',
          );
          console.log(`\n${o.text}\n  wrong: ${bad.join(', ')}`);
          console.log(`  expected ${JSON.stringify(o.expected)}`);
          console.log(`  parsed   ${JSON.stringify(o.parsed)}`);
        }
      }
    }
  }
}
