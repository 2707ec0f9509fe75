import { seededRandom } from '../../taxpayers/synthetic.ts';
import type { TaxpayerReturn } from '../../taxpayers/taxpayer-row.ts';
import {
  COMPOUND_SURNAMES,
  DIRECTION_WORDS,
  editDistance,
  fold,
  GENDER_TWINS,
  GIVEN,
  givenNamesCompatible,
  hasAccents,
  ORDINAL_WORDS,
  ORIGIN_CITIES,
  ORIGIN_WEIGHTS,
  PARTICLE_SURNAMES,
  PLACES,
  STREET_NAMES,
  stripAccents,
  SUFFIX_ORDER,
  SUFFIX_WORDS,
  SUFFIXLESS_STREETS,
  SURNAMES,
  VIETNAMESE_MIDDLE,
  type Origin,
  type Place,
  type Sex,
} from './pools.ts';

/**
 * A seeded synthetic taxpayer store built for matching evaluation: households that
 * share a surname and an address, namesakes in other cities, movers, juniors living
 * with seniors, neighbours in other units of one building, double and particle
 * surnames, hyphens, accents, and Vietnamese, Chinese and Haitian names. Besides the
 * returns to import it keeps, per TIN, the facts the request generator needs.
 * The model and its rates: docs/matching-eval.md#the-store.
 */

/** A surname in parts, so that requests can write it differently. */
export interface Surname {
  /** Particle written before the parts: 'de la', 'del', 'dos'; '' when none. */
  particle: string;
  /** One part, or two for double, hyphenated and compound surnames (canonical spelling). */
  parts: string[];
  /** How the parts are written in the store: 'García López', 'Pérez-Soto', 'Jean-Baptiste'. */
  joiner: ' ' | '-';
  /** Either part alone names the person (Hispanic and Portuguese double surnames). */
  splittable: boolean;
}

/** An address in parts, as USPS abbreviations; rendering decides how it is written. */
export interface EvalAddress {
  number: string;
  preDir: string;
  name: string;
  suffix: string;
  postDir: string;
  /** Unit designator the building uses ('Apt', 'Unit'); '' without a unit. */
  unitType: string;
  unit: string;
  city: string;
  state: string;
  stateName: string;
  zip: string;
  /** The ZIP+4 add-on of this address (written only sometimes). */
  zip4: string;
}

/** How one return was written: the store is not perfectly clean either. */
export interface RecordStyle {
  /** Names carry their accents ('José Núñez') rather than plain ASCII. */
  accents: boolean;
  /** Names and address in upper case. */
  upper: boolean;
  /** Street suffix and directionals spelled out ('North Main Street'). */
  spelled: boolean;
  /** How the unit is written: 'Apt 4B', '#4B' or '4B'. */
  unitStyle: 'designator' | 'hash' | 'bare';
  /** ZIP written as ZIP+4. */
  zipPlus4: boolean;
}

/** Everything the request generator knows about one taxpayer. */
export interface EvalPerson {
  tin: string;
  household: number;
  origin: Origin;
  sex: Sex;
  /** Given name, canonical spelling (accents included). */
  given: string;
  /** Middle name, canonical spelling; '' when none; one letter for an initial. */
  middle: string;
  surname: Surname;
  /** Generation within a junior/senior pair living together; '' otherwise. */
  generation: '' | 'Jr' | 'Sr';
  /** The suffix as written after the surname in the store ('Jr', 'Jr.', 'SR'), '' when not written. */
  suffixWritten: string;
  dob: string;
  /** Address of record: the address of the latest return. */
  home: EvalAddress;
  /** Addresses of older returns that differ from home (movers). */
  oldHomes: EvalAddress[];
  /** The other member of a junior/senior pair. */
  generationPartner: string | null;
  /** The latest return exactly as imported (the address of record). */
  record: TaxpayerReturn;
  style: RecordStyle;
}

export interface EvalStore {
  seed: number;
  latestYear: number;
  /** Every return, in the order written to the CSV. */
  returns: TaxpayerReturn[];
  people: EvalPerson[];
  byTin: Map<string, EvalPerson>;
  /** TINs whose address of record is this dwelling (buildingKey + unit). */
  dwellings: Map<string, string[]>;
  /** Dwelling keys per building, for buildings with units. */
  buildings: Map<string, string[]>;
  /** TINs per folded full name (given + surname parts), for namesakes. */
  byName: Map<string, string[]>;
}

export interface EvalStoreOptions {
  /** Number of returns (exactly). */
  returns: number;
  seed: number;
  /** Latest tax year in the store (default 2024). */
  latestYear?: number;
}

// ---------------------------------------------------------------- rates

/** The store model's rates; docs/matching-eval.md quotes them. */
export const STORE_RATES = {
  householdSize: [
    [1, 0.3],
    [2, 0.28],
    [3, 0.18],
    [4, 0.14],
    [5, 0.1],
  ] as [number, number][],
  /** Households in a building with units (the rest live in houses). */
  inBuilding: 0.3,
  /** A building household joins an existing building of its city when one has room. */
  joinBuilding: 0.6,
  /** Non-head members sharing the household surname (others: spouse's own, roommate). */
  shareSurname: 0.8,
  /** Households of two or more (English, Hispanic, Haitian, other) with a junior living with his senior. */
  juniorSenior: 0.12,
  /** How the pair is written: no suffix / junior only ('Garcia Jr') / both ('Garcia Sr'). */
  suffixWriting: { none: 0.4, juniorOnly: 0.35, both: 0.25 },
  /** Heads of household given the full name of an earlier person of the same origin and sex in another city. */
  namesake: 0.08,
  /** Households that moved: members' older returns carry the old address. */
  mover: 0.15,
  /** A mover's old address is now another household's home. */
  oldAddressReoccupied: 0.4,
  /** People whose latest return is a year older than the store's latest year. */
  lapsedFiler: 0.1,
  /** Non-movers with an older return at the same address. */
  repeatFiler: 0.3,
  /** Accented names written with accents in the store (canonical names only). */
  accentsWritten: 0.35,
  accentsWrittenVietnamese: 0.15,
  upper: 0.3,
  spelled: 0.2,
  zipPlus4: 0.25,
};

/** Origins whose households name sons after fathers with Jr/Sr in the store. */
const JUNIOR_ORIGINS: Origin[] = ['english', 'hispanic', 'haitian', 'other'];

// ---------------------------------------------------------------- rendering

/** Building key: the address without its unit (canonical parts). */
export function buildingKey(a: EvalAddress): string {
  return [a.city, a.state, a.number, a.preDir, a.name, a.suffix, a.postDir].join('|');
}

/** Dwelling key: building key plus the unit. */
export function dwellingKey(a: EvalAddress): string {
  return `${buildingKey(a)}|${a.unit}`;
}

/** The surname as written: particle, parts joined. */
export function renderSurname(s: Surname, joiner: ' ' | '-' = s.joiner): string {
  return [s.particle, s.parts.join(joiner)].filter(Boolean).join(' ');
}

/**
 * The street line: abbreviations (USPS) or words; ordinals as words on request.
 * @example renderStreetLine(a, { spelled: true }) // '123 North Main Street'
 */
export function renderStreetLine(
  a: Pick<EvalAddress, 'number' | 'preDir' | 'name' | 'suffix' | 'postDir'>,
  opts: { spelled: boolean; ordinalWords?: boolean },
): string {
  const dir = (d: string) => (d && opts.spelled ? DIRECTION_WORDS[d]! : d);
  const name = opts.ordinalWords && ORDINAL_WORDS[a.name] ? ORDINAL_WORDS[a.name]! : a.name;
  const suffix = a.suffix && opts.spelled ? SUFFIX_WORDS[a.suffix]! : a.suffix;
  return [a.number, dir(a.preDir), name, suffix, dir(a.postDir)].filter(Boolean).join(' ');
}

/** The unit field: 'Apt 4B', '#4B' or '4B'; '' without a unit. */
export function renderUnit(a: EvalAddress, style: RecordStyle['unitStyle']): string {
  if (!a.unit) return '';
  if (style === 'hash') return `#${a.unit}`;
  if (style === 'bare') return a.unit;
  return `${a.unitType} ${a.unit}`;
}

const upperIf = (s: string, upper: boolean) => (upper ? s.toUpperCase() : s);
const accentIf = (s: string, accents: boolean) => (accents ? s : stripAccents(s));

/** A return's name fields as the store writes them. */
export function renderName(
  p: Pick<EvalPerson, 'given' | 'middle' | 'surname' | 'suffixWritten'>,
  style: Pick<RecordStyle, 'accents' | 'upper'>,
): { first_name: string; middle_name: string; last_name: string } {
  const w = (s: string) => upperIf(accentIf(s, style.accents), style.upper);
  return {
    first_name: w(p.given),
    middle_name: w(p.middle),
    last_name: w([renderSurname(p.surname), p.suffixWritten].filter(Boolean).join(' ')),
  };
}

/** A return's address fields as the store writes them. */
export function renderAddress(
  a: EvalAddress,
  style: RecordStyle,
): Pick<TaxpayerReturn, 'street' | 'unit' | 'city' | 'state' | 'zip'> {
  return {
    street: upperIf(renderStreetLine(a, { spelled: style.spelled }), style.upper),
    unit: upperIf(renderUnit(a, style.unitStyle), style.upper),
    city: upperIf(a.city, style.upper),
    state: a.state,
    zip: style.zipPlus4 ? `${a.zip}-${a.zip4}` : a.zip,
  };
}

/** Folded full name: given plus surname parts (no particle, no suffix). */
export function nameKey(p: Pick<EvalPerson, 'given' | 'surname'>): string {
  return `${fold(p.given)}|${fold(p.surname.parts.join(' '))}`;
}

// ---------------------------------------------------------------- generator

/** Random helpers over one seeded stream. */
export function randomTools(seed: number) {
  const rnd = seededRandom(seed);
  const tools = {
    rnd,
    chance: (p: number) => rnd() < p,
    int: (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!,
    /** Skewed towards the head of the list (frequent names first): P(i) ∝ 1/√i roughly. */
    pickSkewed: <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * rnd() * xs.length)]!,
    weighted: <T>(pairs: readonly (readonly [T, number])[]): T => {
      const total = pairs.reduce((s, [, w]) => s + w, 0);
      let u = rnd() * total;
      for (const [v, w] of pairs) {
        u -= w;
        if (u < 0) return v;
      }
      return pairs[pairs.length - 1]![0];
    },
    shuffle: <T>(xs: T[]): T[] => {
      for (let i = xs.length - 1; i > 0; i--) {
        const j = Math.floor(rnd() * (i + 1));
        [xs[i], xs[j]] = [xs[j]!, xs[i]!];
      }
      return xs;
    },
  };
  return tools;
}
export type RandomTools = ReturnType<typeof randomTools>;

/** Appends to the list under a key, creating it. */
function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** A date of birth in [fromYear, toYear]. */
function randomDob(r: RandomTools, fromYear: number, toYear: number): string {
  return `${r.int(fromYear, toYear)}-${pad2(r.int(1, 12))}-${pad2(r.int(1, 28))}`;
}

/** A random address in a place; `building` gives it a unit designator. */
export function randomAddress(r: RandomTools, p: Place, building: boolean): EvalAddress {
  const suffixless = r.chance(0.03);
  const name = suffixless ? r.pick(SUFFIXLESS_STREETS) : r.pickSkewed(STREET_NAMES);
  const preDir = r.chance(0.25) ? r.pick(['N', 'S', 'E', 'W']) : '';
  const postDir = !preDir && !suffixless && r.chance(0.05) ? r.pick(['NE', 'NW', 'SE', 'SW']) : '';
  let number = String(building ? r.int(100, 9999) : r.int(1, 9999));
  if (!building && r.chance(0.02)) number += r.pick(['A', 'B']);
  return {
    number,
    preDir,
    name,
    suffix: suffixless ? '' : r.pickSkewed(SUFFIX_ORDER),
    postDir,
    unitType: building ? r.weighted([['Apt', 0.75] as const, ['Unit', 0.25] as const]) : '',
    unit: '',
    city: p.city,
    state: p.state,
    stateName: p.stateName,
    zip: r.pick(p.zips),
    zip4: String(r.int(1, 9999)).padStart(4, '0'),
  };
}

/** A unit identifier: '4B', '203', '12', 'C'. */
function randomUnitId(r: RandomTools): string {
  const kind = r.rnd();
  if (kind < 0.45) return `${r.int(1, 12)}${r.pick(['A', 'B', 'C', 'D', 'E', 'F'])}`;
  if (kind < 0.85) return `${r.int(1, 6)}${pad2(r.int(1, 20))}`;
  if (kind < 0.95) return String(r.int(1, 40));
  return r.pick(['A', 'B', 'C', 'D']);
}

interface Building {
  address: EvalAddress;
  units: Set<string>;
  capacity: number;
}

interface Draft {
  sex: Sex;
  given: string;
  middle: string;
  surname: Surname;
  generation: '' | 'Jr' | 'Sr';
  dob: string;
  partnerIndex: number | null;
}

/**
 * Builds the evaluation store. Deterministic: the same options give the same
 * store, TIN for TIN.
 * @example const store = generateEvalStore({ returns: 50_000, seed: 1 })
 */
export function generateEvalStore(opts: EvalStoreOptions): EvalStore {
  const r = randomTools(opts.seed * 1_000_003 + 11);
  const latestYear = opts.latestYear ?? 2024;
  const returns: TaxpayerReturn[] = [];
  const people: EvalPerson[] = [];
  const byTin = new Map<string, EvalPerson>();
  const dwellings = new Map<string, string[]>();
  const buildings = new Map<string, string[]>();
  const byName = new Map<string, string[]>();
  /** Building keys of current homes (a house or a building): never two households on one. */
  const homes = new Map<string, 'house' | Building>();
  /** Houses that hold one household, as reoccupation targets for movers' old addresses. */
  const houses: EvalAddress[] = [];
  const openBuildings = new Map<string, Building[]>();
  const placeByCity = new Map(PLACES.map((p) => [p.city, p]));
  const serials = { '000': 0, '666': 0 };
  const nextTin = () => {
    const area = r.chance(0.5) ? '000' : '666';
    const n = serials[area]++;
    if (n >= 1_000_000) throw new Error('evaluation store: out of TINs in area ' + area);
    return area + String(n).padStart(6, '0');
  };

  const pickPlace = (origin: Origin): Place =>
    r.chance(0.6) ? placeByCity.get(r.pick(ORIGIN_CITIES[origin]))! : r.pick(PLACES);

  /** A house address free in the latest year. */
  const newHouse = (p: Place): EvalAddress => {
    for (;;) {
      const a = randomAddress(r, p, false);
      if (!homes.has(buildingKey(a))) return a;
    }
  };

  const homeFor = (p: Place): { address: EvalAddress; building: Building | null } => {
    if (!r.chance(STORE_RATES.inBuilding)) {
      const address = newHouse(p);
      homes.set(buildingKey(address), 'house');
      houses.push(address);
      return { address, building: null };
    }
    const open = openBuildings.get(p.city) ?? [];
    let b: Building | undefined;
    if (open.length > 0 && r.chance(STORE_RATES.joinBuilding)) b = r.pick(open);
    if (!b) {
      let a: EvalAddress;
      do a = randomAddress(r, p, true);
      while (homes.has(buildingKey(a)));
      b = { address: a, units: new Set(), capacity: r.int(2, 16) };
      homes.set(buildingKey(a), b);
      open.push(b);
      openBuildings.set(p.city, open);
    }
    let unit: string;
    do unit = randomUnitId(r);
    while (b.units.has(unit));
    b.units.add(unit);
    if (b.units.size >= b.capacity) open.splice(open.indexOf(b), 1);
    return { address: { ...b.address, unit }, building: b };
  };

  const surnameFor = (origin: Origin): Surname => {
    const single = (o: Origin = origin): Surname => ({
      particle: '',
      parts: [r.pickSkewed(SURNAMES[o])],
      joiner: ' ',
      splittable: false,
    });
    if (origin === 'hispanic' || origin === 'portuguese') {
      const u = r.rnd();
      if (u < 0.45) return single();
      if (u < 0.8 || u >= 0.92) {
        let second: string;
        const first = r.pickSkewed(SURNAMES[origin]);
        do second = r.pickSkewed(SURNAMES[origin]);
        while (second === first);
        return {
          particle: '',
          parts: [first, second],
          joiner: u < 0.8 ? ' ' : '-',
          splittable: true,
        };
      }
      const [particle, core] = r.pick(PARTICLE_SURNAMES[origin]);
      return { particle, parts: [core], joiner: ' ', splittable: false };
    }
    const compounds = COMPOUND_SURNAMES[origin];
    if (compounds && r.chance(origin === 'haitian' ? 0.15 : 0.03)) {
      return { particle: '', parts: [...r.pick(compounds)], joiner: '-', splittable: false };
    }
    return single();
  };

  const middleFor = (origin: Origin, sex: Sex, given: string): string => {
    const rate = {
      hispanic: 0.45,
      english: 0.5,
      vietnamese: 0.8,
      chinese: 0.1,
      haitian: 0.3,
      portuguese: 0.4,
      other: 0.2,
    }[origin];
    if (!r.chance(rate)) return '';
    if (origin === 'vietnamese') return r.pick(VIETNAMESE_MIDDLE[sex]);
    if (origin === 'english' && r.chance(0.25)) return String.fromCharCode(65 + r.int(0, 25));
    for (let k = 0; k < 10; k++) {
      const m = r.pickSkewed(GIVEN[origin][sex]);
      if (fold(m) !== fold(given)) return m;
    }
    return '';
  };

  /** Given names in one household must not be confusable (except a junior and senior). */
  const givenFor = (origin: Origin, sex: Sex, taken: string[]): string | null => {
    for (let k = 0; k < 40; k++) {
      const g = r.pickSkewed(GIVEN[origin][sex]);
      if (!taken.some((t) => confusable(t, g))) return g;
    }
    return null;
  };

  let household = 0;
  /** Earlier people by origin and sex, as namesake sources. */
  const earlier = new Map<string, { given: string; surname: Surname; city: string }[]>();

  const emitHousehold = (): void => {
    household++;
    const origin = r.weighted(ORIGIN_WEIGHTS);
    const placeOfHome = pickPlace(origin);
    const size = r.weighted(STORE_RATES.householdSize);
    let familySurname = surnameFor(origin);
    const drafts: Draft[] = [];
    const taken: string[] = [];
    const junior =
      size >= 2 && JUNIOR_ORIGINS.includes(origin) && r.chance(STORE_RATES.juniorSenior);
    for (let i = 0; i < size; i++) {
      const sex: Sex =
        junior && i < 2 ? 'M' : i === 1 ? (drafts[0]!.sex === 'M' ? 'F' : 'M') : r.pick(['F', 'M']);
      let given: string | null;
      let surname =
        i === 0 || r.chance(STORE_RATES.shareSurname) ? familySurname : surnameFor(origin);
      if (junior && i === 1) given = drafts[0]!.given;
      else given = givenFor(origin, sex, taken);
      if (given === null) break;
      // Namesakes: now and then a head of household has the full name of someone
      // in another city (a junior then shares it too).
      const sources = earlier.get(`${origin}|${sex}`) ?? [];
      if (i === 0 && sources.length > 0 && r.chance(STORE_RATES.namesake)) {
        const other = r.pick(sources);
        if (other.city !== placeOfHome.city) {
          given = other.given;
          surname = other.surname;
          familySurname = other.surname;
        }
      }
      const dob =
        junior && i === 0
          ? randomDob(r, 1940, 1975)
          : junior && i === 1
            ? randomDob(
                r,
                Number(drafts[0]!.dob.slice(0, 4)) + 18,
                Math.min(Number(drafts[0]!.dob.slice(0, 4)) + 40, latestYear - 18),
              )
            : randomDob(r, 1940, latestYear - 18);
      taken.push(given);
      drafts.push({
        sex,
        given,
        middle: middleFor(origin, sex, given),
        surname,
        generation: junior && i < 2 ? (i === 0 ? 'Sr' : 'Jr') : '',
        dob,
        partnerIndex: junior && i < 2 ? 1 - i : null,
      });
    }
    if (junior && drafts.length >= 2) {
      // A junior shares the senior's surname as well as his given name.
      drafts[1]!.surname = drafts[0]!.surname;
      if (r.chance(0.5)) drafts[1]!.middle = drafts[0]!.middle;
    }

    const { address: home } = homeFor(placeOfHome);
    const moved = r.chance(STORE_RATES.mover);
    let oldHome: EvalAddress | null = null;
    if (moved) {
      if (houses.length > 1 && r.chance(STORE_RATES.oldAddressReoccupied)) {
        const h = r.pick(houses);
        if (buildingKey(h) !== buildingKey(home)) oldHome = h;
      }
      if (!oldHome) {
        const p = r.chance(0.6) ? placeOfHome : r.pick(PLACES);
        do oldHome = randomAddress(r, p, false);
        while (buildingKey(oldHome) === buildingKey(home));
      }
    }
    const suffixWriting = r.weighted([
      ['none', STORE_RATES.suffixWriting.none],
      ['juniorOnly', STORE_RATES.suffixWriting.juniorOnly],
      ['both', STORE_RATES.suffixWriting.both],
    ] as const);
    const suffixSpelling = r.pick(['Jr', 'Jr.', 'JR']);

    const tins = drafts.map(() => nextTin());
    drafts.forEach((d, i) => {
      const tin = tins[i]!;
      const accentable = d.given + d.middle + renderSurname(d.surname);
      const style = (): RecordStyle => ({
        accents:
          hasAccents(accentable) &&
          r.chance(
            origin === 'vietnamese'
              ? STORE_RATES.accentsWrittenVietnamese
              : STORE_RATES.accentsWritten,
          ),
        upper: r.chance(STORE_RATES.upper),
        spelled: r.chance(STORE_RATES.spelled),
        unitStyle: r.weighted([
          ['designator', 0.7],
          ['hash', 0.15],
          ['bare', 0.15],
        ] as const),
        zipPlus4: r.chance(STORE_RATES.zipPlus4),
      });
      let suffixWritten = '';
      if (d.generation === 'Jr' && suffixWriting !== 'none') suffixWritten = suffixSpelling;
      if (d.generation === 'Sr' && suffixWriting === 'both') {
        suffixWritten = suffixSpelling.replace(/j/i, (c) => (c === 'J' ? 'S' : 's'));
      }
      const nameStyle = style();
      const person = { ...d, suffixWritten };
      const returnOf = (year: number, a: EvalAddress, st: RecordStyle): TaxpayerReturn => ({
        tin,
        tax_year: year,
        ...renderName(person, { accents: nameStyle.accents, upper: st.upper }),
        ...renderAddress(a, st),
        dob: d.dob,
      });
      const lastYear = latestYear - (r.chance(STORE_RATES.lapsedFiler) ? 1 : 0);
      const personOld = moved && r.chance(0.85) ? oldHome : null;
      if (personOld) {
        returns.push(returnOf(lastYear - 1 - (r.chance(0.3) ? 1 : 0), personOld, style()));
      } else if (r.chance(STORE_RATES.repeatFiler)) {
        returns.push(returnOf(lastYear - 1, home, style()));
      }
      const recordStyle = { ...style(), accents: nameStyle.accents };
      const record = returnOf(lastYear, home, recordStyle);
      returns.push(record);
      const p: EvalPerson = {
        tin,
        household,
        origin,
        sex: d.sex,
        given: d.given,
        middle: d.middle,
        surname: d.surname,
        generation: d.generation,
        suffixWritten,
        dob: d.dob,
        home,
        oldHomes: personOld ? [personOld] : [],
        generationPartner: d.partnerIndex === null ? null : tins[d.partnerIndex]!,
        record,
        style: recordStyle,
      };
      people.push(p);
      byTin.set(tin, p);
      const dk = dwellingKey(home);
      pushTo(dwellings, dk, tin);
      if (home.unit) {
        const bk = buildingKey(home);
        const list = buildings.get(bk) ?? [];
        if (!list.includes(dk)) list.push(dk);
        buildings.set(bk, list);
      }
      const nk = nameKey(p);
      pushTo(byName, nk, tin);
      const key = `${origin}|${d.sex}`;
      pushTo(earlier, key, { given: d.given, surname: d.surname, city: home.city });
    });
  };

  // Households until the target; an old or repeat return may overshoot by a few,
  // so the last households are single people who filed once.
  while (returns.length < opts.returns) {
    const left = opts.returns - returns.length;
    if (left >= 12) emitHousehold();
    else emitSingle();
  }
  if (returns.length > opts.returns) throw new Error('evaluation store overshot its size');
  return { seed: opts.seed, latestYear, returns, people, byTin, dwellings, buildings, byName };

  function emitSingle(): void {
    household++;
    const origin = r.weighted(ORIGIN_WEIGHTS);
    const sex: Sex = r.pick(['F', 'M']);
    const given = r.pickSkewed(GIVEN[origin][sex]);
    const surname = surnameFor(origin);
    const { address: home } = homeFor(pickPlace(origin));
    const tin = nextTin();
    const style: RecordStyle = {
      accents: false,
      upper: r.chance(STORE_RATES.upper),
      spelled: r.chance(STORE_RATES.spelled),
      unitStyle: 'designator',
      zipPlus4: false,
    };
    const base = { given, middle: '', surname, suffixWritten: '' };
    const record: TaxpayerReturn = {
      tin,
      tax_year: latestYear,
      ...renderName(base, style),
      ...renderAddress(home, style),
      dob: randomDob(r, 1940, latestYear - 18),
    };
    returns.push(record);
    const p: EvalPerson = {
      tin,
      household,
      origin,
      sex,
      ...base,
      generation: '',
      dob: record.dob!,
      home,
      oldHomes: [],
      generationPartner: null,
      record,
      style,
    };
    people.push(p);
    byTin.set(tin, p);
    const dk = dwellingKey(home);
    pushTo(dwellings, dk, tin);
    const nk = nameKey(p);
    pushTo(byName, nk, tin);
  }
}

/**
 * Two given names one household must not both carry: equal, nickname-related,
 * within two edits, sharing a word, or gender twins (Mario/María).
 * @example confusable('María', 'Mario') // true
 */
export function confusable(a: string, b: string): boolean {
  if (givenNamesCompatible(a, b)) return true;
  const fa = fold(a);
  const fb = fold(b);
  const words = new Set(fa.split(' '));
  if (fb.split(' ').some((t) => words.has(t))) return true;
  if (fa.length >= 4 && fb.length >= 4 && editDistance(fa, fb, 2) <= 2) return true;
  return GENDER_TWINS.some(
    ([x, y]) => (fold(x) === fa && fold(y) === fb) || (fold(x) === fb && fold(y) === fa),
  );
}
