import { foldText } from './text.ts';
import { readList } from './tables.ts';

/** Generational suffix, removed from the name and kept as evidence. */
export type GenerationalSuffix = 'JR' | 'SR' | 'II' | 'III' | 'IV' | 'V';

/** A person's name as it arrives: any field may be empty or missing. */
export interface PersonNameInput {
  first_name?: string | null;
  middle_name?: string | null;
  last_name?: string | null;
}

/** A person's name parsed into folded tokens (accents removed, upper case). */
export interface ParsedPersonName {
  /** Given names in order, first and middle fields together ('MARIA', 'GUADALUPE'). */
  given: string[];
  /** Surnames in order, each with its particles ('GARCIA', 'DE LA CRUZ'). */
  surnames: string[];
  suffix: GenerationalSuffix | null;
  /**
   * The first-name field starts with two names joined by a hyphen ('Jean-Claude',
   * 'Marie-Claire'): one compound name, where 'Jean Claude' may be a first and a
   * middle name.
   */
  compoundGiven: boolean;
}

/** Nickname tables, relative to data/ (see data/nicknames/SOURCE.md). */
export const NICKNAME_TABLES = [
  'nicknames/names.csv',
  'nicknames/hispanic-lusophone-french.csv',
] as const;

/**
 * Rows of the nickname tables that join two names each borne in its own right (JOHN
 * and JONATHAN, LISA and MELISSA), relative to data/ (see data/nicknames/SOURCE.md).
 */
export const TWO_NAMES_TABLE = 'nicknames/two-names.csv';

/**
 * Lists of given names by the sex of the people who bear them, relative to data/ (see
 * data/given-names/SOURCE.md): the Moby lists, and curated rows that add names they
 * lack and correct the sex of a few they give wrongly for US records.
 */
export const GIVEN_NAME_LISTS = {
  female: 'given-names/female.txt',
  male: 'given-names/male.txt',
  curated: 'given-names/curated.csv',
} as const;

/** Who bears a given name: men, women, or both. */
export type BearerSexes = 'M' | 'F' | 'MF';

/** Suffix tokens recognised anywhere in a field that has another word. */
const SUFFIX_TOKENS: ReadonlyMap<string, GenerationalSuffix> = new Map([
  ['JR', 'JR'],
  ['JNR', 'JR'],
  ['SR', 'SR'],
  ['SNR', 'SR'],
  ['II', 'II'],
  ['2ND', 'II'],
  ['III', 'III'],
  ['3RD', 'III'],
  ['IV', 'IV'],
  ['4TH', 'IV'],
]);

/** Suffix words that are also names: a suffix only as the last word after another word. */
const SUFFIX_WORDS: ReadonlyMap<string, GenerationalSuffix> = new Map([
  ['JUNIOR', 'JR'],
  ['SENIOR', 'SR'],
  // Portuguese 'Filho' (son) is the junior of a father with the same name; 'Neto'
  // (grandson) and 'Sobrinho' (nephew) name later ones. Spanish 'hijo' and French
  // 'fils' are written as Jr.
  ['FILHO', 'JR'],
  ['NETO', 'III'],
  ['SOBRINHO', 'II'],
  ['HIJO', 'JR'],
  ['FILS', 'JR'],
]);

/**
 * Suffixes that are also initials ('JOHN V' is John Victor): a suffix only as the last
 * word of the surname field, after the surname ('SMITH V').
 */
const SURNAME_SUFFIX_WORDS: ReadonlyMap<string, GenerationalSuffix> = new Map([
  ['V', 'V'],
  ['5TH', 'V'],
]);

/** Surname particles, kept attached to the surname that follows them. */
const PARTICLES: ReadonlySet<string> = new Set([
  'DE',
  'DEL',
  'DELA',
  'LA',
  'LAS',
  'LOS',
  'DA',
  'DAS',
  'DO',
  'DOS',
  'DI',
  'DU',
  'DES',
  'DELLA',
  'DELLE',
  'DELLO',
  'LE',
  'VAN',
  'VON',
  'DER',
  'DEN',
  'SAINT',
  'SAINTE',
]);

/** Spellings of particles written in one form ('ST JOHN' is 'SAINT JOHN'). */
const PARTICLE_SPELLINGS: ReadonlyMap<string, string> = new Map([
  ['ST', 'SAINT'],
  ['STE', 'SAINTE'],
]);

/** Words joining two surnames ('GARCIA Y LOPEZ', Portuguese 'SILVA E SOUZA'). */
const CONNECTORS: ReadonlySet<string> = new Set(['Y', 'E']);

/** Prefixes written apart that belong to the next word ('MC DONALD', "O' BRIEN", 'D SOUZA'). */
const GLUED_PREFIXES: ReadonlySet<string> = new Set(['MC', 'MAC', 'O', 'D']);

/** Particles inside given names ('MARIA DEL CARMEN', 'MARIA DAS GRACAS'), dropped. */
const GIVEN_PARTICLES: ReadonlySet<string> = new Set([
  'DE',
  'DEL',
  'DELA',
  'LA',
  'LAS',
  'LOS',
  'DA',
  'DAS',
  'DO',
  'DOS',
  'Y',
]);

/** Apostrophes join ("O'Brien" is OBRIEN, "D'Angelo" is DANGELO) rather than split. */
const APOSTROPHES = /['\u2018\u2019\u02BC\u0060\u00B4]/g;

/**
 * Letters that NFKD does not take apart, written as their usual Latin spelling: ĐỨC is
 * written DUC as often as not, Søren SOREN, Łukasz LUKASZ. Names only: the subject
 * identities of holds fold text without it, so holds placed before still match.
 */
const UNDECOMPOSED: Readonly<Record<string, string>> = {
  Đ: 'D',
  đ: 'd',
  Ð: 'D',
  ð: 'd',
  Ø: 'O',
  ø: 'o',
  Ł: 'L',
  ł: 'l',
  ß: 'ss',
  Æ: 'AE',
  æ: 'ae',
  Œ: 'OE',
  œ: 'oe',
  Þ: 'TH',
  þ: 'th',
  ı: 'i',
  Ħ: 'H',
  ħ: 'h',
};
const UNDECOMPOSED_LETTERS = /[ĐđÐðØøŁłßÆæŒœÞþıĦħ]/g;

function words(field: string | null | undefined): string[] {
  if (!field) return [];
  const spelled = field.replace(UNDECOMPOSED_LETTERS, (c) => UNDECOMPOSED[c] ?? c);
  const folded = foldText(spelled.replace(APOSTROPHES, ''));
  // A hyphen between letters already became a space ('GARCIA-LOPEZ'); between digits it stays.
  return folded ? folded.split(' ').flatMap((w) => w.split('-').filter(Boolean)) : [];
}

/**
 * Removes generational suffixes from one field's words. A suffix alone in the first or
 * last name field is taken as the name itself ('Junior' as a given name), except in the
 * middle name field, where data entry often puts it.
 */
function takeSuffixes(
  ws: string[],
  field: 'first' | 'middle' | 'last',
): { rest: string[]; suffix: GenerationalSuffix | null } {
  const isMiddle = field === 'middle';
  let suffix: GenerationalSuffix | null = null;
  const rest: string[] = [];
  ws.forEach((w, i) => {
    const token = SUFFIX_TOKENS.get(w);
    // The last word of a field of several; in the middle-name field, also alone
    // ('Junior', 'Filho' where a form has no suffix field).
    const last = i === ws.length - 1 && (i > 0 || isMiddle);
    const word = last
      ? (SUFFIX_WORDS.get(w) ?? (field === 'last' ? SURNAME_SUFFIX_WORDS.get(w) : undefined))
      : undefined;
    const found = token ?? word;
    if (found && (ws.length > 1 || isMiddle)) suffix ??= found;
    else rest.push(w);
  });
  return { rest, suffix };
}

/** Drops particles inside a run of given names, never the first word or a last one. */
function givenTokens(ws: string[]): string[] {
  return ws.filter((w, i) => !(i > 0 && i < ws.length - 1 && GIVEN_PARTICLES.has(w)));
}

/** Groups surname words into surnames, each with its particles in front. */
function surnameUnits(ws: string[]): string[] {
  const glued: string[] = [];
  for (let i = 0; i < ws.length; i++) {
    const w = ws[i]!;
    const next = ws[i + 1];
    const prev = glued[glued.length - 1];
    // 'DE LA O GARCIA': an O after a particle is the surname O, not a prefix.
    const afterParticle = prev !== undefined && PARTICLES.has(prev);
    if (GLUED_PREFIXES.has(w) && next !== undefined && !PARTICLES.has(next) && !afterParticle) {
      glued.push(w + next);
      i++;
    } else glued.push(PARTICLE_SPELLINGS.get(w) ?? w);
  }
  const units: string[] = [];
  let prefix: string[] = [];
  glued.forEach((w, i) => {
    const hasNext = i < glued.length - 1;
    if (CONNECTORS.has(w) && units.length > 0 && prefix.length === 0 && hasNext) return;
    if (PARTICLES.has(w) && hasNext) {
      prefix.push(w);
      return;
    }
    units.push([...prefix, w].join(' '));
    prefix = [];
  });
  return units;
}

/**
 * Parses a person's name into folded given names, surnames and a generational suffix.
 * Hyphens split double surnames, particles stay attached to their surname, 'Y'/'E'
 * between two surnames is dropped, and a suffix in any field is removed and returned.
 * Swapped fields are not detected here: to test a swap, parse with the fields exchanged.
 * @example parsePersonName({ first_name: 'María Guadalupe', last_name: 'de la Cruz-López Jr.' })
 * // { given: ['MARIA', 'GUADALUPE'], surnames: ['DE LA CRUZ', 'LOPEZ'], suffix: 'JR' }
 */
export function parsePersonName(name: PersonNameInput): ParsedPersonName {
  const last = takeSuffixes(words(name.last_name), 'last');
  const first = takeSuffixes(words(name.first_name), 'first');
  const middle = takeSuffixes(words(name.middle_name), 'middle');
  return {
    given: givenTokens([...first.rest, ...middle.rest]),
    surnames: surnameUnits(last.rest),
    suffix: last.suffix ?? first.suffix ?? middle.suffix,
    compoundGiven: first.rest.length > 1 && COMPOUND_GIVEN.test(name.first_name ?? ''),
  };
}

/** Two names of two letters or more joined by a hyphen, first in the field ('Jean-Claude'). */
const COMPOUND_GIVEN = /^\s*\p{L}{2,}\s*-\s*\p{L}{2,}/u;

/**
 * Every surname form a comparison should accept: the full surname, the full surname
 * written as one word, each surname of a double surname, each written as one word, and
 * each without its particles. Single letters (initials) are not keys on their own.
 * Two names share a surname when their key lists intersect; 'exact' is equal `surnames`.
 * @example surnameKeys(parsePersonName({ last_name: 'García de la Cruz' }))
 * // ['GARCIA DE LA CRUZ', 'GARCIADELACRUZ', 'GARCIA', 'DE LA CRUZ', 'DELACRUZ', 'CRUZ']
 */
export function surnameKeys(parsed: Pick<ParsedPersonName, 'surnames'>): string[] {
  const keys = new Set<string>();
  const add = (k: string) => {
    if (k.length > 1) keys.add(k);
  };
  if (parsed.surnames.length === 0) return [];
  const full = parsed.surnames.join(' ');
  add(full);
  add(full.replaceAll(' ', ''));
  for (const unit of parsed.surnames) {
    add(unit);
    const parts = unit.split(' ');
    if (parts.length > 1) {
      add(parts.join(''));
      add(parts[parts.length - 1]!);
    }
  }
  return [...keys];
}

interface NicknameTables {
  /** Every name and the names listed as its nicknames or listed with it as a nickname. */
  linked: Map<string, Set<string>>;
  /** Nickname → the names it is listed under. */
  formalsOf: Map<string, Set<string>>;
  /** Names with nicknames of their own that are not a shortening of a longer name. */
  canonical: Set<string>;
  /** Names with nicknames of their own (JOHN, NATHAN, BILL). */
  formals: Set<string>;
  /** Linked pairs of names each borne in its own right, as `A|B` with A before B. */
  twoNames: Set<string>;
  groups: Map<string, ReadonlySet<string>>;
}

/** Folds a table entry or a token into a given-name key ('Jean-Baptiste' → 'JEAN BAPTISTE'). */
function givenKey(s: string): string {
  if (/^[A-Z]+$/.test(s)) return s;
  return givenTokens(words(s)).join(' ');
}

function addTo(map: Map<string, Set<string>>, key: string, value: string): void {
  const set = map.get(key);
  if (set) set.add(value);
  else map.set(key, new Set([value]));
}

/**
 * Builds the table of who bears each given name: the female and male lists (one name a
 * line) and the curated rows (`name,sex`, sex M, F or MF), which replace what the lists
 * say of a name. Fails on a bad curated row.
 * @example buildGivenNameSexes(['Jean'], ['Jean'], []).get('JEAN') // 'MF'
 */
export function buildGivenNameSexes(
  female: readonly string[],
  male: readonly string[],
  curated: readonly string[],
): Map<string, BearerSexes> {
  const sexes = new Map<string, BearerSexes>();
  for (const name of female) sexes.set(givenKey(name), 'F');
  for (const name of male) {
    const key = givenKey(name);
    sexes.set(key, sexes.get(key) === 'F' ? 'MF' : 'M');
  }
  curated.forEach((line, i) => {
    if (line.startsWith('#') || (i === 0 && line === 'name,sex')) return;
    const [name, sex, ...rest] = line.split(',');
    const key = givenKey(name ?? '');
    if (!key || rest.length > 0 || (sex !== 'M' && sex !== 'F' && sex !== 'MF')) {
      // (readList leaves comment lines out: the entry, not the line, is numbered.)
      throw new Error(`${GIVEN_NAME_LISTS.curated} entry ${i + 1}: expected name,M|F|MF: ${line}`);
    }
    sexes.set(key, sex);
  });
  sexes.delete('');
  return sexes;
}

/** A man's name and a woman's (by the lists): a table row joining them names two people. */
function oppositeSexes(sexes: ReadonlyMap<string, BearerSexes>, a: string, b: string): boolean {
  const sa = sexes.get(a);
  const sb = sexes.get(b);
  return (sa === 'M' && sb === 'F') || (sa === 'F' && sb === 'M');
}

/** The key of an unordered pair of given names. */
function pairKey(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

/**
 * Parses the nickname CSV lines (`formal,has_nickname,nickname`), failing on a bad row.
 * A row joining a name only men bear to one only women bear (WILLIAM and WILMA, JACK and
 * JACQUELINE, by `sexes`) is left out: it names two people (ADR 0013). `twoNames`
 * (`name1,name2`) lists rows that join two names each borne in its own right; each
 * must be a row of the tables, or the build fails.
 */
export function buildNicknameTables(
  files: { name: string; lines: string[] }[],
  sexes: ReadonlyMap<string, BearerSexes> = new Map(),
  twoNames: { name: string; lines: string[] } = { name: TWO_NAMES_TABLE, lines: [] },
): NicknameTables {
  const linked = new Map<string, Set<string>>();
  const formalsOf = new Map<string, Set<string>>();
  const formals = new Set<string>();
  for (const { name, lines } of files) {
    lines.forEach((line, i) => {
      if (i === 0 && line.startsWith('name1,')) return;
      const cells = line.split(',');
      if (cells.length !== 3 || cells[1] !== 'has_nickname') {
        throw new Error(`${name} line ${i + 1}: expected formal,has_nickname,nickname: ${line}`);
      }
      const formal = givenKey(cells[0]!);
      const nick = givenKey(cells[2]!);
      if (!formal || !nick) throw new Error(`${name} line ${i + 1}: empty name: ${line}`);
      if (formal === nick || oppositeSexes(sexes, formal, nick)) return;
      formals.add(formal);
      addTo(linked, formal, nick);
      addTo(linked, nick, formal);
      addTo(formalsOf, nick, formal);
    });
  }
  // 'bill' is listed with nicknames of its own but is a shortening of 'william': it is
  // not canonical, so 'robert' and 'william' do not meet through it.
  const canonical = new Set(
    [...formals].filter(
      (f) => ![...(formalsOf.get(f) ?? [])].some((parent) => parent.length > f.length),
    ),
  );
  const pairs = new Set<string>();
  let entry = 0;
  for (const line of twoNames.lines) {
    if (line.startsWith('#') || line === 'name1,name2') continue;
    entry++;
    const cells = line.split(',');
    const a = cells.length === 2 ? givenKey(cells[0]!) : '';
    const b = cells.length === 2 ? givenKey(cells[1]!) : '';
    if (!a || !b || !linked.get(a)?.has(b)) {
      throw new Error(
        `${twoNames.name} entry ${entry}: expected name1,name2 joined by a row of the nickname tables: ${line}`,
      );
    }
    pairs.add(pairKey(a, b));
  }
  return { linked, formalsOf, canonical, formals, twoNames: pairs, groups: new Map() };
}

let loadedSexes: Map<string, BearerSexes> | undefined;

function bearerSexes(): Map<string, BearerSexes> {
  loadedSexes ??= buildGivenNameSexes(
    readList(GIVEN_NAME_LISTS.female),
    readList(GIVEN_NAME_LISTS.male),
    readList(GIVEN_NAME_LISTS.curated),
  );
  return loadedSexes;
}

let loaded: NicknameTables | undefined;

function tables(): NicknameTables {
  loaded ??= buildNicknameTables(
    NICKNAME_TABLES.map((name) => ({ name, lines: readList(name) })),
    bearerSexes(),
    { name: TWO_NAMES_TABLE, lines: readList(TWO_NAMES_TABLE) },
  );
  return loaded;
}

function groupOf(t: NicknameTables, key: string): ReadonlySet<string> {
  const cached = t.groups.get(key);
  if (cached) return cached;
  const group = new Set([...(t.formalsOf.get(key) ?? [])].filter((f) => t.canonical.has(f)));
  if (t.canonical.has(key) || group.size === 0) group.add(key);
  t.groups.set(key, group);
  return group;
}

/**
 * The canonical formal names a given name belongs to: itself when it is a formal name
 * (or unknown), and every canonical formal name that lists it as a nickname. A set,
 * because a nickname can belong to several formal names (BETO: ALBERTO, ROBERTO, …).
 * @example givenNameGroup('PEPE') // Set { 'JOSE' }
 * @example givenNameGroup('Lupe') // Set { 'GUADALUPE' }
 */
export function givenNameGroup(token: string): ReadonlySet<string> {
  const key = givenKey(token);
  return key ? groupOf(tables(), key) : new Set();
}

/**
 * Whether a given name is one the tables list (in the nickname tables, as a formal name,
 * a nickname or a variant, or in the lists of given names): a name people bear, not a
 * misspelling of one.
 * @example isListedGivenName('JOAN') // true
 * @example isListedGivenName('MARTA') // true
 */
export function isListedGivenName(token: string): boolean {
  const key = givenKey(token);
  return !!key && (tables().linked.has(key) || bearerSexes().has(key));
}

/**
 * Who bears a given name by the lists (data/given-names), or undefined for a name they
 * do not know.
 * @example givenNameBearers('Patricia') // 'F'
 * @example givenNameBearers('Pat') // 'MF'
 */
export function givenNameBearers(token: string): BearerSexes | undefined {
  return bearerSexes().get(givenKey(token));
}

/**
 * Whether two different given names, compatible by the tables, may name a man and a
 * woman: between them, both sexes bear them. PAT for PATRICIA may be her husband
 * PATRICK; JEAN for JANE may be a man; STEPH, which the lists do not know, is linked to
 * STEPHEN and STEPHANIE. Names the lists do not know and the tables link to no name
 * only one sex bears (PEPE, LUPE) say nothing either way (ADR 0013).
 * @example mayNameEitherSex('PAT', 'PATRICIA') // true
 * @example mayNameEitherSex('BILL', 'WILLIAM') // false
 */
export function mayNameEitherSex(a: string, b: string): boolean {
  const sa = bearersOrLinked(a);
  const sb = bearersOrLinked(b);
  return !!sa && !!sb && (sa !== sb || sa === 'MF');
}

/**
 * Who bears a given name by the lists or, for a name they do not know, by the names
 * the nickname tables link it to that only men or only women bear: STEPH (Stephen,
 * Stephanie) and ALE (Alejandro, Alejandra) are borne by both (the sixth session).
 */
function bearersOrLinked(token: string): BearerSexes | undefined {
  const key = givenKey(token);
  const listed = bearerSexes().get(key);
  if (listed) return listed;
  let men = false;
  let women = false;
  for (const name of tables().linked.get(key) ?? []) {
    const sex = bearerSexes().get(name);
    if (sex === 'M') men = true;
    if (sex === 'F') women = true;
  }
  return men && women ? 'MF' : men ? 'M' : women ? 'F' : undefined;
}

/**
 * Whether two given names the tables join are each borne in its own right (JOHN and
 * JONATHAN, LISA and MELISSA, MICHAEL and MIGUEL: data/nicknames/two-names.csv): a
 * father and a son, or two sisters, may bear them at one address.
 * @example mayNameTwoPeople('JOHN', 'JONATHAN') // true
 * @example mayNameTwoPeople('BILL', 'WILLIAM') // false
 */
export function mayNameTwoPeople(a: string, b: string): boolean {
  const t = tables();
  const ka = givenKey(a);
  const kb = givenKey(b);
  if (t.twoNames.has(pairKey(ka, kb))) return true;
  // Through the formal names each belongs to, too: JOHNATHAN and JONATHON are
  // JONATHAN's, JOSH is JOSHUA's (the review of the sixth session). Not when one is a
  // nickname of the other's own name: MIKE is MICHAEL's, whatever MIGUEL's it is too.
  const ga = groupOf(t, ka);
  const gb = groupOf(t, kb);
  if (ga.has(kb) || gb.has(ka)) return false;
  const as = [ka, ...ga];
  const bs = [kb, ...gb];
  return as.some((x) => bs.some((y) => x !== y && t.twoNames.has(pairKey(x, y))));
}

/**
 * True when two given names may name the same person: equal, one listed as a nickname
 * or variant of the other, or both in the group of one canonical formal name. Initials
 * are not compatible here (that is the comparison's 'initial' level).
 * @example givenNamesCompatible('PEPE', 'JOSE') // true
 * @example givenNamesCompatible('JOSE', 'JOSEFA') // false
 */
export function givenNamesCompatible(a: string, b: string): boolean {
  const ka = givenKey(a);
  const kb = givenKey(b);
  if (!ka || !kb) return false;
  if (ka === kb) return true;
  const t = tables();
  if (t.linked.get(ka)?.has(kb)) return true;
  // Two names with nicknames of their own meet only through a row listing one with the
  // other: JOHN and NATHAN are both listed under JOHNATHAN, LINDA and ROSA under
  // ROSALINDA, and each is a name in its own right (the sixth session).
  if (t.formals.has(ka) && t.formals.has(kb)) return false;
  const gb = groupOf(t, kb);
  for (const f of groupOf(t, ka)) if (gb.has(f)) return true;
  return false;
}
