import { readList, readMappingTable } from './tables.ts';

// Tables (data/usps-pub28/, see its SOURCE.md). Keys and values are upper case,
// punctuation-free, words separated by one space.
const SUFFIXES = new Map([
  ...readMappingTable('usps-pub28/street_suffix_abbreviations.csv'),
  ...readMappingTable('usps-pub28/street_suffix_variants.csv'),
]);
const STRONG_SUFFIXES = new Set(readList('usps-pub28/strong_street_suffixes.txt'));
const PRE_TYPES = readMappingTable('usps-pub28/street_pre_types.csv');
const DIRECTIONALS = readMappingTable('usps-pub28/directionals.csv');
for (const abbr of new Set(DIRECTIONALS.values())) DIRECTIONALS.set(abbr, abbr);
for (const [k, v] of readMappingTable('usps-pub28/directional_variants.csv'))
  DIRECTIONALS.set(k, v);
const UNIT_TYPES = new Map([
  ...readMappingTable('usps-pub28/secondary_unit_designators.csv'),
  ...readMappingTable('usps-pub28/secondary_unit_variants.csv'),
]);
// The shared table maps UPPER to itself; Pub 28 abbreviates it UPPR, a designator that
// needs no identifier (data/usps-pub28/SOURCE.md, known differences).
UNIT_TYPES.set('UPPER', 'UPPR');
for (const abbr of new Set(UNIT_TYPES.values())) UNIT_TYPES.set(abbr, abbr);
const UNITS_WITHOUT_ID = new Set(readList('usps-pub28/secondary_unit_without_id.txt'));
const STATES = readMappingTable('usps-pub28/state_name_variants.csv');
for (const code of readList('usps-pub28/state_codes.txt')) STATES.set(code, code);
const HIGHWAYS = readMappingTable('usps-pub28/highway_names.csv');
const ORDINAL_WORDS = readMappingTable('usps-pub28/ordinal_words.csv');
const ORDINAL_TENS = readMappingTable('usps-pub28/ordinal_tens.csv');
const PO_BOXES = readMappingTable('usps-pub28/po_box_designators.csv');
const RURAL_ROUTES = readMappingTable('usps-pub28/rural_route_designators.csv');
const RECIPIENT_MARKERS = new Set(readList('usps-pub28/recipient_markers.txt'));
const COUNTRIES = new Set(readList('usps-pub28/country_names.txt'));
const SPELLED_HOUSE_NUMBERS = new Set(readList('usps-pub28/spelled_house_numbers.txt'));
const RECIPIENT_NAME_ENDINGS = new Set(readList('usps-pub28/recipient_name_endings.txt'));
const CITY_FIRST_WORDS = new Set(readList('usps-pub28/city_first_words.txt'));
const INTERSECTION_PREFIXES = readList('usps-pub28/intersection_prefixes.txt').map((l) =>
  l.split(' '),
);

/** Last words of the country and state names, to skip the phrase look-ups quickly. */
const COUNTRY_ENDS = new Set([...COUNTRIES].map((c) => c.split(' ').pop()!));
const STATE_ENDS = new Set([...STATES.keys()].map((c) => c.split(' ').pop()!));
const HIGHWAY_ENDS = new Set([...HIGHWAYS.keys()].map((c) => c.split(' ').pop()!));

/** Words after a highway's number that belong to its name ('US 17 BUSINESS'), as standardised. */
const HIGHWAY_MODIFIERS = new Set(['BUSINESS', 'BYPASS', 'ALTERNATE', 'SPUR', 'LOOP']);

/** Street-type words that take a route number after them ('HIGHWAY 50', 'COUNTY ROAD 6', 'LOOP 410'). */
const ROUTE_WORDS = new Set<string>([
  ...[...HIGHWAYS.keys()].filter((k) => !k.includes(' ')),
  ...[...SUFFIXES]
    .filter(([, v]) => ['RD', 'LOOP', 'SPUR', 'RTE', 'HWY', 'FWY', 'EXPY', 'PIKE'].includes(v))
    .map(([k]) => k),
]);

/** The kind of delivery address a line holds. */
export type UsAddressKind =
  'street' | 'po_box' | 'rural_route' | 'intersection' | 'landmark' | 'none';

/**
 * A US address in USPS Publication 28 form. Every field is upper case and '' when
 * absent; abbreviations follow Pub 28 (suffix 'ST', directional 'N', unit type 'APT').
 */
export interface UsAddress {
  kind: UsAddressKind;
  /** '123', '123A', '123 1/2', '12-14', 'N165 W2123', or a spelled number kept as written ('ONE'). */
  houseNumber: string;
  preDirectional: string;
  /** Name without directionals or suffix; ordinals as numerals, highways spelled out: '1ST', 'US HIGHWAY 1'. */
  streetName: string;
  /** Pub 28 standard suffix abbreviation ('AVE'). */
  suffix: string;
  postDirectional: string;
  /** Pub 28 secondary unit designator ('APT', 'STE', 'FL', '#' when only a number sign was written). */
  unitType: string;
  /** Unit identifier without its designator: '4B', '200'. */
  unitId: string;
  /** PO box number (also the box within a rural or highway contract route). */
  boxId: string;
  /** 'RR' (rural route) or 'HC' (highway contract route). */
  routeType: string;
  routeId: string;
  /** For an intersection, the second street in full: 'MAIN ST'. */
  crossStreet: string;
  /** A named place written instead of a street ('SOUTHGATE MALL'). */
  landmark: string;
  city: string;
  /** Two-letter USPS code. */
  state: string;
  zip5: string;
}

/** An address with every field empty. */
export function emptyUsAddress(): UsAddress {
  return {
    kind: 'none',
    houseNumber: '',
    preDirectional: '',
    streetName: '',
    suffix: '',
    postDirectional: '',
    unitType: '',
    unitId: '',
    boxId: '',
    routeType: '',
    routeId: '',
    crossStreet: '',
    landmark: '',
    city: '',
    state: '',
    zip5: '',
  };
}

// ---------------------------------------------------------------------------
// Tokens

interface Token {
  t: string;
  /** Comma-separated part of the line the token belongs to. */
  seg: number;
}

/**
 * Accents removed, and a fraction written as one character a word of its own:
 * '12½' is '12 1/2', never '1212' (NFKD makes '½' into 1, a fraction slash and 2, and
 * the slash would go with the punctuation).
 */
function foldNonAscii(s: string): string {
  return s
    .replace(/[\u00BC-\u00BE\u2150-\u215E]/g, (f) => ` ${f.normalize('NFKD')} `)
    .normalize('NFKD')
    .replace(/\u2044/g, '/')
    .replace(/\p{M}+/gu, '');
}

/**
 * Upper-cased words of a line with accents, periods and most punctuation removed.
 * '#' and '&' become words of their own; commas (and line breaks) end a part.
 */
function tokenize(s: string): Token[] {
  // eslint-disable-next-line no-control-regex
  const ascii = /^[\x00-\x7f]*$/.test(s);
  // Every dash is a hyphen, and an underscore a space: deleted, as other marks inside a
  // word are below, 'Apt 1–2' was 'APT 12' and '12–14 Main St' house '1214', another
  // dwelling's (the eighth hunt).
  const text = (ascii ? s : foldNonAscii(s.replace(/[\p{Pd}\u2212]/gu, '-')))
    .toUpperCase()
    .replace(/_/g, ' ')
    .replace(/[\r\n;]+/g, ',')
    .replace(/&/g, ' & ')
    .replace(/#/g, ' # ')
    .replace(/(\d) +- *(?=\d)|(\d) *- +(?=\d)/g, '$1$2-');
  const out: Token[] = [];
  let seg = 0;
  for (const part of text.split(',')) {
    for (const raw of part.split(/\s+/)) {
      if (/^[A-Z0-9]+$/.test(raw)) {
        const glued = /^([A-Z]{2,})(\d+[A-Z]?)$/.exec(raw);
        if (glued && UNIT_TYPES.has(glued[1]!)) {
          out.push({ t: glued[1]!, seg }, { t: glued[2]!, seg });
        } else out.push({ t: raw, seg });
        continue;
      }
      // A point between digits is a decimal point ('KM 5.2' is not 'KM 52'): a hyphen
      // keeps the two numbers apart as in '12-14'.
      const w = raw
        .replace(/(?<=\d)\.(?=\d)/g, '-')
        .replace(/[.'’`]/g, '')
        .replace(/[^\p{L}\p{N}/&#-]/gu, '')
        .replace(/^[-/]+|[-/]+$/g, '');
      if (!w) continue;
      // Hyphenated words ('TWENTY-FIRST') are two words; hyphens with digits stay ('12-14', 'C-4').
      const glued = /^([A-Z]{2,})-?(\d+[A-Z]?)$/.exec(w);
      if (/^\p{L}+(?:-\p{L}+)+$/u.test(w)) for (const x of w.split('-')) out.push({ t: x, seg });
      // A designator run into its number ('SUITE100', 'APT4B', 'APT-4').
      else if (glued && UNIT_TYPES.has(glued[1]!))
        out.push({ t: glued[1]!, seg }, { t: glued[2]!, seg });
      else out.push({ t: w, seg });
    }
    seg++;
  }
  return out;
}

/** Splits text into the same words the parser sees (no part boundaries). */
export function addressWords(s: string): string[] {
  return tokenize(s).map((t) => t.t);
}

/** For each phrase table, the longest phrase (in words) starting with each first word. */
const phraseStarts = new WeakMap<Map<string, string>, Map<string, number>>();

function startsOf(table: Map<string, string>): Map<string, number> {
  let starts = phraseStarts.get(table);
  if (!starts) {
    starts = new Map();
    for (const key of table.keys()) {
      const parts = key.split(' ');
      starts.set(parts[0]!, Math.max(starts.get(parts[0]!) ?? 0, parts.length));
    }
    phraseStarts.set(table, starts);
  }
  return starts;
}

/** Longest key of `table` made of words[i..i+k); its value and length. */
function matchPhrase(
  table: Map<string, string>,
  words: readonly string[],
  i: number,
  end = words.length,
): { value: string; len: number } | undefined {
  const longest = startsOf(table).get(words[i] ?? '');
  if (longest === undefined) return undefined;
  for (let k = Math.min(longest, end - i); k >= 1; k--) {
    const value = table.get(k === 1 ? words[i]! : words.slice(i, i + k).join(' '));
    if (value !== undefined) return { value, len: k };
  }
  return undefined;
}

const isDigitWord = (t: string | undefined): boolean => !!t && /\d/.test(t);
const isAlphaWord = (t: string | undefined): boolean => !!t && /^\p{L}+$/u.test(t);
const isDirectional = (t: string | undefined): boolean => !!t && DIRECTIONALS.has(t);
const suffixOf = (t: string | undefined): string | undefined =>
  t === undefined ? undefined : SUFFIXES.get(t);
const isStrongSuffix = (t: string | undefined): boolean => STRONG_SUFFIXES.has(suffixOf(t) ?? '');
const isUnitIdWord = (t: string | undefined): boolean => !!t && (/\d/.test(t) || /^[A-Z]$/.test(t));
const isRouteNumber = (t: string | undefined): boolean =>
  !!t && (/^\d+[A-Z]?$/.test(t) || /^[A-Z]\d+[A-Z]?$/.test(t));

const HOUSE_NUMBER = /^(?:\d+(?:-\d+)?[A-Z]?|\d+[A-Z]-\d+|\d+-[A-Z]|[A-Z]\d+|[NSEW]\d+[NSEW]\d+)$/;
const FRACTION = /^\d+\/\d+$/;

// ---------------------------------------------------------------------------
// Standardising components (shared with the evaluation, which applies them to
// the labelled spans so that both sides are compared in the same form).

/** Ordinal words as numerals: FIRST → 1ST, TWENTY FIRST → 21ST. */
function ordinalWords(words: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const tens = ORDINAL_TENS.get(w);
    const next = ORDINAL_WORDS.get(words[i + 1] ?? '');
    if (tens && next && /^\d[A-Z]{2}$/.test(next)) {
      out.push(tens + next);
      i++;
      continue;
    }
    out.push(ORDINAL_WORDS.get(w) ?? w);
  }
  return out;
}

/** '1' → '1ST', '22' → '22ND', '13' → '13TH'. */
function toOrdinal(n: string): string {
  const v = Number(n) % 100;
  const end = v >= 11 && v <= 13 ? 'TH' : (['TH', 'ST', 'ND', 'RD'][v % 10] ?? 'TH');
  return n + end;
}

/**
 * A house number from its words: '123 A' → '123A', '2615 1/2' → '2615 1/2'.
 * @example standardiseHouseNumber(['N165', 'W2123']) // 'N165 W2123'
 */
export function standardiseHouseNumber(words: readonly string[]): string {
  let out = '';
  for (const raw of words) {
    const w = raw.replace(/^#/, '').replace(/-$/, '');
    if (!w) continue;
    if (!out) out = w;
    else if (/^[A-Z]$/.test(w) && /\d$/.test(out)) out += w;
    else out += ` ${w}`;
  }
  return out;
}

/**
 * A street name from its words (as addressWords splits them), as Pub 28 writes it: ordinal words as numerals,
 * highway words spelled out before a route number ('US HWY 1' → 'US HIGHWAY 1',
 * 'CR 6' → 'COUNTY ROAD 6'), a leading street-type word spelled out ('AVE H' →
 * 'AVENUE H'), and a bare number before a suffix made ordinal ('71' + ST → '71ST').
 * @example standardiseStreetName(['TWENTY', 'FIRST'], 'ST') // '21ST'
 */
export function standardiseStreetName(words: readonly string[], suffix = ''): string {
  const ws = ordinalWords(words.filter((w) => w && w !== '#'));
  const out: string[] = [];
  let highway = false;
  for (let i = 0; i < ws.length;) {
    const m = matchPhrase(HIGHWAYS, ws, i);
    if (m) {
      let j = i + m.len;
      if (['NO', 'NUMBER', 'NUM'].includes(ws[j] ?? '') && isRouteNumber(ws[j + 1])) j++;
      if (isRouteNumberFor(m.value, ws[j])) {
        out.push(m.value, ws[j]!);
        highway = true;
        i = j + 1;
        // 'US 17 BUS' → 'US HIGHWAY 17 BUSINESS'
        while (i < ws.length && HIGHWAY_MODIFIERS.has(HIGHWAYS.get(ws[i]!) ?? '')) {
          out.push(HIGHWAYS.get(ws[i]!)!);
          i++;
        }
        continue;
      }
    }
    out.push(ws[i]!);
    i++;
  }
  if (!highway && out.length >= 2) {
    const pre = PRE_TYPES.get(out[0]!);
    if (pre) out[0] = pre;
  }
  if (suffix && out.length === 1 && /^\d+$/.test(out[0]!)) out[0] = toOrdinal(out[0]!);
  return out.join(' ');
}

/**
 * Suffix words of four letters or more, longest first, with their abbreviations: the
 * endings compactStreet recognises when a suffix was written onto the street name.
 * Shorter ones (WAY, RD, ST) would cut real names (BROADWAY, MIDWAY).
 */
const GLUED_SUFFIXES = [...SUFFIXES]
  .filter(([word]) => word.length >= 4 && !word.includes(' '))
  .sort((a, b) => b[0].length - a[0].length);

const STANDARD_DIRECTIONALS = new Set(DIRECTIONALS.values());
const STANDARD_SUFFIXES = new Set(SUFFIXES.values());

/**
 * A standardised street name reduced so that spacing inside the name no longer counts:
 * `pre|name|suffix|post`, the name's words joined without spaces, and a suffix word
 * written onto the end of a name without one taken off and abbreviated. So
 * 'LINDSAYSTREET' and 'LINDSAY ST', 'PAUL COECRESCENT' and 'PAUL COE CRES',
 * 'KULGERA S TREET' and 'KULGERA ST' each give one form. The directionals and the
 * suffix stay apart ('N ASH ST' is not 'NASH ST', '1ST AVE N' not '1ST AVE', 'ELM CT S'
 * not 'ELM CTS'), and a number never runs into the next ('US HIGHWAY 1 9' is not
 * 'US HIGHWAY 19'). The comparison uses it (matching/comparison.ts), the parser does not.
 * @example compactStreet('LINDSAYSTREET') // '|LINDSAY|ST|'
 */
export function compactStreet(streetName: string): string {
  const words = streetName.split(' ').filter(Boolean);
  const pre = words.length > 1 && STANDARD_DIRECTIONALS.has(words[0]!) ? words.shift()! : '';
  const post = words.length > 1 && STANDARD_DIRECTIONALS.has(words.at(-1)!) ? words.pop()! : '';
  let suffix = words.length > 1 && STANDARD_SUFFIXES.has(words.at(-1)!) ? words.pop()! : '';
  let name = words.reduce(
    (joined, w) => (/\d$/.test(joined) && /^\d/.test(w) ? `${joined} ${w}` : joined + w),
    '',
  );
  if (!suffix) {
    for (const [word, abbreviation] of GLUED_SUFFIXES) {
      // At least three letters of name before it, so a name that only is a suffix stays.
      if (name.length >= word.length + 3 && name.endsWith(word)) {
        name = name.slice(0, -word.length);
        suffix = abbreviation;
        break;
      }
    }
  }
  return [pre, name, suffix, post].join('|');
}

/** Pub 28 suffix abbreviation of a suffix word; the word itself when unknown. */
export function standardiseSuffix(words: readonly string[]): string {
  const w = words.filter(Boolean).join(' ');
  return SUFFIXES.get(w) ?? w;
}

/** Pub 28 directional abbreviation: ['NORTH'] → 'N', ['N', 'E'] → 'NE'. */
export function standardiseDirectional(words: readonly string[]): string {
  const w = words.filter(Boolean);
  if (w.length === 2 && /^[NS]$/.test(w[0]!) && /^[EW]$/.test(w[1]!)) return w.join('');
  const joined = w.join(' ');
  return DIRECTIONALS.get(joined) ?? DIRECTIONALS.get(joined.replace(/ /g, '')) ?? joined;
}

/** USPS code of a state written as a code, name or old abbreviation; '' when unknown. */
export function standardiseState(words: readonly string[]): string {
  return STATES.get(words.filter(Boolean).join(' ')) ?? '';
}

/** The five-digit ZIP of a ZIP, ZIP+4 or nine-digit ZIP; '' when it is not one. */
export function standardiseZip(text: string): string {
  const m = /^(\d{5})(?:[- ]?\d{4})?$/.exec(text.trim());
  return m ? m[1]! : '';
}

/**
 * A unit identifier: words joined, '#' dropped, hyphens next to a letter dropped
 * ('4-B' → '4B', '3-300' kept), ordinal endings dropped ('3RD' → '3').
 */
function unitIdOf(words: readonly string[]): string {
  const id = ordinalWords(words.filter((w) => w !== '#'))
    .join('')
    .replace(/(?<=[A-Z])-|-(?=[A-Z])/g, '');
  return id.replace(/^(\d+)(?:ST|ND|RD|TH)$/, '$1');
}

/** Unit designator rank: a building or floor gives way to a suite, apartment, room. */
function unitRank(type: string): number {
  return ['BLDG', 'PMB', 'DEPT', 'MSC', 'BIN'].includes(type) ? 0 : type === 'FL' ? 1 : 2;
}

interface UnitMatch {
  type: string;
  id: string;
  len: number;
}

const FLOOR_WORDS = new Set(['FL', 'FLR', 'FLOOR']);

/** A secondary unit starting at words[i]: 'APT 4B', '# 4B', 'STE # 2', '3RD FLOOR', 'REAR'. */
function unitAt(words: readonly string[], i: number, end: number): UnitMatch | undefined {
  const w = words[i];
  if (w === undefined || i >= end) return undefined;
  // '3RD FLOOR', 'GROUND FLOOR', 'FOURTH FL'
  if (
    FLOOR_WORDS.has(words[i + 1] ?? '') &&
    i + 1 < end &&
    (/^\d+(?:ST|ND|RD|TH)?$/.test(w) || ORDINAL_WORDS.has(w) || w === 'GROUND')
  ) {
    return { type: 'FL', id: unitIdOf([w]), len: 2 };
  }
  let j = i;
  let type: string;
  if (w === '#') {
    type = '#';
    j++;
    // '# APT 2': the number sign stands before the designator.
    const t2 = UNIT_TYPES.get(words[j] ?? '');
    if (t2 && t2 !== '#' && isUnitIdWord(words[j + 1]) && j + 1 < end) {
      type = t2;
      j++;
    }
  } else {
    const t = UNIT_TYPES.get(w);
    if (!t) return undefined;
    type = t;
    j++;
    if (words[j] === '#' && j + 1 < end) j++;
    if (t !== '#' && UNITS_WITHOUT_ID.has(t) && (j >= end || !isUnitIdWord(words[j]))) {
      return { type, id: '', len: j - i };
    }
  }
  if (j >= end || !isUnitIdWord(words[j])) return undefined;
  const idWords = [words[j]!];
  j++;
  // 'APT 13 C' at the end of a part: the letter belongs to the identifier.
  if (
    j === end - 1 &&
    /^[A-Z]$/.test(words[j] ?? '') &&
    !isDirectional(words[j]) &&
    /\d$/.test(idWords[0]!)
  ) {
    idWords.push(words[j]!);
    j++;
  }
  return { type, id: unitIdOf(idWords), len: j - i };
}

/**
 * A secondary unit written on its own, as Pub 28 form.
 * @example parseUnit('Apt. #4-B') // { unitType: 'APT', unitId: '4B' }
 */
export function parseUnit(text: string): { unitType: string; unitId: string } {
  const words = addressWords(text);
  let best: UnitMatch | undefined;
  let bestRank = -1;
  for (let i = 0; i < words.length;) {
    const u = unitAt(words, i, words.length);
    if (u) {
      if (unitRank(u.type) >= bestRank) {
        best = u;
        bestRank = unitRank(u.type);
      }
      i += u.len;
    } else i++;
  }
  if (best) return { unitType: best.type, unitId: best.id };
  if (words.length && words.every((w) => isUnitIdWord(w) || w === '#')) {
    return { unitType: '', unitId: unitIdOf(words) };
  }
  return { unitType: '', unitId: unitIdOf(words.filter((w) => !UNIT_TYPES.has(w))) };
}

interface BoxMatch {
  boxId: string;
  routeType: string;
  routeId: string;
  len: number;
}

/** A PO box ('PO BOX 12', 'BOX # 63', 'LOCKBOX 360172') starting at words[i]. */
function poBoxAt(words: readonly string[], i: number, end: number): BoxMatch | undefined {
  const m = matchPhrase(PO_BOXES, words, i, end);
  if (!m) return undefined;
  let j = i + m.len;
  if ((words[j] === '#' || words[j] === 'NO') && j + 1 < end) j++;
  const id = words[j];
  if (j >= end || !id || !(/\d/.test(id) || /^[A-Z]$/.test(id))) return undefined;
  return { boxId: id, routeType: '', routeId: '', len: j + 1 - i };
}

/** A rural or highway contract route ('RR 2 BOX 15', 'HC 1', 'ROUTE 3 BOX 7') at words[i]. */
function routeAt(words: readonly string[], i: number, end: number): BoxMatch | undefined {
  const w = words[i] ?? '';
  const glued = /^(RR|HC|RFD|HCR)(\d+)$/.exec(w);
  let routeType: string;
  let j: number;
  let routeId = '';
  let spelledRoute = false;
  if (glued) {
    routeType = RURAL_ROUTES.get(glued[1]!)!;
    routeId = glued[2]!;
    j = i + 1;
  } else {
    const m = matchPhrase(RURAL_ROUTES, words, i, end);
    if (!m) return undefined;
    routeType = m.value;
    spelledRoute = ['ROUTE', 'RTE', 'RT'].includes(words.slice(i, i + m.len).join(' '));
    j = i + m.len;
    if ((words[j] === '#' || words[j] === 'NO') && isDigitWord(words[j + 1])) j++;
    if (j < end && /^\d+[A-Z]?$/.test(words[j] ?? '')) routeId = words[j++]!;
  }
  const box = j < end ? poBoxAt(words, j, end) : undefined;
  if (spelledRoute && !box) return undefined;
  if (!routeId && !box) return undefined;
  return {
    boxId: box?.boxId ?? '',
    routeType,
    routeId,
    len: j - i + (box?.len ?? 0),
  };
}

/** A PO box or a rural route at words[i]. */
function boxAt(words: readonly string[], i: number, end: number): BoxMatch | undefined {
  return routeAt(words, i, end) ?? poBoxAt(words, i, end);
}

/**
 * Standard form of a PO box or route written on its own (for comparing labelled data).
 * @example parseBox('P.O. Box 12') // 'PO BOX 12'
 */
export function parseBox(text: string): string {
  const words = addressWords(text);
  for (let i = 0; i < words.length; i++) {
    const b = boxAt(words, i, words.length);
    if (b) return boxLine({ ...emptyUsAddress(), ...b });
  }
  // Labels sometimes put a bare box type before its number ('ROUTE BOX 201' read as ROUTE + BOX).
  const id = words.find((w) => /\d/.test(w));
  return id ? `PO BOX ${id}` : '';
}

/** 'PO BOX 12', 'RR 2 BOX 15', 'HC 1'; '' when the address has neither. */
export function boxLine(a: Pick<UsAddress, 'boxId' | 'routeType' | 'routeId'>): string {
  if (a.routeType) {
    return [a.routeType, a.routeId, a.boxId ? `BOX ${a.boxId}` : ''].filter(Boolean).join(' ');
  }
  return a.boxId ? `PO BOX ${a.boxId}` : '';
}

/**
 * The street part of the delivery line: 'N MAIN ST', 'PO BOX 12', 'MAIN ST & 1ST AVE'.
 * @example streetLine(parseUsAddress('12 North Main Street Apt 4')) // 'N MAIN ST'
 */
export function streetLine(a: UsAddress): string {
  if (a.kind === 'landmark') return a.landmark;
  const street = [a.preDirectional, a.streetName, a.suffix, a.postDirectional]
    .filter(Boolean)
    .join(' ');
  const parts = [street, a.crossStreet ? `& ${a.crossStreet}` : '', boxLine(a)];
  return parts.filter(Boolean).join(' ');
}

// ---------------------------------------------------------------------------
// Parsing

interface StreetSplit {
  preDirectional: string;
  streetName: string;
  suffix: string;
  postDirectional: string;
  /** Index after the last word the street used. */
  end: number;
}

/** The standard highway name of a highway phrase ending at words[j-1] ('COUNTY ROAD'), if any. */
function highwayEndingAt(words: readonly string[], j: number): string | undefined {
  return highwayPhraseEndingAt(words, j)?.value;
}

function highwayPhraseEndingAt(words: readonly string[], j: number) {
  if (!HIGHWAY_ENDS.has(words[j - 1] ?? '')) return undefined;
  for (let k = Math.min(3, j); k >= 1; k--) {
    const value = HIGHWAYS.get(words.slice(j - k, j).join(' '));
    if (value) return { value, len: k };
  }
  return undefined;
}

/**
 * Whether '#' or NO after the highway phrase ending at words[j-1] introduces its
 * number ('HWY # 54') rather than a unit ('DIXIE HWY # 312'): only when the phrase
 * opens the street name.
 */
function numberSignOpensRoute(words: readonly string[], j: number): boolean {
  const p = highwayPhraseEndingAt(words, j);
  if (!p) return false;
  const before = words[j - p.len - 1];
  return before === undefined || !isAlphaWord(before) || isDirectional(before) || before === 'AND';
}

/** A route number after a highway name: '50', '9A', 'A1A'; county roads also take letters ('Y', 'UV'). */
function isRouteNumberFor(highway: string | undefined, w: string | undefined): boolean {
  return isRouteNumber(w) || (!!highway?.startsWith('COUNTY') && /^[A-Z]{1,3}$/.test(w ?? ''));
}

/** Whether words[i] is a street-type word followed by a route number ('HIGHWAY 50', 'HWY NO 5'). */
function routeNumberFollows(words: readonly string[], i: number, end: number): boolean {
  if (!ROUTE_WORDS.has(words[i] ?? '')) return false;
  const highway = highwayEndingAt(words, i + 1);
  let j = i + 1;
  if (['NO', 'NUMBER', 'NUM', '#'].includes(words[j] ?? '') && numberSignOpensRoute(words, i + 1))
    j++;
  return j < end && isRouteNumberFor(highway, words[j]);
}

/**
 * A suffix needs a name before it. After directionals alone, only a strong suffix
 * counts ('NORTH WAY', 'E ST', 'N AVE NW'; not 'N WELLS', 'E LAKE'), and not a
 * street-type word that opens the name ('S AVENUE H', 'N ST LOUIS',
 * 'S DR MARTIN LUTHER KING JR DR').
 */
function hasNameBefore(words: readonly string[], from: number, end: number, i: number): boolean {
  for (let k = from; k < i; k++) if (!isDirectional(words[k])) return true;
  if (!isStrongSuffix(words[i])) return false;
  const next = words[i + 1];
  const nameFollows = i + 1 < end && isAlphaWord(next) && !isDirectional(next);
  if (nameFollows && (PRE_TYPES.has(words[i]!) || words[i] === 'ST')) return false;
  for (let k = i + 1; k < end && isAlphaWord(words[k]); k++) {
    if (isStrongSuffix(words[k]) && !routeNumberFollows(words, k, end)) return false;
  }
  return true;
}

const ARTICLES = new Set(['DE', 'DEL', 'LA', 'LAS', 'LOS', 'EL']);

/** Whether words[i] can be the street's suffix. */
function suffixCandidate(words: readonly string[], from: number, end: number, i: number): boolean {
  const w = words[i];
  if (i >= end || w === undefined || !SUFFIXES.has(w)) return false;
  if (routeNumberFollows(words, i, end)) return false;
  // 'COUNTY ROAD DV': the letters are the road's number, not a suffix.
  const highway = highwayEndingAt(words, i);
  if (highway && isRouteNumberFor(highway, w)) return false;
  // 'ALAMEDA DE LA PULGA', 'LA SALLE ST': an article and the word after it are a name.
  if (ARTICLES.has(words[i - 1] ?? '')) return false;
  if (w === 'LA' && isAlphaWord(words[i + 1]) && !SUFFIXES.has(words[i + 1]!)) return false;
  return hasNameBefore(words, from, end, i);
}

function strongCandidate(words: readonly string[], from: number, end: number, i: number): boolean {
  return isStrongSuffix(words[i]) && suffixCandidate(words, from, end, i);
}

/** Whether a strong suffix follows words[i] after name words only. */
function laterStrong(words: readonly string[], from: number, end: number, i: number): boolean {
  for (let k = i + 1; k < end; k++) {
    if (SUFFIXES.has(words[k]!))
      return isStrongSuffix(words[k]) && suffixCandidate(words, from, end, k);
    if (!isAlphaWord(words[k]) || isDirectional(words[k])) return false;
  }
  return false;
}

/**
 * Where a city may follow the street in the same comma-separated part: 'none' (street
 * line alone, or a comma follows), 'maybe' (a line without state or ZIP), 'tail' (the
 * state or ZIP follows the part, so the part ends with the city).
 */
type CityMode = 'none' | 'maybe' | 'tail';

/**
 * Chooses the suffix among words[from..end). The first strong suffix (ST, AVE, RD…)
 * wins, extended over strong suffixes right after it ('OLD BRIDGE ROAD LN'); without
 * one, a weaker suffix word (PARK, HILL, MALL…): when the part may go on with the city,
 * the first one not followed by another suffix word, otherwise the last one.
 */
function chooseSuffix(words: readonly string[], from: number, end: number, mode: CityMode): number {
  const cityMayFollow = mode !== 'none';
  for (let i = from + 1; i < end; i++) {
    if (!strongCandidate(words, from, end, i)) continue;
    // ST before a name and another strong suffix is SAINT: 'PORT ST LUCIE BLVD'.
    if (words[i] === 'ST' && isAlphaWord(words[i + 1]) && laterStrong(words, from, end, i))
      continue;
    let j = i;
    for (;;) {
      if (strongCandidate(words, from, end, j + 1)) j++;
      else if (suffixOf(words[j + 1]) === 'EXT') {
        j++; // 'AVON ST EXT'
        break;
      } else if (
        isDirectional(words[j + 1]) &&
        words[j + 1]!.length > 2 &&
        strongCandidate(words, from, end, j + 2) &&
        !isAlphaWord(words[j + 3])
      ) {
        j += 2; // 'PRIORITY WAY WEST DR'
      } else break;
    }
    // '... PARK ST LOUIS': ST opens the city (SAINT) after another suffix word.
    if (
      cityMayFollow &&
      words[j] === 'ST' &&
      j + 1 < end &&
      isAlphaWord(words[j + 1]) &&
      !isDirectional(words[j + 1]) &&
      !UNIT_TYPES.has(words[j + 1]!) &&
      j - 1 > from &&
      suffixCandidate(words, from, end, j - 1)
    ) {
      j--;
    }
    return j;
  }
  if (cityMayFollow) {
    for (let i = from + 1; i < end; i++) {
      if (!suffixCandidate(words, from, end, i)) continue;
      if (i + 1 < end && SUFFIXES.has(words[i + 1]!)) continue;
      // 'FORT LAUDERDALE', 'MOUNT VERNON': a place name starts here.
      if (CITY_FIRST_WORDS.has(words[i]!) && isAlphaWord(words[i + 1])) continue;
      // Right before the state or ZIP, a weak word ends the city ('CEDAR RAPIDS').
      if (mode === 'tail' && i === end - 1) continue;
      return i;
    }
    return -1;
  }
  let k = end;
  while (k - 1 > from + 1 && isDirectional(words[k - 1]) && end - k < 2) k--;
  return k - 1 > from && suffixCandidate(words, from, end, k - 1) ? k - 1 : -1;
}

/** Index after the first numbered highway in words[from..end) ('US HWY 17 BUS'), or -1. */
function highwayNumberEnd(words: readonly string[], from: number, end: number): number {
  for (let i = from; i < end; i++) {
    const m = matchPhrase(HIGHWAYS, words, i, end);
    if (!m) continue;
    let j = i + m.len;
    if (['NO', 'NUMBER', 'NUM', '#'].includes(words[j] ?? '')) j++;
    if (j < end && isRouteNumberFor(m.value, words[j])) {
      j++;
      while (j < end && HIGHWAY_MODIFIERS.has(HIGHWAYS.get(words[j]!) ?? '')) j++;
      return j;
    }
  }
  return -1;
}

/** A post-directional at words[i]: 'N', 'NORTH', 'N E'. Its value and length. */
function directionalAt(words: readonly string[], i: number, end: number) {
  const a = words[i];
  if (!isDirectional(a) || i >= end) return undefined;
  // 'NO 5' is a number, not NORTH.
  if ((a === 'NO' || a === 'SO') && isDigitWord(words[i + 1])) return undefined;
  const b = words[i + 1];
  if (i + 1 < end && /^[NS]$/.test(a!) && /^[EW]$/.test(b ?? '')) {
    return { value: `${a}${b}`, len: 2, spelled: false };
  }
  return { value: DIRECTIONALS.get(a!)!, len: 1, spelled: a!.length > 2 };
}

/**
 * Splits words[from..end) into pre-directional, name, suffix and post-directional.
 * When a city may follow (`mode`), words after the street (and its post-directional) are left
 * for the caller (a unit, then the city); `end` in the result says where they start.
 */
function splitStreet(
  words: readonly string[],
  from: number,
  end: number,
  mode: CityMode,
): StreetSplit {
  const cityMayFollow = mode !== 'none';
  const r: StreetSplit = {
    preDirectional: '',
    streetName: '',
    suffix: '',
    postDirectional: '',
    end,
  };
  if (from >= end) return r;
  // A numbered highway ends the street ('US 17 BUSINESS SURFSIDE BEACH').
  let limit = end;
  if (cityMayFollow) {
    const hw = highwayNumberEnd(words, from, end);
    if (hw > from && hw < end) limit = hw;
  }
  const s = chooseSuffix(words, from, limit, limit === end ? mode : 'none');
  let nameEnd: number;
  let after: number;
  if (s >= 0 || limit < end) {
    if (s >= 0) r.suffix = suffixOf(words[s])!;
    nameEnd = s >= 0 ? s : limit;
    after = s >= 0 ? s + 1 : limit;
    // 'US HIGHWAY 53 BUSINESS RTE N': a suffix word closing a numbered highway.
    const closing = words[after];
    if (
      s < 0 &&
      closing !== undefined &&
      SUFFIXES.has(closing) &&
      (after + 1 === end || isDirectional(words[after + 1]))
    ) {
      r.suffix = suffixOf(closing)!;
      after++;
    }
    // A directional right after the suffix closes the street. When words follow it in
    // a part that may hold the city, an abbreviated one ('DR SE CEDAR RAPIDS') still
    // does, a spelled-out one opens the city ('RD WEST PALM BEACH'), as the labelled
    // training addresses show by about four to one either way.
    const d = directionalAt(words, after, end);
    if (d) {
      const rest = after + d.len;
      const endsPart =
        rest >= end ||
        !!unitAt(words, rest, end) ||
        !!boxAt(words, rest, end) ||
        isDigitWord(words[rest]);
      if (!cityMayFollow || !d.spelled || endsPart) {
        r.postDirectional = d.value;
        after = rest;
      }
    }
  } else {
    // No suffix: the street runs to the end of the part; a directional may close it.
    nameEnd = end;
    after = end;
    const last2 = end - 2 >= from ? directionalAt(words, end - 2, end) : undefined;
    const last1 = directionalAt(words, end - 1, end);
    const d = last2 && last2.len === 2 ? last2 : last1;
    if (d && end - d.len > from && !words.slice(from, end - d.len).every(isDirectional)) {
      r.postDirectional = d.value;
      nameEnd = end - d.len;
    }
  }
  let nameFrom = from;
  if (nameEnd - from >= 2 && isDirectional(words[from])) {
    const d = directionalAt(words, from, nameEnd);
    const len = d && d.len === 2 && nameEnd - from > 2 ? 2 : 1;
    r.preDirectional = len === 2 ? d!.value : DIRECTIONALS.get(words[from]!)!;
    nameFrom = from + len;
  }
  r.streetName = standardiseStreetName(words.slice(nameFrom, nameEnd), r.suffix);
  r.end = after;
  return r;
}

/** House number at words[i] ('123', '123 1/2', '4922 B', 'N165 W2123'); its value and length. */
function houseNumberAt(
  words: readonly string[],
  i: number,
  end: number,
): { value: string; len: number } | undefined {
  const w = words[i];
  if (w === undefined || i >= end) return undefined;
  // '# 2 TURNER RD': a number sign before the house number.
  if (w === '#' && i === 0 && HOUSE_NUMBER.test(words[i + 1] ?? '') && isAlphaWord(words[i + 2])) {
    const h = houseNumberAt(words, i + 1, end);
    return h && { value: h.value, len: h.len + 1 };
  }
  if (!HOUSE_NUMBER.test(w) || /\d{8}/.test(w)) {
    if (SPELLED_HOUSE_NUMBERS.has(w) && end - i >= 3) return { value: w, len: 1 };
    return undefined;
  }
  const parts = [w];
  let j = i + 1;
  const next = words[j];
  if (j < end && next !== undefined) {
    if (FRACTION.test(next)) {
      parts.push(next);
      j++;
    } else if (/^[NSEW]\d+$/.test(w) && /^[NSEW]\d+$/.test(next)) {
      parts.push(next);
      j++;
    } else if (
      /^[A-Z]$/.test(next) &&
      !isDirectional(next) &&
      /\d$/.test(w) &&
      j + 1 < end &&
      !matchPhrase(HIGHWAYS, words, j, end) &&
      houseLetterBefore(words[j + 1]!)
    ) {
      parts.push(next);
      j++;
    }
  }
  return { value: standardiseHouseNumber(parts), len: j - i };
}

/**
 * Whether a single letter after a house number is part of it ('4922 B SOUTH CORNELL',
 * '3511 R RAVENSWOOD'), judged by the word after the letter: not when that word is a
 * suffix or unit ('1202 A AVENUE'), another letter or a number (initials: 'L B J FWY',
 * 'F 41'), or a joining word ('P DE LEON', 'C AND N SMITH').
 */
function houseLetterBefore(next: string): boolean {
  if (isDirectional(next)) return true;
  if (SUFFIXES.has(next) || UNIT_TYPES.has(next)) return false;
  if (/^[A-Z]$/.test(next) || isDigitWord(next)) return false;
  return !['DE', 'DEL', 'LA', 'AND', '&', 'OF'].includes(next);
}

/** Whether a part (its words) opens a delivery address: a house number, a box, a route. */
function opensDelivery(words: readonly string[]): boolean {
  let i = 0;
  const u = unitAt(words, 0, words.length);
  if (u && houseNumberAt(words, u.len, words.length)) i = u.len;
  if (boxAt(words, i, words.length)) return true;
  const h = houseNumberAt(words, i, words.length);
  return !!h && i + h.len < words.length && !unitAt(words, i + h.len, words.length);
}

interface Collected {
  unit?: UnitMatch;
  /** Something (a unit, box) was read after the street in its part. */
  afterStreet?: boolean;
  /** Every unit read, in order: `unit` keeps the one that ranks first. */
  units?: UnitMatch[];
  /** Words after the street of a line without a city that nothing else read. */
  unread?: string[];
}

function addUnit(r: UsAddress, c: Collected, u: UnitMatch): void {
  (c.units ??= []).push(u);
  if (!c.unit || unitRank(u.type) > unitRank(c.unit.type)) {
    c.unit = u;
    r.unitType = u.type;
    r.unitId = u.id;
  }
}

function addBox(r: UsAddress, b: BoxMatch): void {
  if (b.routeType && !r.routeType) {
    r.routeType = b.routeType;
    r.routeId = b.routeId;
  }
  if (b.boxId && !r.boxId) r.boxId = b.boxId;
}

/** Where a unit, box or route marker first appears in words[from..end); `end` if none. */
function firstMarker(words: readonly string[], from: number, end: number): number {
  for (let j = from + 1; j < end; j++) {
    const w = words[j]!;
    if (['NO', 'NUMBER', 'NUM', '#'].includes(w) && numberSignOpensRoute(words, j)) continue;
    const u = unitAt(words, j, end);
    if (u) {
      // A designator that needs no identifier ('REAR') counts only at the end, after a suffix.
      if (u.id === '' && !(j + u.len === end && SUFFIXES.has(words[j - 1]!))) continue;
      return j;
    }
    if (boxAt(words, j, end)) return j;
  }
  return end;
}

/**
 * Parses the delivery part (the part holding the street) into `r`. When a city may
 * follow (`mode`), the words left after the street and unit are returned as the city.
 */
function parseDeliveryPart(
  words: readonly string[],
  r: UsAddress,
  c: Collected,
  mode: CityMode,
): string[] {
  const cityMayFollow = mode !== 'none';
  const end = words.length;
  let i = 0;
  // Units written first ('APT 1B 626 E KILBOURN AVE', 'DEPT 528 4TH FLOOR 300 E RANDOLPH ST').
  for (let lead = unitAt(words, i, end); lead && lead.id; lead = unitAt(words, i, end)) {
    addUnit(r, c, lead);
    i += lead.len;
  }
  // A name, building or attention words before the house number or box, perhaps
  // with a unit among them ('ERIN JOHNSON C/O DTZ SUITE 1800 77 W WACKER DR').
  if (!houseNumberAt(words, i, end) && !boxAt(words, i, end)) {
    const start = laterDeliveryStart(words, i, end);
    for (let k = i; k < start; k++) {
      // ('CUSTOMER # 55-0037082 LOCK BOX 427': a number sign there marks an account.)
      const u = words[k] === '#' ? undefined : unitAt(words, k, start);
      if (u?.id && u.type !== '#') {
        addUnit(r, c, u);
        k += u.len - 1;
      } else if (!cityMayFollow) unread(c, [words[k]!]);
    }
    if (start > i) i = start;
  }
  // Boxes and routes (a street may follow: 'LOCKBOX 360172 500 ROSS ST').
  for (let b = boxAt(words, i, end); b; b = boxAt(words, i, end)) {
    addBox(r, b);
    i += b.len;
    const u = unitAt(words, i, end);
    if (u) {
      addUnit(r, c, u);
      i += u.len;
    }
  }
  let h = houseNumberAt(words, i, end);
  // A spelled number may open a building name before the real address
  // ('ONE MIDTOWN PLAZA 1360 PEACHTREE ST').
  if (h && SPELLED_HOUSE_NUMBERS.has(words[i]!)) {
    const later = laterDeliveryStart(words, i + 1, end);
    const between = words.slice(i + 1, later);
    if (later > i + 1 && houseNumberAt(words, later, end) && !between.some(isStrongSuffix)) {
      i = later;
      h = houseNumberAt(words, i, end);
    }
  }
  if (h) {
    r.houseNumber = h.value;
    i += h.len;
    // A unit between house number and street ('6910 # G MARY CAROLINE CIR').
    const u = unitAt(words, i, end);
    if (u && u.id && (u.type === '#' || /\d/.test(u.id)) && isAlphaWord(words[i + u.len])) {
      addUnit(r, c, u);
      i += u.len;
    }
  } else if (r.boxId || r.routeType) {
    return cityMayFollow ? words.slice(i) : unread(c, words.slice(i));
  }
  const markerAt = firstMarker(words, i, end);
  // An intersection: two streets joined by '&' or AND, with no house number.
  if (!h) {
    for (const p of INTERSECTION_PREFIXES) {
      if (words.slice(i, i + p.length).join(' ') === p.join(' ') && i + p.length < markerAt) {
        i += p.length;
        break;
      }
    }
    const x = words.findIndex(
      (w, k) => k > i && k < markerAt - 1 && (w === '&' || w === 'AND' || w === 'AT'),
    );
    if (x > i) {
      const a = splitStreet(words, i, x, 'none');
      const b = splitStreet(words, x + 1, markerAt, markerAt < end ? 'none' : mode);
      Object.assign(r, {
        kind: 'intersection',
        preDirectional: a.preDirectional,
        streetName: a.streetName,
        suffix: a.suffix,
        postDirectional: a.postDirectional,
        crossStreet: [b.preDirectional, b.streetName, b.suffix, b.postDirectional]
          .filter(Boolean)
          .join(' '),
      });
      return afterStreet(words, b.end, end, r, c, mode);
    }
  }
  const st = splitStreet(words, i, markerAt, markerAt < end ? 'none' : mode);
  const streetEnd = st.end;
  Object.assign(r, {
    preDirectional: st.preDirectional,
    streetName: st.streetName,
    suffix: st.suffix,
    postDirectional: st.postDirectional,
  });
  if (r.streetName || r.suffix) {
    r.kind = 'street';
    if (!h && !r.boxId && isLandmark(words.slice(i, streetEnd), st)) {
      r.kind = 'landmark';
      r.landmark = words.slice(i, streetEnd).join(' ');
      Object.assign(r, { preDirectional: '', streetName: '', suffix: '', postDirectional: '' });
    }
  } else if (h) r.kind = 'street';
  // A number right after a street without a suffix is a unit ('203 N WABASH 608').
  if (h && !st.suffix && !st.postDirectional && streetEnd === markerAt && streetEnd - i >= 2) {
    const lastW = words[streetEnd - 1]!;
    const before = words[streetEnd - 2]!;
    if (
      /^\d+[A-Z]?$/.test(lastW) &&
      isAlphaWord(before) &&
      !ROUTE_WORDS.has(before) &&
      !isDirectional(before) &&
      !['NO', 'MILE'].includes(before)
    ) {
      const st2 = splitStreet(words, i, streetEnd - 1, 'none');
      Object.assign(r, {
        preDirectional: st2.preDirectional,
        streetName: st2.streetName,
        suffix: st2.suffix,
        postDirectional: st2.postDirectional,
      });
      addUnit(r, c, { type: '', id: unitIdOf([lastW]), len: 1 });
    }
  }
  return afterStreet(words, streetEnd, end, r, c, mode);
}

/** A place name rather than a street: no house number, and no strong suffix or route number. */
function isLandmark(words: readonly string[], st: StreetSplit): boolean {
  if (words.length < 2) return false;
  if (STRONG_SUFFIXES.has(st.suffix)) return false;
  if (words.some(isDigitWord)) return false;
  return true;
}

/** Units, boxes, a post-directional and (when allowed) the city after the street. */
function afterStreet(
  words: readonly string[],
  from: number,
  end: number,
  r: UsAddress,
  c: Collected,
  mode: CityMode,
): string[] {
  const cityMayFollow = mode !== 'none';
  let i = from;
  let first = true;
  if (from < end) c.afterStreet = true;
  while (i < end) {
    const u = unitAt(words, i, end);
    if (u && (u.id || i + u.len >= end || !cityMayFollow)) {
      addUnit(r, c, u);
      i += u.len;
      first = false;
      continue;
    }
    const b = boxAt(words, i, end);
    if (b) {
      addBox(r, b);
      i += b.len;
      first = false;
      continue;
    }
    // A bare identifier right after the street ('123 MAIN ST 5', '280 SUMMIT CT B').
    const w = words[i]!;
    const bare =
      (/\d/.test(w) && !FRACTION.test(w)) ||
      (!!r.suffix &&
        !isDirectional(w) &&
        (/^[A-Z]$/.test(w) || (/^[A-Z]{2}$/.test(w) && i === end - 1 && mode !== 'tail')));
    if (first && !c.unit && bare) {
      // '4 N' at the end: the letter belongs to the identifier.
      const two = /^\d+$/.test(w) && i + 2 === end && /^[A-Z]$/.test(words[i + 1]!);
      addUnit(r, c, { type: '', id: unitIdOf(two ? [w, words[i + 1]!] : [w]), len: 1 });
      i += two ? 2 : 1;
      first = false;
      continue;
    }
    break;
  }
  if (cityMayFollow) return words.slice(i, end);
  // The rest of a suffix typed apart ('PL ACE', 'STR EET') belongs to the street.
  if (i === from && i > 0 && i < end && SUFFIXES.has(words[i - 1]! + words[i]!)) i++;
  return unread(c, words.slice(i, end));
}

/** Keeps words nothing read, in a line without a city: they may name a unit. */
function unread(c: Collected, words: readonly string[]): [] {
  if (words.length > 0) (c.unread ??= []).push(...words);
  return [];
}

/**
 * Index of a house number or box later in words[from..end) that opens the real
 * address after a name or building ('JANET SMITH 7710 MAIN AVE',
 * 'ONE MIDTOWN PLAZA 1360 PEACHTREE ST'); `from` when there is none.
 */
function laterDeliveryStart(words: readonly string[], from: number, end: number): number {
  for (let i = from + 1; i < end; i++) {
    if (boxAt(words, i, end) && !ROUTE_WORDS.has(words[i - 1] ?? '')) return i;
    const h = houseNumberAt(words, i, end);
    const w = words[i]!;
    if (!h || !(/^(?:\d|[NSEW]\d)/.test(w) || SPELLED_HOUSE_NUMBERS.has(w))) continue;
    const prev = words[i - 1]!;
    const next = words[i + h.len];
    if (next === undefined || !(isAlphaWord(next) || /^\d+(?:ST|ND|RD|TH)$/.test(next))) continue;
    if (boxAt(words, i + h.len, end)) continue;
    if (UNIT_TYPES.has(prev) || ROUTE_WORDS.has(prev) || FLOOR_WORDS.has(next)) continue;
    if (prev === '&' || prev === 'AND') continue;
    // A spelled number opens the address only before a street with a strong suffix.
    const rest = words.slice(i + h.len, end);
    if (SPELLED_HOUSE_NUMBERS.has(words[i]!) && !rest.some((w) => isStrongSuffix(w))) continue;
    return i;
  }
  return from;
}

/** Whether toks[i] opens a comma-separated part. */
function segStart(toks: readonly Token[], i: number): boolean {
  return i === 0 || toks[i - 1]!.seg !== toks[i]!.seg;
}

/** ZIP, state and country at the end of the line; where they begin. */
function takeTail(toks: readonly Token[], r: UsAddress): { end: number; found: boolean } {
  const words = toks.map((t) => t.t);
  let end = toks.length;
  // Country.
  for (let k = COUNTRY_ENDS.has(words[end - 1] ?? '') ? Math.min(5, end) : 0; k >= 1; k--) {
    if (!COUNTRIES.has(words.slice(end - k, end).join(' '))) continue;
    const prev = words[end - k - 1] ?? '';
    if (segStart(toks, end - k) || /^\d{5}/.test(prev) || STATES.has(prev)) {
      end -= k;
      break;
    }
  }
  // ZIP.
  let zip = false;
  const last = words[end - 1] ?? '';
  // A number after BOX, '#' or a unit designator is not a ZIP ('PO BOX 11418').
  const before = words[end - 2] ?? '';
  const numberOfSomething =
    before === '#' ||
    PO_BOXES.has(before) ||
    (UNIT_TYPES.has(before) &&
      !STATES.has(before) &&
      !UNITS_WITHOUT_ID.has(UNIT_TYPES.get(before)!));
  if (numberOfSomething) {
    // no ZIP
  } else if (/^\d{5}(?:-\d{4})?$/.test(last) || /^\d{9}$/.test(last)) {
    r.zip5 = last.slice(0, 5);
    zip = true;
    end--;
  } else if (/^\d{4}$/.test(last) && /^\d{5}$/.test(words[end - 2] ?? '')) {
    r.zip5 = words[end - 2]!;
    zip = true;
    end -= 2;
  } else if (/^\d{3,6}(?:-\d{4})?$/.test(last) && end >= 2 && STATES.has(words[end - 2]!)) {
    // A malformed ZIP after a state ('MA 1241'): a ZIP slot with no valid ZIP5.
    zip = true;
    end--;
  }
  // State.
  let state = false;
  for (let k = STATE_ENDS.has(words[end - 1] ?? '') ? Math.min(4, end) : 0; k >= 1; k--) {
    const key = k === 1 ? words[end - 1]! : words.slice(end - k, end).join(' ');
    const code = STATES.get(key);
    if (!code) continue;
    const from = end - k;
    let ok = zip || segStart(toks, from);
    if (!ok && k === 1 && key === code && from >= 2) {
      const before = words.slice(0, from);
      ok =
        !SUFFIXES.has(key) &&
        !DIRECTIONALS.has(key) &&
        !UNIT_TYPES.has(key) &&
        isAlphaWord(before[before.length - 1]) &&
        !SUFFIXES.has(before[before.length - 1]!) &&
        before.some(isDigitWord);
    }
    // '1180 PEACHTREE ST, NE': without a ZIP, a directional after the street is not Nebraska.
    if (ok && !zip && DIRECTIONALS.has(key) && from > 0) {
      const prevSeg = toks[from - 1]!.seg;
      const firstOfPrev = toks.findIndex((t) => t.seg === prevSeg);
      if (HOUSE_NUMBER.test(words[firstOfPrev] ?? '')) ok = false;
    }
    if (!ok) continue;
    r.state = code;
    state = true;
    end = from;
    break;
  }
  return { end, found: zip || state };
}

/** Words of a part that are a unit first, then a city ('SUITE 530 ATLANTA'). */
function cityFromPart(words: readonly string[], r: UsAddress, c: Collected): string {
  let i = 0;
  // 'BOLTON RD, NW ATLANTA': an abbreviated directional after the comma closes the street.
  const d = directionalAt(words, 0, words.length);
  const twoLetter = d && (d.len === 2 || d.value.length === 2) && !d.spelled;
  if (d && twoLetter && r.suffix && !r.postDirectional && words.length > d.len) {
    r.postDirectional = d.value;
    i = d.len;
  }
  for (;;) {
    const u = unitAt(words, i, words.length);
    if (u) {
      addUnit(r, c, u);
      i += u.len;
      continue;
    }
    const b = boxAt(words, i, words.length);
    if (b) {
      addBox(r, b);
      i += b.len;
      continue;
    }
    break;
  }
  return words.slice(i).join(' ');
}

/** Whether a part (between the street and the city) is only a unit, box or directional. */
function absorbPart(words: readonly string[], r: UsAddress, c: Collected): boolean {
  if (words.length === 0) return true;
  const d = directionalAt(words, 0, words.length);
  const alone =
    d &&
    (d.len === words.length ||
      !!unitAt(words, d.len, words.length) ||
      !!boxAt(words, d.len, words.length));
  if (d && alone && !r.postDirectional && (r.streetName || r.suffix)) {
    r.postDirectional = d.value;
    afterStreet(words, d.len, words.length, r, c, 'none');
    return true;
  }
  // A unit, possibly after a building name ('TOWER PLACE STE 1685').
  for (let k = 0; k < words.length; k++) {
    const u = unitAt(words, k, words.length);
    if (!u || (k > 0 && !u.id)) continue;
    if (!words.slice(0, k).every(isAlphaWord)) break;
    // In a street line the building's words tell two towers apart ('TOWER A APT 4').
    unread(c, words.slice(0, k));
    addUnit(r, c, u);
    afterStreet(words, k + u.len, words.length, r, c, 'none');
    return true;
  }
  const b = boxAt(words, 0, words.length);
  if (b) {
    addBox(r, b);
    afterStreet(words, b.len, words.length, r, c, 'none');
    return true;
  }
  if (words.every((w) => isUnitIdWord(w) || w === '#') && words.length <= 2 && !c.unit) {
    addUnit(r, c, { type: '', id: unitIdOf(words), len: words.length });
    return true;
  }
  return false;
}

function finishKind(r: UsAddress): UsAddress {
  if (r.kind === 'none' || r.kind === 'street') {
    if (!r.houseNumber && !r.streetName && !r.suffix) {
      if (r.routeType) r.kind = 'rural_route';
      else if (r.boxId) r.kind = 'po_box';
      else r.kind = 'none';
    } else r.kind = 'street';
  }
  return r;
}

/**
 * Parses a one-line US address into USPS Publication 28 components.
 * @example parseUsAddress('123 North Main Street Apt 4b, Houston, Texas 77001-1234')
 * // { kind: 'street', houseNumber: '123', preDirectional: 'N', streetName: 'MAIN', suffix: 'ST',
 * //   unitType: 'APT', unitId: '4B', city: 'HOUSTON', state: 'TX', zip5: '77001', ... }
 */
export function parseUsAddress(oneLine: string): UsAddress {
  const r = emptyUsAddress();
  const c: Collected = {};
  const toks = tokenize(oneLine);
  const tail = takeTail(toks, r);
  const body = toks.slice(0, tail.end);
  const tailSameSeg =
    tail.end < toks.length && body.length > 0 && body[body.length - 1]!.seg === toks[tail.end]!.seg;
  let parts = groupParts(body);
  parts = dropRecipients(parts);
  if (parts.length === 0) return finishKind(r);
  const d = deliveryPartIndex(parts);
  // Parts before it: units or names (dropped).
  for (let k = 0; k < d; k++) absorbPart(parts[k]!, r, c);
  const last = parts.length - 1;
  const only = parts.length === 1 ? parts[0]! : undefined;
  // 'SOLDOTNA, AK 99669': a place alone.
  if (only && tail.found && !tailSameSeg && !only.some(isDigitWord) && !opensDelivery(only)) {
    r.city = only.join(' ');
    return finishKind(r);
  }
  const cityPart = d < last ? parts[last]! : undefined;
  const lastIsCity = cityPart !== undefined && (tail.found || looksLikeCity(cityPart));
  const deliveryIsLast = d === last;
  const mode: CityMode = !deliveryIsLast ? 'none' : tail.found ? 'tail' : 'maybe';
  const rest = parseDeliveryPart(parts[d]!, r, c, mode);
  let city = '';
  if (deliveryIsLast) {
    city = rest.join(' ');
    if (!city && tail.found && !c.afterStreet) city = cityFallback(r);
  }
  const middleEnd = lastIsCity ? last : parts.length;
  for (let k = d + 1; k < middleEnd; k++) absorbPart(parts[k]!, r, c);
  if (cityPart && lastIsCity) city = cityFromPart(cityPart, r, c);
  r.city = city;
  return finishKind(r);
}

/**
 * Which comma-separated part holds the delivery line: the first that opens with a
 * house number (a written-out one only if no part has digits), box or route; else the
 * first holding one after a name ('SMITHFIELD FOODS, INC P O BOX 9004'); else the first.
 */
function deliveryPartIndex(parts: readonly (readonly string[])[]): number {
  if (parts.length === 1) return 0;
  const numeric = parts.findIndex((p) => opensDelivery(p) && !SPELLED_HOUSE_NUMBERS.has(p[0]!));
  // Of several, one whose street has a strong suffix ('30 ALLEN PLAZA, STE 700, 30 IVAN ALLEN JR BLVD').
  const strong = parts.findIndex(
    (p, k) => k >= numeric && opensDelivery(p) && p.some((w, j) => j > 0 && isStrongSuffix(w)),
  );
  if (numeric >= 0 && strong >= 0 && !parts[numeric]!.some(isStrongSuffix)) return strong;
  if (numeric >= 0) return numeric;
  const any = parts.findIndex((p) => opensDelivery(p));
  if (any >= 0) return any;
  const later = parts.findIndex((p) => laterDeliveryStart(p, 0, p.length) > 0);
  return later >= 0 ? later : 0;
}

/** Whether a last part with no state or ZIP after it reads as a city. */
function looksLikeCity(words: readonly string[]): boolean {
  if (words.some(isDigitWord) || RECIPIENT_MARKERS.has(words[0]!)) return false;
  if (words.every((w) => RECIPIENT_NAME_ENDINGS.has(w))) return false;
  // Absorbed as a unit, box or post-directional after a street?
  return !absorbPart(words, { ...emptyUsAddress(), streetName: 'X' }, {});
}

/**
 * When a line has no comma between street and city and the street has no suffix,
 * nothing marks where the city starts: take the last word as the city (two when the
 * first is a usual first word of a place name: SAN, NEW, FORT…) and shorten the
 * street name accordingly.
 */
function cityFallback(r: UsAddress): string {
  if (r.kind !== 'street' || r.suffix || r.postDirectional || !r.houseNumber) {
    return '';
  }
  const name = r.streetName.split(' ');
  if (name.length < 2 || !isAlphaWord(name[name.length - 1])) return '';
  const city = [name.pop()!];
  if (name.length >= 2 && CITY_FIRST_WORDS.has(name[name.length - 1]!)) city.unshift(name.pop()!);
  if (ROUTE_WORDS.has(name[name.length - 1]!)) return '';
  // 'BRAYBROOK SE CEDAR RAPIDS': a directional before the city closes the street.
  const d = name.length >= 2 ? directionalAt(name, name.length - 1, name.length) : undefined;
  if (d) {
    r.postDirectional = d.value;
    name.pop();
  }
  r.streetName = name.join(' ');
  return city.join(' ');
}

function groupParts(toks: readonly Token[]): string[][] {
  const parts: string[][] = [];
  let seg = -1;
  for (const t of toks) {
    if (t.seg !== seg) {
      parts.push([]);
      seg = t.seg;
    }
    parts[parts.length - 1]!.push(t.t);
  }
  return parts.filter((p) => p.length > 0);
}

function isRecipient(p: readonly string[]): boolean {
  return RECIPIENT_MARKERS.has(p[0]!) || (p.length > 1 && RECIPIENT_MARKERS.has(`${p[0]} ${p[1]}`));
}

/**
 * Whether a line's words name a recipient anywhere, in care of whom or for whose
 * attention mail goes ('c/o Mary Jones, 12 Main St', 'Erin Johnson c/o DTZ 77 W Wacker
 * Dr'): the parser drops those words, but the address is then someone else's, where the
 * person may not live (ADR 0014, the sixth hunt).
 */
function namesRecipient(toks: readonly Token[]): boolean {
  return toks.some(
    (t, i) => RECIPIENT_MARKERS.has(t.t) || RECIPIENT_MARKERS.has(`${t.t} ${toks[i + 1]?.t ?? ''}`),
  );
}

/** Drops leading attention / care-of parts, or the attention words within the first part. */
function dropRecipients(parts: string[][]): string[][] {
  const out = [...parts];
  while (out.length > 1 && isRecipient(out[0]!)) {
    out.shift();
    // 'c/o G. Thomas Collins, Jr.': the name's ending after a comma goes too.
    while (out.length > 0 && out[0]!.every((w) => RECIPIENT_NAME_ENDINGS.has(w))) out.shift();
  }
  if (out.length === 1 && isRecipient(out[0]!)) {
    const start = laterDeliveryStart(out[0]!, 0, out[0]!.length);
    if (start === 0) return [];
    out[0] = out[0]!.slice(start);
  }
  return out;
}

/**
 * Parses a street line alone (no city, state or ZIP in it): house number, street,
 * unit and any box or route.
 * @example parseUsStreet('123 N Main St Apt 4B') // houseNumber '123', streetName 'MAIN', suffix 'ST', unitId '4B', ...
 */
export function parseUsStreet(street: string): UsAddress {
  return parseUsStreetLine(street).address;
}

/**
 * A street line parsed as parseUsStreet does, and what in it names the unit
 * (`unitKey`): every secondary unit in order (unitKeyPart: 'APT 4' → '4', 'BLDG 2' →
 * 'BLDG 2', 'REAR' → 'REAR'), then the words nothing read, before the house number or
 * after the street ('UPSTAIRS, 12 MAIN ST', 'FLAT 4', 'TOWER A APT 4'). Words dropped
 * would make two dwellings one: a unit the parser cannot read must still tell them
 * apart. A city, state and ZIP written in the line are in the key too: only the
 * address's own fields tell them from a unit (addressKeys, normalize/address.ts). The
 * rest of a suffix typed apart ('PL ACE') is the street's.
 * @example parseUsStreetLine('12 Main St Bldg 2 Apt 4').unitKey // 'BLDG 2 4'
 */
export function parseUsStreetLine(street: string): {
  address: UsAddress;
  unitKey: string;
  /** The line names a recipient (namesRecipient: `C/O`, `ATTN`, ...). */
  careOf: boolean;
} {
  const r = emptyUsAddress();
  const c: Collected = {};
  const toks = tokenize(street);
  const careOf = namesRecipient(toks);
  let parts = dropRecipients(groupParts(toks));
  if (parts.length === 0) return { address: finishKind(r), unitKey: '', careOf };
  const d = deliveryPartIndex(parts);
  for (let k = 0; k < d; k++) if (!absorbPart(parts[k]!, r, c)) unread(c, parts[k]!);
  parseDeliveryPart(parts[d]!, r, c, 'none');
  parts = parts.slice(d + 1);
  for (const p of parts) if (!absorbPart(p, r, c)) unread(c, p);
  return {
    address: finishKind(r),
    unitKey: unitKeyFrom(c.units ?? [], c.unread ?? []),
    careOf,
  };
}

/** Words that say there is no unit ('N/A', 'NONE'). */
const NO_UNIT = new Set(['NA', 'N/A', 'NONE', 'NULL', 'NIL']);

/** Designators written for one another on a home's unit: APT 4, UNIT 4, # 4, a bare 4. */
const DWELLING_UNIT_TYPES = new Set(['APT', 'UNIT', '#', '']);

/**
 * A unit's part of the key: its identifier for an apartment (APT 4, UNIT 4, #4 are one
 * unit, 4); with its designator for any other (BLDG 2, PH 2, LOT 2, STE 2 are not APT
 * 2); the designator alone for one that needs no identifier (REAR).
 */
function unitKeyPart(u: UnitMatch): string {
  if (!u.id) return u.type === '#' ? '' : u.type;
  return DWELLING_UNIT_TYPES.has(u.type) ? u.id : `${u.type} ${u.id}`;
}

/** The unit key of the units read and the words left unread (see parseUsStreetLine). */
function unitKeyFrom(units: readonly UnitMatch[], unreadWords: readonly string[]): string {
  const ids = units.map(unitKeyPart).filter(Boolean);
  // A designator that needs an identifier but has none (APT), or a lone '#', says
  // nothing of which unit; one that needs none (REAR, UPPER) does.
  const rest = unreadWords
    .map((w) => {
      const type = UNIT_TYPES.get(w);
      if (type === undefined) return w;
      return UNITS_WITHOUT_ID.has(type) ? type : '';
    })
    .filter((w) => w && w !== '#' && !NO_UNIT.has(w));
  // Words that are one identifier written apart ('4 B', 'A 1') are joined; two numbers
  // stay apart, as in the street line ('1 2' is building 1, apartment 2, not 12).
  const key =
    ids.length === 0 &&
    rest.length > 0 &&
    rest.every(isUnitIdWord) &&
    rest.filter((w) => /\d/.test(w)).length <= 1
      ? unitIdOf(rest)
      : [...ids, ...rest].join(' ');
  // APT 02 is APT 2.
  return key.replace(/(^| )0+(?=\d)/g, '$1');
}

/**
 * What a unit field names, in the form of parseUsStreetLine's `unitKey`: every unit
 * in order, and words no designator explains ('Flat 4' → 'FLAT 4'); '' for a field
 * that names none ('-', '#', 'Apt', 'N/A').
 * @example unitKeyOf('Bldg 2, Apt #4-B') // 'BLDG 2 4B'
 */
export function unitKeyOf(text: string): string {
  const words = addressWords(text);
  const units: UnitMatch[] = [];
  const rest: string[] = [];
  for (let i = 0; i < words.length;) {
    const u = unitAt(words, i, words.length);
    if (u) {
      units.push(u);
      i += u.len;
    } else rest.push(words[i++]!);
  }
  return unitKeyFrom(units, rest);
}

/**
 * Words reduced for comparing whole streets whatever their split into name and
 * suffix: directionals and suffixes abbreviated, highway words standardised,
 * ordinal endings dropped. Used by the evaluation where labels do not separate
 * the suffix (us50 files).
 * @example canonicalStreet(['WEST', '71', 'STREET']) // 'W 71 ST'
 */
export function canonicalStreet(words: readonly string[]): string {
  const ws = standardiseStreetName(words.filter((w) => w !== '#' && w !== '&'))
    .split(' ')
    .filter(Boolean);
  // 'S E' → 'SE'
  for (let i = ws.length - 2; i >= 0; i--) {
    if (/^[NS]$/.test(ws[i]!) && /^[EW]$/.test(ws[i + 1]!)) ws.splice(i, 2, ws[i]! + ws[i + 1]!);
  }
  return ws
    .map((w) => DIRECTIONALS.get(w) ?? SUFFIXES.get(w) ?? w)
    .map((w) => w.replace(/^(\d+)(?:ST|ND|RD|TH)$/, '$1'))
    .join(' ');
}
