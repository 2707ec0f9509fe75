import type { ValidItem } from '../../policy/item-rules.ts';
import { addressKeys } from '../normalize/address.ts';
import { foldText } from '../normalize/text.ts';
import { addDays } from '../../policy/item-rules.ts';
import {
  editDistance,
  fold,
  formalNamesOf,
  GENDER_TWINS,
  GIVEN,
  givenNamesCompatible,
  hasAccents,
  KNOWN_GIVEN,
  KNOWN_SURNAMES,
  NICKNAMES,
  ORDINAL_WORDS,
  SUFFIX_WORDS,
  ORIGIN_WEIGHTS,
  PLACES,
  stripAccents,
  SURNAMES,
  type Origin,
  type Sex,
} from './pools.ts';
import {
  buildingKey,
  confusable,
  dwellingKey,
  randomAddress,
  randomTools,
  renderAddress,
  renderName,
  renderStreetLine,
  renderSurname,
  type EvalAddress,
  type EvalPerson,
  type EvalStore,
  type RandomTools,
  type RecordStyle,
} from './store-generator.ts';

/**
 * Realistic request items against an evaluation store, each with its ground truth:
 * the one TIN a correct engine may confirm (positives), or null (negatives: it
 * must not confirm anyone). Every item is a lawful, complete request, so it
 * passes intake validation and reaches the matcher. The categories, how each is
 * produced and their rates: docs/matching-eval.md#the-requests.
 */

/** Requests naming a taxpayer at the address of record, with one kind of noise. */
export const POSITIVE_CATEGORIES = [
  'exact',
  'accents',
  'one_surname',
  'hyphen_space',
  'particle_dropped',
  'name_swap',
  'second_given_in_first',
  'typo_given_name',
  'typo_surname',
  'nickname',
  'street_words',
  'street_spacing',
  'unit_in_street',
  'zip_plus4',
  'missing_city',
  'missing_zip',
] as const;

/** Requests a correct engine must not confirm. */
export const NEGATIVE_CATEGORIES = [
  'household_member',
  'namesake_elsewhere',
  'mover_old_address',
  'junior_senior_ambiguous',
  'junior_senior_conflict',
  'neighbour_other_unit',
  'not_in_store',
  'wrong_house_number',
  'other_directional',
] as const;

export type PositiveCategory = (typeof POSITIVE_CATEGORIES)[number];
export type NegativeCategory = (typeof NEGATIVE_CATEGORIES)[number];
export type Category = PositiveCategory | NegativeCategory;
export const CATEGORIES: Category[] = [...POSITIVE_CATEGORIES, ...NEGATIVE_CATEGORIES];

export const isPositive = (c: Category): c is PositiveCategory =>
  (POSITIVE_CATEGORIES as readonly string[]).includes(c);

/** Share of items per category, in percent (65 positive, 35 negative). */
export const CATEGORY_WEIGHTS: Record<Category, number> = {
  exact: 8,
  accents: 5,
  one_surname: 5,
  hyphen_space: 4,
  particle_dropped: 4,
  name_swap: 4,
  second_given_in_first: 4,
  typo_given_name: 4,
  typo_surname: 4,
  nickname: 5,
  street_words: 5,
  street_spacing: 2,
  unit_in_street: 4,
  zip_plus4: 3,
  missing_city: 2,
  missing_zip: 2,
  household_member: 6,
  namesake_elsewhere: 6,
  mover_old_address: 5,
  junior_senior_ambiguous: 3,
  junior_senior_conflict: 2,
  neighbour_other_unit: 5,
  not_in_store: 4,
  wrong_house_number: 3,
  other_directional: 1,
};

/**
 * Formatting noise applied to every item whatever its category; none of it changes
 * who the request names (folding undoes it).
 */
export const FORMAT_RATES = {
  /** Names and address in upper case. */
  upper: 0.2,
  /** Middle name left out. */
  middleDropped: 0.3,
  /** State written as its name ('Texas'). */
  stateSpelled: 0.1,
  /** Date of birth given (except the junior/senior categories, which fix it). */
  dob: 0.5,
};

/** The fields of an item that say who and where: a lawful item without its request id. */
export type SubjectFields = Omit<ValidItem, 'request_id'>;

/** A lawful request item, as an agency sends it. */
export type RequestItem = Omit<SubjectFields, 'dob'> & {
  request_id: string;
  dob?: string;
  a_number: string;
  removal_order_date: string;
  removal_order_case_number: string;
  taxable_periods: number[];
  statute: string;
  reason: string;
  investigation_id: string;
  recipients: string[];
};

export interface GeneratedRequest {
  item: RequestItem;
  category: Category;
  /** How the category's noise was produced ('dropped', 'twin', 'line_hash', …). */
  variant: string;
  /** The only TIN a correct engine may confirm; null: it must confirm none. */
  expectedTin: string | null;
  /** The store taxpayer the item was built from (namesake, mover, …); null for strangers. */
  subjectTin: string | null;
  /** Dwelling key (building + unit) of the address the request names. */
  dwelling: string;
}

export interface RequestSetOptions {
  items: number;
  seed: number;
  /** The evaluation day (YYYY-MM-DD); removal orders are dated 200 days before it. */
  today: string;
  statute?: string;
  weights?: Partial<Record<Category, number>>;
}

export interface RequestSet {
  requests: GeneratedRequest[];
  /** Items planned per category from the weights. */
  planned: Record<Category, number>;
  /** Items a category could not produce (the store had too few eligible taxpayers). */
  shortfall: Record<Category, number>;
}

export const DEFAULT_STATUTE = '8 USC 1253(a)(1)(A)';

interface Built {
  fields: SubjectFields;
  variant: string;
  expectedTin: string | null;
  subjectTin: string | null;
  address: EvalAddress;
  /** The category fixes the middle name and the dob: formatting noise leaves them alone. */
  keepIdentity?: boolean;
}

// ---------------------------------------------------------------- helpers

const upper = (s: string, on: boolean) => (on ? s.toUpperCase() : s);

/** Writes a name piece as a record of this style would. */
const styled = (s: string, style: Pick<RecordStyle, 'accents' | 'upper'>) =>
  upper(style.accents ? s : stripAccents(s), style.upper);

function baseFields(p: EvalPerson): SubjectFields {
  const r = p.record;
  return {
    first_name: r.first_name,
    middle_name: r.middle_name,
    last_name: r.last_name,
    street: r.street,
    unit: r.unit,
    city: r.city,
    state: r.state,
    zip: r.zip,
    dob: p.dob,
  };
}

/** The surname as the store writes it for this person, without any Jr/Sr. */
const surnameAsWritten = (p: EvalPerson) => styled(renderSurname(p.surname), p.style);

/** Name words of the first- and last-name fields (the middle field is secondary evidence). */
function requestNameWords(f: SubjectFields): string[] {
  return fold(`${f.first_name} ${f.last_name}`)
    .split(' ')
    .filter((w) => w && w !== 'JR' && w !== 'SR');
}

/**
 * Whether taxpayer `o` is a plausible reading of the request's name: one of its
 * given or middle names is compatible with a request word (equal, nickname, one
 * edit) — people go by their middle name — and one of its surname words equals or
 * is one edit from a request word (or appears inside a fused surname).
 */
export function plausibleName(o: EvalPerson, f: SubjectFields): boolean {
  const words = requestNameWords(f);
  const fused = words.join('');
  const given = fold(`${o.given} ${o.middle}`)
    .split(' ')
    .filter((g) => g.length >= 2);
  const givenHit = given.some(
    (g) => words.some((w) => givenNamesCompatible(g, w)) || (g.length >= 4 && fused.includes(g)),
  );
  if (!givenHit) return false;
  const surnameWords = fold(o.surname.parts.join(' ')).split(' ');
  return surnameWords.some(
    (s) => (s.length >= 4 && fused.includes(s)) || words.some((w) => editDistance(w, s, 1) <= 1),
  );
}

/** Taxpayers whose address of record is in the building (any unit) or the one dwelling. */
function residents(store: EvalStore, a: EvalAddress, scope: 'building' | 'dwelling'): EvalPerson[] {
  const keys =
    scope === 'dwelling'
      ? [dwellingKey(a)]
      : [...(store.buildings.get(buildingKey(a)) ?? []), `${buildingKey(a)}|`];
  const tins = new Set(keys.flatMap((k) => store.dwellings.get(k) ?? []));
  return [...tins].map((t) => store.byTin.get(t)!);
}

/** A one-edit typo that produces no known name; null when none was found. */
export function typo(word: string, known: Set<string>, r: RandomTools): string | null {
  const KEYBOARD: Record<string, string> = {
    a: 'qsz',
    b: 'vgn',
    c: 'xvd',
    d: 'sfe',
    e: 'wrd',
    f: 'dgr',
    g: 'fht',
    h: 'gjy',
    i: 'uok',
    j: 'hku',
    k: 'jli',
    l: 'kop',
    m: 'nj',
    n: 'bmh',
    o: 'ipl',
    p: 'ol',
    q: 'wa',
    r: 'etf',
    s: 'adw',
    t: 'ryg',
    u: 'yij',
    v: 'cbf',
    w: 'qes',
    x: 'zsc',
    y: 'tuh',
    z: 'xas',
  };
  const PHONETIC: Record<string, string> = {
    b: 'v',
    v: 'b',
    s: 'zc',
    z: 's',
    c: 'sk',
    k: 'c',
    y: 'i',
    i: 'ye',
    j: 'hg',
    h: 'j',
    g: 'j',
    n: 'm',
    m: 'n',
    e: 'i',
    o: 'u',
    u: 'o',
  };
  const isUpper = word === word.toUpperCase();
  const chars = [...stripAccents(word).toLowerCase()];
  const letters = chars.map((c, i) => (/[a-z]/.test(c) ? i : -1)).filter((i) => i >= 0);
  if (letters.length < 4) return null;
  for (let attempt = 0; attempt < 20; attempt++) {
    const out = [...chars];
    const pos = r.chance(0.8) ? r.pick(letters.slice(1)) : r.pick(letters);
    const c = out[pos]!;
    const kind = r.weighted([
      ['sub', 0.45],
      ['del', 0.2],
      ['ins', 0.15],
      ['swap', 0.2],
    ] as const);
    if (kind === 'sub') {
      const pool = r.chance(0.6) ? KEYBOARD[c] : (PHONETIC[c] ?? KEYBOARD[c]);
      if (!pool) continue;
      out[pos] = r.pick([...pool]);
    } else if (kind === 'del') {
      out.splice(pos, 1);
    } else if (kind === 'ins') {
      out.splice(pos, 0, r.chance(0.5) ? c : r.pick([...(KEYBOARD[c] ?? 'e')]));
    } else {
      const next = pos + 1 < out.length && /[a-z]/.test(out[pos + 1]!) ? pos + 1 : pos - 1;
      if (next < 0 || out[next] === c || !/[a-z]/.test(out[next]!)) continue;
      [out[pos], out[next]] = [out[next]!, c];
    }
    const lower = out.join('');
    const written = isUpper
      ? lower.toUpperCase()
      : lower.replace(/(^|[\s'-])([a-z])/g, (_, sep: string, ch: string) => sep + ch.toUpperCase());
    const folded = fold(written);
    if (folded === fold(word) || known.has(folded) || folded.replace(/ /g, '').length < 3) continue;
    return written;
  }
  return null;
}

/** Replaces the first occurrence of `part` (any case, accents or not) in `text`. */
function replacePart(text: string, part: string, by: string): string | null {
  const folded = stripAccents(text).toUpperCase();
  const i = folded.indexOf(stripAccents(part).toUpperCase());
  if (i < 0) return null;
  return text.slice(0, i) + by + text.slice(i + part.length);
}

const TWINS = new Map<string, string[]>();
for (const [a, b] of GENDER_TWINS) {
  TWINS.set(fold(a), [...(TWINS.get(fold(a)) ?? []), b]);
  TWINS.set(fold(b), [...(TWINS.get(fold(b)) ?? []), a]);
}

const sexOf = new Map<string, Sex>();
for (const bySex of Object.values(GIVEN)) {
  for (const sex of ['F', 'M'] as const) for (const g of bySex[sex]) sexOf.set(fold(g), sex);
}

/** Same key as the intake's duplicate-subject rule (item-rules.ts subjectKey). */
function subjectKey(f: SubjectFields): string {
  const a = addressKeys(f);
  return [
    foldText(f.first_name),
    foldText(f.last_name),
    a.street_key,
    a.unit_key,
    a.zip5 || `${a.city_key}|${a.state}`,
    f.dob ?? '',
  ].join('|');
}

const adultDob = (r: RandomTools) =>
  `${r.int(1940, 2005)}-${String(r.int(1, 12)).padStart(2, '0')}-${String(r.int(1, 28)).padStart(2, '0')}`;

function randomStyle(r: RandomTools): RecordStyle {
  return {
    accents: r.chance(0.35),
    upper: r.chance(0.3),
    spelled: r.chance(0.2),
    unitStyle: r.weighted([
      ['designator', 0.7],
      ['hash', 0.15],
      ['bare', 0.15],
    ] as const),
    zipPlus4: r.chance(0.25),
  };
}

function addressFields(a: EvalAddress, style: RecordStyle) {
  return renderAddress(a, style);
}

// ---------------------------------------------------------------- categories

interface CategorySpec {
  eligible(p: EvalPerson, store: EvalStore): boolean;
  build(p: EvalPerson, store: EvalStore, r: RandomTools): Built | null;
}

/** A positive built by transforming the target's address-of-record return. */
function positive(
  eligible: (p: EvalPerson, store: EvalStore) => boolean,
  transform: (p: EvalPerson, f: SubjectFields, r: RandomTools) => string | null,
): CategorySpec {
  return {
    eligible: (p, store) => p.generation === '' && eligible(p, store),
    build(p, store, r) {
      const fields = baseFields(p);
      const variant = transform(p, fields, r);
      if (variant === null) return null;
      // Ground truth holds only if no one else at the dwelling reads as this name.
      if (residents(store, p.home, 'dwelling').some((o) => o !== p && plausibleName(o, fields))) {
        return null;
      }
      return { fields, variant, expectedTin: p.tin, subjectTin: p.tin, address: p.home };
    },
  };
}

const hasTwoParts = (p: EvalPerson) => p.surname.parts.length === 2;

export const CATEGORY_SPECS: Record<Category, CategorySpec> = {
  exact: positive(
    () => true,
    () => 'as_filed',
  ),

  accents: positive(
    (p) => hasAccents(p.given) || hasAccents(renderSurname(p.surname)),
    (p, f) => {
      const written = renderName(p, { accents: !p.style.accents, upper: p.style.upper });
      f.first_name = written.first_name;
      f.middle_name = written.middle_name;
      f.last_name = written.last_name;
      return p.style.accents ? 'dropped' : 'added';
    },
  ),

  one_surname: positive(
    (p) => p.surname.splittable && hasTwoParts(p),
    (p, f, r) => {
      const maternal = r.chance(0.2);
      f.last_name = styled(p.surname.parts[maternal ? 1 : 0]!, p.style);
      return maternal ? 'second_only' : 'first_only';
    },
  ),

  hyphen_space: positive(
    (p) => hasTwoParts(p) || /[- ]/.test(p.given),
    (p, f, r) => {
      if (hasTwoParts(p) && (!/[- ]/.test(p.given) || r.chance(0.7))) {
        const joiner = p.surname.joiner === ' ' ? '-' : ' ';
        f.last_name = styled(renderSurname(p.surname, joiner), p.style);
        return joiner === '-' ? 'surname_hyphenated' : 'surname_spaced';
      }
      const hyphen = p.given.includes('-');
      f.first_name = styled(
        hyphen ? p.given.replace(/-/g, ' ') : p.given.replace(/ /g, '-'),
        p.style,
      );
      return hyphen ? 'given_spaced' : 'given_hyphenated';
    },
  ),

  particle_dropped: positive(
    (p) => p.surname.particle !== '',
    (p, f, r) => {
      const core = p.surname.parts.join(' ');
      if (r.chance(0.8)) {
        f.last_name = styled(core, p.style);
        return 'dropped';
      }
      const particle = p.surname.particle.replace(/ /g, '');
      f.last_name = styled(particle[0]!.toUpperCase() + particle.slice(1) + core, p.style);
      return 'fused';
    },
  ),

  name_swap: positive(
    () => true,
    (_p, f) => {
      [f.first_name, f.last_name] = [f.last_name, f.first_name];
      return 'swapped';
    },
  ),

  second_given_in_first: positive(
    (p) => p.middle.length >= 2,
    (_p, f) => {
      f.first_name = `${f.first_name} ${f.middle_name}`;
      f.middle_name = '';
      return 'middle_in_first';
    },
  ),

  typo_given_name: positive(
    (p) => fold(p.given).replace(/ /g, '').length >= 4,
    (_p, f, r) => {
      const t = typo(f.first_name, KNOWN_GIVEN, r);
      if (!t) return null;
      f.first_name = t;
      return 'one_edit';
    },
  ),

  typo_surname: positive(
    (p) => fold(p.surname.parts[0]!).length >= 4,
    (p, f, r) => {
      const part = styled(p.surname.parts[0]!, p.style);
      const t = typo(part, KNOWN_SURNAMES, r);
      const replaced = t && replacePart(f.last_name, part, t);
      if (!replaced) return null;
      f.last_name = replaced;
      return 'one_edit';
    },
  ),

  nickname: positive(
    (p) => NICKNAMES[fold(p.given)] !== undefined,
    (p, f, r) => {
      f.first_name = upper(r.pick(NICKNAMES[fold(p.given)]!), p.style.upper);
      return 'nickname';
    },
  ),

  street_words: positive(
    (p) =>
      (p.home.suffix !== '' && p.home.suffix !== 'Way') ||
      p.home.preDir !== '' ||
      p.home.postDir !== '' ||
      ORDINAL_WORDS[p.home.name] !== undefined,
    (p, f, r) => {
      const ordinalWords = ORDINAL_WORDS[p.home.name] !== undefined && r.chance(0.3);
      const spelled = ordinalWords ? r.chance(0.5) : !p.style.spelled;
      const street = upper(renderStreetLine(p.home, { spelled, ordinalWords }), p.style.upper);
      if (fold(street) === fold(f.street)) return null;
      f.street = street;
      return ordinalWords ? 'ordinal_words' : spelled ? 'spelled_out' : 'abbreviated';
    },
  ),

  street_spacing: positive(
    (p) =>
      /[A-Za-z]{4}/.test(p.home.name) ||
      (p.home.suffix !== 'Way' && (SUFFIX_WORDS[p.home.suffix]?.length ?? 0) >= 4),
    (p, f, r) => {
      const a = p.home;
      const suffixWord = SUFFIX_WORDS[a.suffix] ?? '';
      const words = a.name.split(' ');
      const long = words.findIndex((w) => /^[A-Za-z]{4,}$/.test(w));
      let variant = r.weighted([
        ['suffix_glued', 0.5],
        ['words_joined', 0.25],
        ['word_split', 0.25],
      ] as const) as string;
      if (variant === 'words_joined' && words.length < 2) variant = 'word_split';
      if (variant === 'word_split' && long < 0) variant = 'suffix_glued';
      if (variant === 'suffix_glued' && (a.suffix === 'Way' || suffixWord.length < 4)) {
        if (long < 0 && words.length < 2) return null;
        variant = words.length > 1 ? 'words_joined' : 'word_split';
      }
      let street: Pick<EvalAddress, 'number' | 'preDir' | 'name' | 'suffix' | 'postDir'>;
      if (variant === 'suffix_glued') {
        // 'Maplestreet': the suffix spelled out and written onto the name.
        street = { ...a, name: a.name + suffixWord.toLowerCase(), suffix: '' };
      } else if (variant === 'words_joined') {
        // 'Cesarchavez', 'Santafe': two words of the name written as one.
        const i = r.int(0, words.length - 2);
        words.splice(i, 2, words[i]! + words[i + 1]!.toLowerCase());
        street = { ...a, name: words.join(' ') };
      } else {
        // 'Wash ington': a space typed inside a word of the name.
        const w = words[long]!;
        const at = r.int(2, w.length - 2);
        words[long] = `${w.slice(0, at)} ${w.slice(at)}`;
        street = { ...a, name: words.join(' ') };
      }
      f.street = upper(renderStreetLine(street, { spelled: p.style.spelled }), p.style.upper);
      return variant;
    },
  ),

  unit_in_street: positive(
    (p) => p.home.unit !== '',
    (p, f, r) => {
      const u = p.home.unit;
      const variant = r.weighted([
        ['line_designator', 0.4],
        ['line_hash', 0.3],
        ['field_hash', 0.3],
      ] as const);
      if (variant === 'field_hash') {
        f.unit = f.unit.startsWith('#') ? `${p.home.unitType} ${u}` : `#${u}`;
        return f.unit.startsWith('#') ? 'field_hash' : 'field_designator';
      }
      const unitText =
        variant === 'line_hash' ? `#${u}` : `${upper(p.home.unitType, p.style.upper)} ${u}`;
      f.street = `${f.street}${variant === 'line_designator' && r.chance(0.2) ? ',' : ''} ${unitText}`;
      f.unit = '';
      return variant;
    },
  ),

  zip_plus4: positive(
    () => true,
    (p, f, r) => {
      const noHyphen = f.zip.includes('-') || r.chance(0.2);
      f.zip = noHyphen ? `${p.home.zip}${p.home.zip4}` : `${p.home.zip}-${p.home.zip4}`;
      return noHyphen ? 'nine_digits' : 'zip_plus4';
    },
  ),

  missing_city: positive(
    () => true,
    (_p, f) => {
      f.city = '';
      return 'zip_only';
    },
  ),

  missing_zip: positive(
    () => true,
    (_p, f) => {
      f.zip = '';
      return 'city_state_only';
    },
  ),

  household_member: {
    eligible: (p) => p.generation === '',
    build(p, store, r) {
      const here = residents(store, p.home, 'dwelling');
      const names = (o: EvalPerson) => [o.given, ...(o.middle.length >= 2 ? [o.middle] : [])];
      const twins = (TWINS.get(fold(p.given)) ?? []).filter((t) =>
        here.every((o) => names(o).every((n) => !sameGiven(n, t))),
      );
      let given: string;
      let variant: string;
      if (twins.length > 0 && r.chance(0.6)) {
        given = r.pick(twins);
        variant = 'twin';
      } else {
        const sex: Sex = r.pick(['F', 'M']);
        const pool = GIVEN[p.origin][sex].filter((g) =>
          here.every((o) => names(o).every((n) => !confusable(n, g))),
        );
        if (pool.length === 0) return null;
        given = r.pickSkewed(pool);
        variant = 'other_given';
      }
      const fields = baseFields(p);
      fields.first_name = styled(given, p.style);
      fields.middle_name = '';
      fields.last_name = surnameAsWritten(p);
      fields.dob = adultDob(r);
      return { fields, variant, expectedTin: null, subjectTin: p.tin, address: p.home };
    },
  },

  namesake_elsewhere: {
    eligible: (p) => p.generation === '',
    build(p, store, r) {
      let address: EvalAddress;
      let variant: string;
      let addr: ReturnType<typeof addressFields>;
      if (r.chance(0.5)) {
        const sameCity = peopleByCity(store).get(p.home.city) ?? [];
        const q = r.chance(0.5) && sameCity.length > 1 ? r.pick(sameCity) : r.pick(store.people);
        if (q.household === p.household) return null;
        address = q.home;
        addr = addressFields(address, q.style);
        variant = 'other_household_address';
      } else {
        address = freshAddress(
          store,
          r,
          PLACES.find((x) => x.city === p.home.city)!,
        );
        addr = addressFields(address, randomStyle(r));
        variant = 'fresh_address';
      }
      const fields: SubjectFields = {
        first_name: p.record.first_name,
        middle_name: '',
        last_name: surnameAsWritten(p),
        ...addr,
        dob: adultDob(r),
      };
      if (
        (store.byName.get(`${fold(p.given)}|${fold(p.surname.parts.join(' '))}`)?.length ?? 0) > 1
      ) {
        variant += '+store_namesakes';
      }
      return { fields, variant, expectedTin: null, subjectTin: p.tin, address };
    },
  },

  mover_old_address: {
    eligible: (p) => p.generation === '' && p.oldHomes.length > 0,
    build(p, _store, r) {
      const old = p.oldHomes[0]!;
      const fields: SubjectFields = {
        ...baseFields(p),
        ...addressFields(old, randomStyle(r)),
      };
      return { fields, variant: 'old_address', expectedTin: null, subjectTin: p.tin, address: old };
    },
  },

  junior_senior_ambiguous: {
    eligible: (p) => p.generation === 'Sr',
    build(p, store) {
      const f = baseFields(p);
      f.last_name = surnameAsWritten(p);
      f.middle_name = '';
      f.dob = null;
      const jr = store.byTin.get(p.generationPartner!)!;
      return {
        fields: f,
        variant: jr.suffixWritten
          ? p.suffixWritten
            ? 'both_written'
            : 'junior_written'
          : 'none_written',
        expectedTin: null,
        subjectTin: p.tin,
        address: p.home,
        keepIdentity: true,
      };
    },
  },

  junior_senior_conflict: {
    eligible: (p) => p.generation === 'Sr',
    build(p, store, r) {
      const jr = store.byTin.get(p.generationPartner!)!;
      if (jr.dob === p.dob) return null;
      const f = baseFields(p);
      f.middle_name = '';
      const saysJunior = r.chance(0.5);
      f.last_name = `${surnameAsWritten(p)} ${upper(saysJunior ? 'Jr' : 'Sr', p.style.upper)}`;
      f.dob = saysJunior ? p.dob : jr.dob;
      return {
        fields: f,
        variant: saysJunior ? 'jr_with_senior_dob' : 'sr_with_junior_dob',
        expectedTin: null,
        subjectTin: p.tin,
        address: p.home,
        keepIdentity: true,
      };
    },
  },

  neighbour_other_unit: {
    eligible: (p, store) =>
      p.generation === '' && (store.buildings.get(buildingKey(p.home))?.length ?? 0) >= 2,
    build(p, store, r) {
      const others = store.buildings
        .get(buildingKey(p.home))!
        .filter((k) => k !== dwellingKey(p.home));
      const otherKey = r.pick(others);
      const neighbour = store.byTin.get(store.dwellings.get(otherKey)![0]!)!;
      const address = neighbour.home;
      const fields = baseFields(p);
      fields.unit = upper(
        p.style.unitStyle === 'hash'
          ? `#${address.unit}`
          : p.style.unitStyle === 'bare'
            ? address.unit
            : `${address.unitType} ${address.unit}`,
        p.style.upper,
      );
      return {
        fields,
        variant: 'other_unit',
        expectedTin: null,
        subjectTin: p.tin,
        address,
        // The check below is on the requested unit only: the subject lives in the building.
      };
    },
  },

  not_in_store: {
    eligible: () => true,
    build(p, store, r) {
      const origin = r.weighted(ORIGIN_WEIGHTS) as Origin;
      const sex: Sex = r.pick(['F', 'M']);
      let given = '';
      let surname = '';
      let fresh = false;
      for (let k = 0; k < 20 && !fresh; k++) {
        given = r.pickSkewed(GIVEN[origin][sex]);
        surname = r.pickSkewed(SURNAMES[origin]);
        fresh = !store.byName.has(`${fold(given)}|${fold(surname)}`);
      }
      const style = randomStyle(r);
      let address: EvalAddress;
      let addr: ReturnType<typeof addressFields>;
      let variant: string;
      if (r.chance(0.5)) {
        address = p.home;
        addr = addressFields(address, p.style);
        variant = 'occupied_address';
      } else {
        address = freshAddress(store, r, r.pick(PLACES));
        addr = addressFields(address, style);
        variant = 'fresh_address';
      }
      if (!fresh) variant += '+name_in_store';
      const fields: SubjectFields = {
        first_name: styled(given, style),
        middle_name: '',
        last_name: styled(surname, style),
        ...addr,
        dob: adultDob(r),
      };
      return { fields, variant, expectedTin: null, subjectTin: null, address };
    },
  },

  other_directional: {
    eligible: (p) => p.generation === '',
    build(p, _store, r) {
      // The target's own house number, street name and suffix with another
      // pre-directional: South Main is not North Main, nor Main without one.
      const OPPOSITE: Record<string, string> = { N: 'S', S: 'N', E: 'W', W: 'E' };
      const was = p.home.preDir;
      const variant = !was ? 'added' : r.chance(0.3) ? 'removed' : 'opposite';
      const preDir =
        variant === 'added'
          ? r.pick(['N', 'S', 'E', 'W'])
          : variant === 'removed'
            ? ''
            : (OPPOSITE[was] ?? '');
      if (preDir === was) return null;
      const address: EvalAddress = { ...p.home, preDir };
      const fields = baseFields(p);
      fields.street = upper(renderStreetLine(address, { spelled: p.style.spelled }), p.style.upper);
      return { fields, variant, expectedTin: null, subjectTin: p.tin, address };
    },
  },

  wrong_house_number: {
    eligible: (p) => p.generation === '' && /^\d+/.test(p.home.number),
    build(p, _store, r) {
      const m = /^(\d+)(.*)$/.exec(p.home.number)!;
      const digits = m[1]!;
      let n = digits;
      let variant: string = r.weighted([
        ['adjacent', 0.5],
        ['transposed', 0.25],
        ['digit_changed', 0.25],
      ] as const);
      if (variant === 'transposed' && digits.length >= 2) {
        const i = r.int(0, digits.length - 2);
        n = digits.slice(0, i) + digits[i + 1] + digits[i] + digits.slice(i + 2);
      } else if (variant === 'digit_changed') {
        const i = r.int(0, digits.length - 1);
        n = digits.slice(0, i) + String(r.int(0, 9)) + digits.slice(i + 1);
      }
      if (n === digits || /^0/.test(n)) {
        variant = 'adjacent';
        n = String(Math.max(1, Number(digits) + r.pick([-2, 2, -4, 4, 1, -1, 10])));
      }
      if (n === digits || /^0/.test(n)) return null;
      const address: EvalAddress = { ...p.home, number: n + m[2]! };
      const fields = baseFields(p);
      fields.street = upper(renderStreetLine(address, { spelled: p.style.spelled }), p.style.upper);
      return { fields, variant, expectedTin: null, subjectTin: p.tin, address };
    },
  },
};

const cityIndex = new WeakMap<EvalStore, Map<string, EvalPerson[]>>();

/** Taxpayers by the city of their address of record (cached per store). */
function peopleByCity(store: EvalStore): Map<string, EvalPerson[]> {
  let index = cityIndex.get(store);
  if (!index) {
    index = new Map();
    for (const p of store.people) {
      const list = index.get(p.home.city);
      if (list) list.push(p);
      else index.set(p.home.city, [p]);
    }
    cityIndex.set(store, index);
  }
  return index;
}

/** Same given name as far as a household is concerned: equal or nickname-related. */
function sameGiven(a: string, b: string): boolean {
  const fa = formalNamesOf(fold(a));
  for (const x of formalNamesOf(fold(b))) if (fa.has(x)) return true;
  return false;
}

/** A house address that is nobody's home and no building in the store. */
function freshAddress(store: EvalStore, r: RandomTools, place: (typeof PLACES)[number]) {
  for (;;) {
    const a = randomAddress(r, place, false);
    if (!store.dwellings.has(dwellingKey(a)) && !store.buildings.has(buildingKey(a))) return a;
  }
}

/**
 * Checks a built negative against its category's rule; false rejects the item.
 * Household member: no resident of the dwelling carries the requested given name
 * (or a nickname of it). Junior/senior: the pair is there. Others: no taxpayer
 * whose address of record is the requested building (the requested unit for
 * neighbours) reads as the requested name.
 */
function negativeHolds(store: EvalStore, category: NegativeCategory, b: Built): boolean {
  const f = b.fields;
  switch (category) {
    case 'household_member':
      return residents(store, b.address, 'dwelling').every(
        (o) =>
          [o.given, o.middle].every((n) => !n || !sameGiven(n, f.first_name)) ||
          !plausibleName(o, f),
      );
    case 'junior_senior_ambiguous':
    case 'junior_senior_conflict':
      return true;
    case 'neighbour_other_unit':
      return residents(store, b.address, 'dwelling').every((o) => !plausibleName(o, f));
    default:
      return residents(store, b.address, 'building').every((o) => !plausibleName(o, f));
  }
}

// ---------------------------------------------------------------- the set

/** Items per category from weights, by largest remainder (sums to `items`). */
export function planCounts(
  items: number,
  weights: Record<Category, number>,
): Record<Category, number> {
  const total = CATEGORIES.reduce((s, c) => s + weights[c], 0);
  const raw = CATEGORIES.map((c) => ({ c, x: (items * weights[c]) / total }));
  const counts = Object.fromEntries(raw.map(({ c, x }) => [c, Math.floor(x)])) as Record<
    Category,
    number
  >;
  let left = items - raw.reduce((s, { x }) => s + Math.floor(x), 0);
  for (const { c } of [...raw].sort((a, b) => b.x - Math.floor(b.x) - (a.x - Math.floor(a.x)))) {
    if (left-- <= 0) break;
    counts[c]++;
  }
  return counts;
}

/**
 * Generates `items` request items with ground truth. Deterministic for a store,
 * a seed and a day.
 * @example const { requests } = generateRequests(store, { items: 5000, seed: 1, today: '2026-11-24' })
 */
export function generateRequests(store: EvalStore, opts: RequestSetOptions): RequestSet {
  const r = randomTools(opts.seed * 7_919 + 101);
  const weights = { ...CATEGORY_WEIGHTS, ...opts.weights };
  const planned = planCounts(opts.items, weights);
  const shortfall = Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<Category, number>;
  const usedSubjects = new Set<string>();
  const seenKeys = new Set<string>();
  const built: (Built & { category: Category })[] = [];

  for (const category of CATEGORIES) {
    const spec = CATEGORY_SPECS[category];
    const pool = r.shuffle(store.people.filter((p) => spec.eligible(p, store)));
    let made = 0;
    for (let i = 0; i < pool.length && made < planned[category]; i++) {
      const p = pool[i]!;
      if (usedSubjects.has(p.tin)) continue;
      const b = spec.build(p, store, r);
      if (!b) continue;
      applyFormatting(b, r, isPositive(category) ? p : null);
      if (!isPositive(category) && !negativeHolds(store, category, b)) continue;
      const key = subjectKey(b.fields);
      if (seenKeys.has(key)) continue;
      seenKeys.add(key);
      usedSubjects.add(p.tin);
      if (p.generationPartner) usedSubjects.add(p.generationPartner);
      built.push({ ...b, category });
      made++;
    }
    shortfall[category] = planned[category] - made;
  }

  r.shuffle(built);
  const today = opts.today;
  const statute = opts.statute ?? DEFAULT_STATUTE;
  const requests = built.map((b, n): GeneratedRequest => {
    const caseNo = `EVAL-CASE-${n + 1}`;
    const { dob, ...subject } = b.fields;
    const item: RequestItem = {
      request_id: `eval-${String(n + 1).padStart(7, '0')}`,
      ...subject,
      ...(dob ? { dob } : {}),
      a_number: `A${String(r.int(100_000_000, 999_999_999))}`,
      removal_order_date: addDays(today, -200),
      removal_order_case_number: caseNo,
      taxable_periods: [store.latestYear - 1, store.latestYear],
      statute,
      reason: `Subject of a final removal order in case ${caseNo}; locating for its enforcement`,
      investigation_id: `EVAL-INV-${n + 1}`,
      recipients: ['Officer A. Example'],
    };
    return {
      item,
      category: b.category,
      variant: b.variant,
      expectedTin: b.expectedTin,
      subjectTin: b.subjectTin,
      dwelling: dwellingKey(b.address),
    };
  });
  return { requests, planned, shortfall };
}

/** The formatting noise of FORMAT_RATES; for positives the dob given is the target's. */
function applyFormatting(b: Built, r: RandomTools, target: EvalPerson | null): void {
  const f = b.fields;
  if (r.chance(FORMAT_RATES.upper)) {
    for (const k of ['first_name', 'middle_name', 'last_name', 'street', 'unit', 'city'] as const) {
      f[k] = f[k].toUpperCase();
    }
  }
  if (f.state && r.chance(FORMAT_RATES.stateSpelled)) f.state = b.address.stateName;
  if (b.keepIdentity) return;
  if (r.chance(FORMAT_RATES.middleDropped)) f.middle_name = '';
  const giveDob = r.chance(FORMAT_RATES.dob);
  if (!giveDob) f.dob = null;
  else if (target) f.dob = target.dob;
}

/** Plain-language description of a category, for tables and docs. */
export const CATEGORY_LABELS: Record<Category, string> = {
  exact: 'as filed',
  accents: 'accents dropped or added',
  one_surname: 'one surname of two',
  hyphen_space: 'hyphen vs space',
  particle_dropped: 'particle dropped or fused',
  name_swap: 'given name and surname swapped',
  second_given_in_first: 'second given name in first-name field',
  typo_given_name: 'one-edit typo in given name',
  typo_surname: 'one-edit typo in surname',
  nickname: 'nickname',
  street_words: 'suffix/directional/ordinal words',
  street_spacing: 'street spaced otherwise',
  unit_in_street: "unit in street line or '#4B'",
  zip_plus4: 'ZIP+4',
  missing_city: 'no city (ZIP only)',
  missing_zip: 'no ZIP (city and state)',
  household_member: 'household member not in store',
  namesake_elsewhere: 'namesake at another address',
  mover_old_address: "mover's old address",
  junior_senior_ambiguous: 'junior/senior, no suffix or dob',
  junior_senior_conflict: 'junior/senior, suffix contradicts dob',
  neighbour_other_unit: 'right building, another unit',
  not_in_store: 'person not in the store',
  wrong_house_number: 'wrong house number',
  other_directional: 'another pre-directional, same number and street',
};
